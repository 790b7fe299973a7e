"""Serve the registry with its production server: gunicorn, debug mode off.

    cordtrack serve                                  http://127.0.0.1:8000, workers from the CPUs
    cordtrack serve --bind 0.0.0.0:8000 --workers 4 --threads 8

The settings are those of every command (var/cordtrack.env or the environment) with
CORDTRACK_DEBUG forced off. Static files must have been collected first
(`cordtrack manage collectstatic --noinput`; `make serve` does it, and migrates): WhiteNoise
serves them under hashed names, compressed. Workers: CORDTRACK_WEB_WORKERS, else 2 x CPUs + 1
(gunicorn's rule of thumb); threads per worker: CORDTRACK_WEB_THREADS, else 4. Logs go to stderr
as JSON, one line per request with its id. /healthz answers 200 when the database is reachable
and migrated. Deployment: docs/deploy.md.

exit status: that of gunicorn; 78 when the settings do not load
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import ConfigurationError, UsageError, setup_django

NAME = "serve"
HELP = "serve the registry in production (gunicorn, debug off)"
CONFIG_MODULE = "python:cordtrack.server.gunicorn_conf"


def cpu_count() -> int:
    """The CPUs this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return 2 * cpu_count() + 1


def _positive(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise UsageError(f"{name} must be a whole number of at least 1, not {value!r}")
    return number


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (127.0.0.1:8000)")
    parser.add_argument(
        "--workers", help="processes (default: CORDTRACK_WEB_WORKERS, 2 x CPUs + 1)"
    )
    parser.add_argument("--threads", help="threads per process (default: CORDTRACK_WEB_THREADS, 4)")


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    """The gunicorn command line this serve runs."""
    workers = _positive(
        "--workers",
        args.workers or os.environ.get("CORDTRACK_WEB_WORKERS") or str(default_workers()),
    )
    threads = _positive("--threads", args.threads or os.environ.get("CORDTRACK_WEB_THREADS") or "4")
    return [
        sys.executable, "-m", "gunicorn", "--config", CONFIG_MODULE,
        "--bind", args.bind, "--workers", str(workers), "--threads", str(threads),
        "cordtrack.server.wsgi:application",
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    argv = gunicorn_argv(args)
    os.environ["CORDTRACK_DEBUG"] = "0"  # the production configuration, whatever the file says
    setup_django()
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        raise ConfigurationError(
            f"static files are not collected in {settings.STATIC_ROOT}: run "
            "`cordtrack manage collectstatic --noinput` first (make serve does)"
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return 0  # not reached: the process is now gunicorn
