"""``manage.py audit``: check the audit trail, and anchor its head outside the database.

- ``audit verify [--anchors FILE]``: exit 0 when the chain is intact, every entry's seal matches
  under the audit key, and the trail still matches every anchor in the anchors file CordTrack
  keeps (``settings.AUDIT_ANCHORS_FILE``) and in FILE; 1 naming each break;
- ``audit seal``: chain the staged entries now (the worker does it every few seconds; ADR 0051);
- ``audit anchor [--to FILE]``: print the head of the verified trail as an anchor line, and add it
  (fsynced) to FILE, by default the anchors file CordTrack keeps (see :mod:`..anchors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import anchors, keys, staging
from ...chain import Problem, verify
from ...models import AuditEntry

_USAGE = 2
#: Problems printed one per line; past this many, the rest are counted (a rewrite of every hash
#: is one problem per entry).
_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Audit trail tools. `audit verify` exits 0 when the hash chain is intact, sealed with the "
        "audit key and matches the anchors kept outside the database, 1 otherwise; `audit "
        "anchor` prints the verified head as an anchor line and keeps it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor", "seal"])
        parser.add_argument(
            "--anchors", type=Path, help="verify: also a file of anchors the trail must match"
        )
        parser.add_argument(
            "--to", type=Path, help="anchor: the file to add the anchor to (default: the kept one)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            self._anchor(options["to"])
            return
        if options["action"] == "seal":
            sealed = staging.seal_pending()
            left, _ = staging.pending()
            self.stdout.write(f"{sealed} staged entries chained; {left} left staged")
            return
        problems = list(verify())
        try:
            kept, kept_count, kept_problems = anchors.check_kept()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=_USAGE) from None
        except OSError as exc:
            raise CommandError(
                f"cannot read {anchors.anchors_file()}: {exc.strerror}", returncode=_USAGE
            ) from None
        problems += kept_problems
        given = self._read(options["anchors"]) if options["anchors"] else []
        problems += anchors.check(given)
        if problems:
            self._report(problems)
        count = AuditEntry.objects.count()
        notes = [f"audit trail intact: {count} entries verified and sealed"]
        waiting, oldest = staging.pending()
        if waiting:  # committed, each sealed on its own, not chained yet (ADR 0051)
            notes.append(
                f"{waiting} staged entr{'y' if waiting == 1 else 'ies'} verified, waiting to be "
                f"chained (oldest {oldest.isoformat(timespec='seconds')}; `cordtrack audit seal` "
                "chains them)"
            )
        if kept is not None:
            notes.append(f"{kept_count} anchor(s) in {kept} matched")
        if options["anchors"]:
            notes.append(f"{len(given)} anchor(s) in {options['anchors']} matched")
        self.stdout.write("; ".join(notes))
        if keys.using_dev_key():
            self.stderr.write(
                "warning: sealed with the public development key (set CORDTRACK_AUDIT_KEY): "
                "this shows the trail consistent, not that nobody rewrote it"
            )

    def _report(self, problems: list[Problem]) -> None:
        for problem in problems[:_SHOWN]:
            self.stderr.write(str(problem))
        if len(problems) > _SHOWN:
            self.stderr.write(f"… and {len(problems) - _SHOWN} more")
        raise CommandError(f"audit trail is NOT intact: {len(problems)} problem(s)", returncode=1)

    def _anchor(self, to: Path | None) -> None:
        try:
            anchor = anchors.take()
        except anchors.BrokenTrailError as broken:
            for problem in broken.problems[:_SHOWN]:
                self.stderr.write(str(problem))
            raise CommandError(f"{broken}: not anchored", returncode=1) from None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=_USAGE) from None
        target = to if to is not None else anchors.anchors_file()
        if target is not None:
            try:
                anchors.append(anchor, target)
            except OSError as exc:
                raise CommandError(
                    f"cannot write {target}: {exc.strerror}", returncode=_USAGE
                ) from None
        self.stdout.write(anchor.line().rstrip("\n"))

    def _read(self, path: Path) -> list[anchors.Anchor]:
        try:
            return anchors.read(path)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=_USAGE) from None
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=_USAGE) from None
