"""Deliver the registry's notification outbox (the Django management command ``outbox``).

Saves that notify someone (a serious adverse event e-mails the site's monitors) write the message
to the outbox in the same transaction; this command sends it. ``cordtrack outbox deliver`` sends
every due message once; ``--loop`` keeps delivering every ``--interval`` seconds until stopped
(Ctrl-C or SIGTERM). A failed attempt is retried with a growing wait (30 s doubling to 1 h, ten
attempts); ``cordtrack outbox status`` lists what is not sent yet; ``cordtrack outbox requeue
[ID ...]`` retries messages that failed for good. Delivery is at least once (ADR 0036).

exit status: 0 done, 1 a message failed for good, 2 usage error
"""

from __future__ import annotations

import argparse

NAME = "outbox"
HELP = "send queued notification e-mails, list or requeue them"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["deliver", "status", "requeue"])
    parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="requeue: only these")
    parser.add_argument("--loop", action="store_true", help="deliver: keep delivering")
    parser.add_argument(
        "--interval", type=float, default=10.0, metavar="S",
        help="deliver --loop: seconds between rounds (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--limit", type=int, default=100, metavar="N", help="deliver: messages per round"
    )


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command(
            "outbox", args.action, *[str(i) for i in args.ids], loop=args.loop,
            interval=args.interval, limit=args.limit,
        )  # fmt: skip
    except CommandError as exc:
        print(f"cordtrack outbox: {exc}", file=sys.stderr)
        return exc.returncode
    return 0
