"""Run the background worker: exports and reports asked for on /jobs/, periodic jobs, and (once
there) the notification outbox. It beats every few seconds (``/healthz`` reads the beat); a task
left running by a worker that stopped beating runs again on the next one (docs/adr/0034).

    cordtrack worker                 run until stopped (Ctrl+C, SIGTERM: the task in hand ends)
    cordtrack worker --batch         run what is ready, then exit
    cordtrack worker --max-tasks 10  exit after 10 tasks (a supervisor starts a fresh one)

Start one or more per machine; several workers share the queue safely (PostgreSQL: row locks,
SKIP LOCKED; SQLite: one writer at a time).

exit status: 0 stopped cleanly, 1 a second Ctrl+C stopped it mid-task (the task runs again)
"""

from __future__ import annotations

import argparse

NAME = "worker"
HELP = "run the background worker (jobs, periodic tasks)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", action="store_true", help="run what is ready, then exit")
    parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
    parser.add_argument("--worker-id", default=None, help="unique name (default: random)")


def run(args: argparse.Namespace) -> int:
    import logging
    import os

    from . import UsageError

    if args.max_tasks is not None and args.max_tasks < 1:
        raise UsageError("--max-tasks must be at least 1")
    if args.worker_id is not None and not 0 < len(args.worker_id) <= 64:
        raise UsageError("--worker-id must be 1 to 64 characters")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django

    django.setup()
    from cordtrack.server.jobs.worker import Worker

    logging.getLogger("cordtrack.jobs").setLevel(logging.INFO)
    worker = Worker(worker_id=args.worker_id, batch=args.batch, max_tasks=args.max_tasks)
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as exc:  # the library's signal handler ends the process this way
        return exc.code if isinstance(exc.code, int) else 0
    return 0
