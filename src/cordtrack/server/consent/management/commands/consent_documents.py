"""``manage.py consent_documents import FILE... --user NAME``: publish consent documents from
JSON or YAML files (docs/consent.md); ``list`` prints the published ones.

Each file is checked field by field; a bad file prints every problem (``questions[1].answer:
...``) and publishes nothing of itself. Exit 1 when any file was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Publish consent documents (JSON/YAML), or list the published ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "list"])
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument("--user", help="the data manager who publishes (import)")

    def handle(self, *args: Any, **options: Any) -> None:
        from ....accounts.models import User
        from ....services import consent_documents
        from ...models import ConsentDocument

        if options["action"] == "list":
            for d in ConsentDocument.objects.select_related("protocol"):
                self.stdout.write(f"{d.protocol.code} v{d.protocol.version}  consent "
                                  f"{d.version}  {d.language}  {d.published_at:%Y-%m-%d}  "
                                  f"{d.title}")  # fmt: skip
            return
        if not options["user"] or not options["files"]:
            raise CommandError("import needs --user NAME and at least one file")
        try:
            actor = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        refused = 0
        for path in options["files"]:
            try:
                text = path.read_text(encoding="utf-8")
                doc = consent_documents.publish(actor, text)
            except OSError as exc:
                refused += 1
                self.stderr.write(f"{path}: cannot be read ({exc.strerror})")
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
            except ValidationError as exc:
                refused += 1
                for field, messages in exc.message_dict.items():
                    for m in messages:
                        self.stderr.write(f"{path}: {field}: {m}")
            else:
                self.stdout.write(f"{path}: published {doc.protocol.code} consent "
                                  f"{doc.version} ({doc.language})")  # fmt: skip
        if refused:
            raise CommandError(f"{refused} file(s) refused: nothing of them was published",
                               returncode=1)  # fmt: skip
