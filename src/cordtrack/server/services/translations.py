"""Recording a validated translation of an instrument's items (ADR 0044).

Who may: a holder of the protocols capability (the data manager), who keeps the study's
instruments for every site. What is needed: the instrument and its current version, a shipped
language other than the original, the source of the validation (a citation: publication,
licence holder, translation report), the validated wording of every item, and the date it was
validated. Once recorded it is what patients in that language see, labelled validated; it is
never edited (a new version of the instrument needs its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from cordtrack.clinical.instruments import INSTRUMENTS

from ..access import Cap, site_ids
from ..followup.models import ValidatedTranslation
from ..followup.wording import ORIGINAL_LANGUAGE, problems
from .base import FieldErrors, create


def may_record(user: Any) -> bool:
    return bool(site_ids(user, Cap.PROTOCOLS))


def record_validated_translation(
    actor: Any,
    *,
    instrument: str,
    language: str,
    source: str,
    texts: Mapping[str, Any],
    version: str | None = None,
    validated_on: dt.date | None = None,
) -> ValidatedTranslation:
    """Record ``texts`` as the validated translation of ``instrument`` into ``language``.

    ``version`` defaults to the instrument's current version and must equal it: a translation
    validated for another version says nothing about the items patients see now.
    """
    if not may_record(actor):
        raise PermissionDenied("recording a validated translation needs the protocols capability")
    errors = FieldErrors()
    if instrument not in INSTRUMENTS:
        errors.add("instrument", f"{instrument!r} is not one of {', '.join(sorted(INSTRUMENTS))}")
        errors.raise_if_any()
    definition = INSTRUMENTS[instrument][0]
    version = definition.version if version is None else version.strip()
    if version != definition.version:
        errors.add("version", f"is not the instrument's current version ({definition.version!r})")
    shipped = [code for code, _ in settings.LANGUAGES if code != ORIGINAL_LANGUAGE]
    if language not in shipped:
        errors.add("language", f"must be one of {', '.join(shipped)}")
    if len(source.strip()) < 10:
        errors.add("source", "cite the validation (publication, licence holder or report)")
    if not isinstance(texts, Mapping):
        errors.add("texts", "must be an object with the instrument's name and items")
    else:
        for problem in problems(definition, texts):
            errors.add("texts", problem)
    day = validated_on or timezone.localdate()
    if day > timezone.localdate():
        errors.add("validated_on", "cannot be in the future")
    if ValidatedTranslation.objects.filter(
        instrument=instrument, version=version, language=language
    ).exists():
        errors.add("language", "a validated translation of this version is already recorded")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            return create(
                actor,
                ValidatedTranslation(
                    instrument=instrument, version=version, language=language,
                    source=source.strip(), texts=dict(texts), recorded_by=actor,
                    validated_on=day,
                ),
            )  # fmt: skip
    except IntegrityError:  # recorded by someone else meanwhile
        errors.add("language", "a validated translation of this version is already recorded")
        errors.raise_if_any()
        raise
