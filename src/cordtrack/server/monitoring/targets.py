"""What a query or a verification may be about: each target's records, its fields, how a field
is shown, and how an answer corrects it (through the record's own service, with a reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse

from cordtrack.isncsci import EXAM_KEYS

from ..exams.models import IsncsciExam
from ..patients.models import Comorbidity, Medication
from ..safety.models import SERIOUSNESS_FIELDS, AdverseEvent
from ..services.base import FieldErrors
from ..therapy.models import Administration
from ..worksheet.values import cell_label
from .models import Target

Corrector = Callable[[Any, Any, str, str, str], None]


def _parse(model: type[models.Model], name: str, text: str) -> Any:
    """A corrected value typed as text, as the model field's Python value (a field error if
    it is not one)."""
    field = model._meta.get_field(name)
    text = text.strip()
    try:
        if isinstance(field, models.BooleanField):
            if text.lower() in ("yes", "true", "1"):
                return True
            if text.lower() in ("no", "false", "0"):
                return False
            raise ValueError("answer yes or no")
        if isinstance(field, models.DateField):
            return None if text == "" and field.null else dt.date.fromisoformat(text)
        if isinstance(field, models.IntegerField):
            return int(text)
    except ValueError as exc:
        errors = FieldErrors()
        errors.add("value", f"{text!r} is not a valid {name}: {exc}")
        errors.raise_if_any()
    return text


def _correct_exam(actor: Any, exam: IsncsciExam, field: str, value: str, reason: str) -> None:
    from ..services import exams

    if field not in EXAM_KEYS:
        _not_here(field)
    exams.amend_exam(actor, exam, {**exam.values, field: value.strip()}, reason=reason)


def _correct_event(actor: Any, event: AdverseEvent, field: str, value: str, reason: str) -> None:
    from ..services import safety

    safety.correct_adverse_event(
        actor, event, reason=reason, **{field: _parse(AdverseEvent, field, value)}
    )


def _correct_medication(actor: Any, m: Medication, field: str, value: str, reason: str) -> None:
    from ..services import history

    history.correct_medication(actor, m, reason=reason, **{field: _parse(Medication, field, value)})


def _correct_history(actor: Any, c: Comorbidity, field: str, value: str, reason: str) -> None:
    from ..services import history

    history.correct_medical_history(
        actor, c, reason=reason, **{field: _parse(Comorbidity, field, value)}
    )


def _not_here(field: str) -> None:
    errors = FieldErrors()
    errors.add("value", f"{field} is not corrected through a query: correct it on its page")
    errors.raise_if_any()


@dataclass(frozen=True)
class TargetKind:
    code: str
    model: type[models.Model]
    fields: tuple[str, ...]
    url_name: str
    corrector: Corrector | None

    @property
    def label(self) -> str:
        return str(Target(self.code).label)

    @property
    def audit_label(self) -> str:
        return self.model._meta.label_lower

    def field_label(self, field: str) -> str:
        if not field:
            return "whole record"
        if self.code == Target.EXAM and field in EXAM_KEYS:
            return cell_label(field)
        return field.replace("_", " ")

    def value(self, obj: Any, field: str) -> str:
        if not field:
            return ""
        if self.code == Target.EXAM and field in EXAM_KEYS:
            return str(obj.values.get(field, ""))
        value = getattr(obj, field, "")
        return "" if value is None else str(value)

    def url(self, obj: Any) -> str:
        return reverse(self.url_name, args=[obj.pk])


_AE_FIELDS = ("term", "onset_date", "resolution_date", "ctcae_grade", *SERIOUSNESS_FIELDS,
              "relatedness", "expected", "action", "outcome")  # fmt: skip

TARGETS: dict[str, TargetKind] = {
    Target.EXAM: TargetKind(
        Target.EXAM, IsncsciExam, ("exam_date", *EXAM_KEYS), "exam-detail", _correct_exam
    ),
    Target.ADVERSE_EVENT: TargetKind(
        Target.ADVERSE_EVENT, AdverseEvent, _AE_FIELDS, "ae-detail", _correct_event
    ),
    Target.ADMINISTRATION: TargetKind(
        Target.ADMINISTRATION,
        Administration,
        ("administered_at", "route", "dose_total_cells", "weight_kg", "vitals"),
        "administration-detail",
        None,
    ),
    Target.MEDICATION: TargetKind(
        Target.MEDICATION,
        Medication,
        ("name", "dose", "route", "indication", "atc_code", "start_date", "stop_date"),
        "patients:medications",
        _correct_medication,
    ),
    Target.MEDICAL_HISTORY: TargetKind(
        Target.MEDICAL_HISTORY,
        Comorbidity,
        ("condition", "icd10", "onset_date", "ongoing"),
        "patients:medications",
        _correct_history,
    ),
}

#: Audit model label → target kind (what ``clearing`` watches).
BY_AUDIT_LABEL: dict[str, TargetKind] = {t.audit_label: t for t in TARGETS.values()}


def record_url(kind: TargetKind, obj: Any) -> str:
    """Where a target record is shown (a medication or history entry: its patient's list)."""
    if kind.url_name == "patients:medications":
        return reverse(kind.url_name, args=[obj.patient_id])
    return kind.url(obj)
