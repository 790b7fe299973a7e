"""``manage.py audit``: check the audit trail's hash chain, and anchor its head outside the
database.

- ``audit verify [--anchors FILE]``: exit 0 when the chain is intact (and matches every anchor in
  FILE), 1 naming each break;
- ``audit anchor [--to FILE]``: print the head of the verified trail as an anchor line, and add it
  to FILE (kept where the database's administrators cannot change it; see :mod:`..anchors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import anchors
from ...chain import verify
from ...models import AuditEntry

_USAGE = 2


class Command(BaseCommand):
    help = (
        "Audit trail tools. `audit verify` exits 0 when the hash chain is intact (and matches the "
        "anchors given), 1 otherwise; `audit anchor` prints the verified head as an anchor line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument(
            "--anchors", type=Path, help="verify: a file of anchors the trail must still match"
        )
        parser.add_argument("--to", type=Path, help="anchor: also add the anchor to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            self._anchor(options["to"])
            return
        problems = list(verify())
        given = self._read(options["anchors"]) if options["anchors"] else []
        problems += anchors.check(given)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"audit trail is NOT intact: {len(problems)} problem(s)", returncode=1
            )
        count = AuditEntry.objects.count()
        matched = f"; {len(given)} anchor(s) matched" if options["anchors"] else ""
        self.stdout.write(f"audit trail intact: {count} entries verified{matched}")

    def _anchor(self, to: Path | None) -> None:
        try:
            anchor = anchors.take()
        except anchors.BrokenTrailError as broken:
            for problem in broken.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{broken}: not anchored", returncode=1) from None
        if to is not None:
            try:
                anchors.append(anchor, to)
            except OSError as exc:
                raise CommandError(
                    f"cannot write {to}: {exc.strerror}", returncode=_USAGE
                ) from None
        self.stdout.write(anchor.line().rstrip("\n"))

    def _read(self, path: Path) -> list[anchors.Anchor]:
        try:
            return anchors.read(path)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=_USAGE) from None
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=_USAGE) from None
