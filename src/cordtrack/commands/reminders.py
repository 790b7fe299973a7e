"""Send the patient reminders due now (the Django management command ``reminders``).

``cordtrack reminders run`` queues every visit and questionnaire reminder that is due today,
once per channel (e-mail, SMS) and in the patient's language, through the notification outbox,
and delivers them; it prints what it sent (``--json``: ``{"sent": N, ...}``). A second run
sends nothing new; a visit moved to other dates is reminded again. The worker runs the same job
every 15 minutes. A mail server or SMS provider that is down leaves the reminders queued and
retried (``cordtrack outbox status``). See docs/reminders.md.

exit status: 0 done, 1 a message failed for good, 2 usage error
"""

from __future__ import annotations

import argparse

NAME = "reminders"
HELP = "send the patient reminders (visits, questionnaires) due now"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["run"])
    parser.add_argument("--json", action="store_true", help='print {"sent": N, ...}')


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cordtrack.server.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("reminders", args.action, json=args.json)
    except CommandError as exc:
        print(f"cordtrack reminders: {exc}", file=sys.stderr)
        return exc.returncode
    return 0
