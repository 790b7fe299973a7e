"""The ``cordtrack`` command line.

Subcommands are the modules of :mod:`cordtrack.commands` (see there for what a module defines).
Exit status: 0 on success, 1 when the work was done but something in it failed (a bad input row, a
disagreement), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from . import __version__, commands
from .commands import UsageError

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="CordTrack: ISNCSCI 2019 classification and registry tools."
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
        sub.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cordtrack`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    run = cast(Callable[[argparse.Namespace], int], args._run)
    try:
        return run(args)
    except UsageError as exc:
        print(f"{PROG} {args._command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`cordtrack classify big.jsonl | head`): stop quietly, and keep
        # Python from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 128 + 2
