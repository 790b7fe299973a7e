"""Consent documents: imported as JSON/YAML, checked field by field, published, never edited.

A document names its protocol (``protocol``: the code) and, optionally, the protocol version it
belongs to (``protocol_version``, default the active one), its own ``version`` label, its
``language`` (one of ``settings.LANGUAGES``), ``title``, ``text``, whether a ``witness_required``
signs with the patient in clinic, and the comprehension ``questions``: each with its
``choices`` and the right ``answer`` (the index of the right choice, from 0, or its text).

Publishing is a data manager's act (the ``protocols`` capability); a document with the same
protocol version, version label and language already published is refused: a new text is a new
version. The **current** consent version of a protocol (by code) is the version label of its most
recently published document; publishing a new label puts every patient who signed an older one
on the re-consent worklist (``services.consent``). See ``docs/consent.md`` and ADR 0045.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..access import Cap, site_ids
from ..consent.models import ConsentDocument
from ..intake.models import Protocol, ProtocolStatus
from .base import FieldErrors, create
from .protocols import parse_document

FIELDS = ("protocol", "protocol_version", "version", "language", "title", "text",
          "witness_required", "questions")  # fmt: skip
MAX_TEXT = 60_000
MAX_QUESTIONS = 10


def _text(data: dict[str, Any], key: str, errors: FieldErrors | _Prefixed, limit: int) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(key, "is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors.add(key, "must be text")
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors.add(key, f"is longer than {limit} characters")
    return text


def _answer(q: dict[str, Any], choices: list[str], where: str, errors: FieldErrors) -> int | None:
    answer = q.get("answer")
    if answer is None:
        errors.add(f"{where}.answer", "is required (the index of the right choice, or its text)")
    elif isinstance(answer, bool):
        errors.add(f"{where}.answer", "must be the index of the right choice, or its text")
    elif isinstance(answer, int):
        if 0 <= answer < len(choices):
            return answer
        errors.add(f"{where}.answer", f"must be between 0 and {len(choices) - 1}")
    elif isinstance(answer, str) and answer.strip() in choices:
        return choices.index(answer.strip())
    else:
        errors.add(f"{where}.answer", f"{answer!r} is not one of the choices")
    return None


def _questions(raw: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors.add("questions", "give at least one comprehension question (a list)")
        return []
    if len(raw) > MAX_QUESTIONS:
        errors.add("questions", f"at most {MAX_QUESTIONS} questions: the check is short")
    checked = []
    for i, q in enumerate(raw):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            errors.add(where, "must be a mapping with question, choices and answer")
            continue
        for key in sorted(set(q) - {"question", "choices", "answer"}):
            errors.add(f"{where}.{key}", "is not a field of a question")
        question = _text(q, "question", _Prefixed(errors, where), 500)
        choices = q.get("choices")
        if (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            errors.add(f"{where}.choices", "give at least two choices, each a text")
            continue
        choices = [c.strip() for c in choices]
        if len(set(choices)) != len(choices):
            errors.add(f"{where}.choices", "two choices are the same")
        answer = _answer(q, choices, where, errors)
        if answer is not None:
            checked.append({"question": question, "choices": choices, "answer": answer})
    return checked


class _Prefixed:
    """FieldErrors under ``prefix.`` (a question's own fields)."""

    def __init__(self, errors: FieldErrors, prefix: str) -> None:
        self.errors, self.prefix = errors, prefix

    def add(self, field: str, message: str) -> None:
        self.errors.add(f"{self.prefix}.{field}", message)


def check(data: dict[str, Any]) -> tuple[dict[str, Any], FieldErrors]:
    """The cleaned document and every problem, by field (``questions[1].answer``)."""
    errors = FieldErrors()
    for key in sorted(set(data) - set(FIELDS)):
        errors.add(key, "is not a field of a consent document")
    code = _text(data, "protocol", errors, 30)
    protocol = None
    if code:
        wanted = data.get("protocol_version")
        versions = Protocol.objects.filter(code=code)
        if wanted is not None:
            protocol = versions.filter(version=str(wanted).strip()).first()
            if protocol is None and versions.exists():
                errors.add("protocol_version", f"{code} has no version {wanted!r}")
        else:
            protocol = versions.filter(status=ProtocolStatus.ACTIVE).first()
            if protocol is None and versions.exists():
                errors.add("protocol_version", f"{code} has no active version: name one")
        if not versions.exists():
            errors.add("protocol", f"no protocol has the code {code!r}")
    version = _text(data, "version", errors, 20)
    language = _text(data, "language", errors, 8)
    shipped = [code for code, _ in settings.LANGUAGES]
    if language and language not in shipped:
        errors.add("language", f"must be one of {', '.join(shipped)}")
    title = _text(data, "title", errors, 200)
    text = _text(data, "text", errors, MAX_TEXT)
    witness = data.get("witness_required", False)
    if not isinstance(witness, bool):
        errors.add("witness_required", "must be true or false")
    questions = _questions(data.get("questions"), errors)
    if (
        protocol is not None
        and version
        and language
        and ConsentDocument.objects.filter(
            protocol=protocol, version=version, language=language
        ).exists()
    ):
        errors.add(
            "version",
            f"{protocol} already has a published consent {version!r} in {language}: a "
            f"published document is never changed; publish a new version",
        )
    cleaned = {
        "protocol": protocol, "version": version, "language": language, "title": title,
        "text": text, "witness_required": witness is True, "questions": questions,
    }  # fmt: skip
    return cleaned, errors


def may_publish(user: Any) -> bool:
    return bool(site_ids(user, Cap.PROTOCOLS))


def publish(actor: Any, document: str | dict[str, Any]) -> ConsentDocument:
    """Check and publish one consent document (JSON/YAML text or a mapping); nothing is saved
    when any field is bad."""
    if not may_publish(actor):
        raise PermissionDenied("only a data manager publishes consent documents")
    data = parse_document(document) if isinstance(document, str) else document
    cleaned, errors = check(data)
    errors.raise_if_any()
    with transaction.atomic():
        return create(
            actor, ConsentDocument(**cleaned, published_at=timezone.now(), published_by=actor)
        )


def current_version(protocol_code: str) -> str | None:
    """The version label of the protocol's most recently published consent document."""
    latest = (
        ConsentDocument.objects.filter(protocol__code=protocol_code)
        .order_by("-published_at", "-pk")
        .values_list("version", flat=True)
        .first()
    )
    return latest


def current_document(protocol_code: str, language: str = "") -> ConsentDocument | None:
    """The current version's document in ``language``, else in English, else any language."""
    version = current_version(protocol_code)
    if version is None:
        return None
    rows = list(
        ConsentDocument.objects.filter(protocol__code=protocol_code, version=version)
        .select_related("protocol")
        .order_by("-published_at", "-pk")
    )
    by_language = {d.language: d for d in reversed(rows)}
    return by_language.get(language) or by_language.get("en") or rows[0]


def languages_of(protocol_code: str, version: str) -> list[str]:
    return sorted(
        set(
            ConsentDocument.objects.filter(
                protocol__code=protocol_code, version=version
            ).values_list("language", flat=True)
        )
    )
