"""Write or check the registry's local settings file (var/cordtrack.env).

    cordtrack config init --demo     the file for a demo on this machine (what `make run` does)
    cordtrack config init            the same without demo data and debug mode
    cordtrack config check           load the settings as the server would and say where from

`init` writes generated CORDTRACK_SECRET_KEY and CORDTRACK_AUDIT_KEY, CORDTRACK_VAR_DIR and
DATABASE_URL as absolute paths (DATABASE_URL from the environment when it is set there) and, with
--demo, CORDTRACK_DEMO=1 and CORDTRACK_DEBUG=1. It only ever adds: a key the file already sets is
kept as it is, so running it again changes nothing. The file is var/cordtrack.env of the checkout
(CORDTRACK_ENV_FILE or --file names another); the server and every cordtrack command read it from
any working directory, and a variable set in the environment wins over it.

exit status: 0 done (check: the settings load), 2 usage error, 78 the settings do not load
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import EXIT_CONFIG, UsageError, setup_django

NAME = "config"
HELP = "write (init) or check the local settings file var/cordtrack.env"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["init", "check"])
    parser.add_argument(
        "--demo", action="store_true", help="init: demo data and debug mode on (for `make run`)"
    )
    parser.add_argument(
        "--file", type=Path, metavar="PATH",
        help="init: the file to write (default: CORDTRACK_ENV_FILE, else var/cordtrack.env)",
    )  # fmt: skip
    parser.add_argument(
        "--var-dir", type=Path, metavar="DIR",
        help="init: CORDTRACK_VAR_DIR to write (default: the environment's, else the file's)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    if args.action == "init":
        return _init(args)
    return _check()


def _init(args: argparse.Namespace) -> int:
    from cordtrack.server import envfile

    path = args.file.expanduser().resolve() if args.file else envfile.env_file_path()
    if path is None:
        raise UsageError("CORDTRACK_ENV_FILE is set empty (no settings file): name one with --file")
    if path.is_dir():
        raise UsageError(f"{path} is a directory")
    var_dir = args.var_dir or (
        Path(os.environ["CORDTRACK_VAR_DIR"])
        if os.environ.get("CORDTRACK_VAR_DIR")
        else path.parent
    )
    values = envfile.initial_values(var_dir.expanduser(), demo=args.demo, environ=os.environ)
    try:
        added, kept = envfile.init(path, values)
    except envfile.EnvFileError as exc:
        print(f"cordtrack config: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    # The var/ folder the file names, with the folder collected static files go to (WhiteNoise
    # looks there even in debug mode).
    (Path(values["CORDTRACK_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    if added:
        print(f"{path}: added {', '.join(added)}")
    if kept:
        print(f"{path}: kept {', '.join(kept)} as set there")
        # `DATABASE_URL=… make run` after a first run on SQLite: this run uses the environment's
        # database, later commands without it the file's. Say so rather than surprise.
        written = envfile.read(path).get("DATABASE_URL")
        given = os.environ.get("DATABASE_URL")
        if given and written and given != written:
            print(
                f"cordtrack config: note: DATABASE_URL in the environment differs from {path}'s; "
                "commands run without it use the file's (edit the file to change it)",
                file=sys.stderr,
            )
    return 0


def _check() -> int:
    setup_django()
    from django.conf import settings

    database = settings.DATABASES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    where = database["NAME"] if engine == "sqlite3" else f"{database['HOST']}/{database['NAME']}"
    print(f"settings file: {settings.ENV_FILE or 'none (environment only)'}")
    print(f"database: {engine} {where}")
    print(f"var dir: {settings.VAR_DIR}")
    print(
        f"debug: {'on' if settings.DEBUG else 'off'}, demo: {'on' if settings.DEMO_MODE else 'off'}"
    )
    return 0
