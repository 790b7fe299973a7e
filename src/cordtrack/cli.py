"""The ``cordtrack`` command line.

Subcommands are the modules of :mod:`cordtrack.commands` (see there for what a module defines).
Exit status: 0 on success, 1 when the work was done but something in it failed (a bad input row, a
disagreement), 2 for a usage error, 78 for a bad configuration (one line naming the variable).
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, Protocol, cast

from . import __version__, commands
from .commands import EXIT_CONFIG, ConfigurationError, UsageError

PROG = "cordtrack"
EXIT_USAGE = 2
_EXIT_BROKEN_PIPE = 128 + 13  # as a shell reports a process ended by SIGPIPE


class Command(Protocol):
    """What a module of :mod:`cordtrack.commands` provides."""

    NAME: str
    HELP: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command_modules() -> list[Command]:
    """Every subcommand module, by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if m.name[0] != "_")
    return [cast(Command, importlib.import_module(f"{commands.__name__}.{n}")) for n in names]


class _HelpFormatter(argparse.HelpFormatter):
    """argparse measures the subcommands for the help column without the extra indentation it
    prints them with, so a name longer than the others (``reminders``) would stand alone on its
    line, its help below it: measure them as printed."""

    def add_argument(self, action: argparse.Action) -> None:
        if isinstance(action, argparse._SubParsersAction):
            self._indent()
            super().add_argument(action)
            self._dedent()
        else:
            super().add_argument(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="CordTrack: ISNCSCI 2019 classification and registry tools.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="_command", metavar="COMMAND", required=True)
    for command in command_modules():
        sub = subparsers.add_parser(
            command.NAME,
            help=command.HELP,
            description=command.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.configure(sub)
        sub.set_defaults(_run=command.run, _exit_at_once=getattr(command, "EXIT_AT_ONCE", False))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cordtrack`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    return _run(argv)[0]


def console() -> NoReturn:
    """The ``cordtrack`` console script: :func:`main`, then exit with its status.

    After a command that declares ``EXIT_AT_ONCE`` (it has closed every file it wrote), the
    standard streams are flushed and the atexit handlers run, and the interpreter's teardown is
    skipped: after a classification it frees the engine's tables and the writer's caches object
    by object, about 70 ms (measured: 82 ms against 12 ms after 10^4 exams), a tenth of the
    whole command on 10^4 exams.
    """
    status, at_once = _run(None)
    if not at_once:
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away after the last write
        status = _EXIT_BROKEN_PIPE
    atexit._run_exitfuncs()
    os._exit(status)


def _run(argv: Sequence[str] | None) -> tuple[int, bool]:
    """The exit status, and whether the command that ran may exit at once (see :func:`console`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return (exc.code if isinstance(exc.code, int) else EXIT_USAGE), False
    return _status(args), bool(args._exit_at_once)


def _status(args: argparse.Namespace) -> int:
    run = cast(Callable[[argparse.Namespace], int], args._run)
    try:
        return run(args)
    except UsageError as exc:
        print(f"{PROG} {args._command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigurationError as exc:
        print(f"{PROG} {args._command}: configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BrokenPipeError:
        # The reader went away (`cordtrack classify big.jsonl | head`): stop quietly, and keep
        # Python from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 128 + 2
    except Exception as exc:
        unmigrated = _unmigrated(exc)
        if unmigrated is None:
            raise
        print(f"{PROG} {args._command}: {unmigrated}", file=sys.stderr)
        return EXIT_CONFIG


def _unmigrated(exc: Exception) -> str | None:
    """The one line for a registry command run on a database without the registry's tables (a
    new or just-created database, `cordtrack restore`'s target before the restore, a release
    newer than the database), instead of Django's traceback; None for any other error."""
    if type(exc).__module__ != "django.db.utils" or type(exc).__name__ not in (
        "OperationalError",
        "ProgrammingError",
    ):
        return None
    text = str(exc)
    if "no such table" not in text and not ("relation" in text and "does not exist" in text):
        return None
    from django.conf import settings

    database = settings.DATABASES["default"]["NAME"]
    return (
        f"the database {database} lacks the registry's tables ({text.splitlines()[0]}): "
        "run `cordtrack manage migrate`, or `cordtrack restore` a backup into it"
    )
