"""Run a management command of the registry server (Django's manage.py).

    cordtrack manage migrate
    cordtrack manage load_demo          (needs CORDTRACK_DEMO=1)
    cordtrack manage runserver 127.0.0.1:8000

exit status: that of the management command (0 success, 1 failure)
"""

from __future__ import annotations

import argparse

NAME = "manage"
HELP = "run a registry management command (migrate, load_demo...)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command and its arguments")


def run(args: argparse.Namespace) -> int:
    from cordtrack.server.manage import main as manage

    return manage(args.args or ["help"])
