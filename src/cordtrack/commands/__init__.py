"""Subcommands of the ``cordtrack`` command, one module each.

A module here is a subcommand: :mod:`cordtrack.cli` finds every public module of this package and
adds it, so a new subcommand needs no edit elsewhere. Each module defines

- ``NAME``: the subcommand's name (``classify``);
- ``HELP``: one line for ``cordtrack --help``; the module docstring is the subcommand's description;
- ``configure(parser: argparse.ArgumentParser) -> None``: adds its arguments;
- ``run(args: argparse.Namespace) -> int``: does the work and returns the exit status;
- optionally ``EXIT_AT_ONCE = True``: ``run`` closes every file it writes, so the console script
  may end the process without the interpreter's teardown (:func:`cordtrack.cli.console`).

Every module is imported each time ``cordtrack`` starts, so a module imports what its ``run`` needs
(the engine, Django...) inside ``run``; a command that needs the registry calls :func:`setup_django`
first. ``run`` raises :class:`UsageError` for a usage problem found after parsing (a missing input
file...): the command prints it and exits with status 2; a bad configuration (a missing or weak
key, a malformed variable) is one line and status 78 (:data:`EXIT_CONFIG`), never a traceback. The
namespace attributes ``_command`` and ``_run`` are the command line's own.
"""

from __future__ import annotations

__all__ = ["EXIT_CONFIG", "ConfigurationError", "UsageError", "run_by", "setup_django"]

EXIT_CONFIG = 78  # EX_CONFIG of sysexits.h: "something was found in an unconfigured state"


class UsageError(Exception):
    """The command line asks for something that cannot be done; the message says why."""


class ConfigurationError(Exception):
    """The registry's settings cannot start (the message names the variable)."""


def setup_django() -> None:
    """Load the registry's settings (``var/cordtrack.env`` or the environment, see
    :mod:`cordtrack.server.envfile`) and Django; :class:`ConfigurationError` if they are bad."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ConfigurationError(str(exc)) from None


def run_by() -> str:
    """Who ran a command, as the audit trail's reasons name it (the registry user, if any, is
    the entry's actor)."""
    import getpass

    try:
        return f"by the command line (OS user {getpass.getuser()})"
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        return "by the command line"
