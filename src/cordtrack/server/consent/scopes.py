"""What a patient's withdrawal allows: the one place every service, export, reminder and report
asks (issue 17 item 2; ADR 0045).

Scopes are nested, treatment ⊂ visits ⊂ data use: a patient who stops visits has stopped
treatment too, and one who withdraws from further data use has stopped both. A patient's scope is
the widest of their withdrawals (a later withdrawal may only widen it). A patient whose consent
status was set to "withdrawn" through the older status form, with no withdrawal row, is taken as
withdrawn from data use: the scope of such a withdrawal is unknown, and the widest one is the
only one sure to respect the patient's wish.

Each action names the narrowest scope that stops it. Adverse events are never stopped: safety
follow-up continues after any withdrawal (ICH E6(R3) 2.8; the patient's safety outweighs the
end of their participation).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from ..patients.models import ConsentStatus, Patient
from ..prepared import Prepared
from .models import Scope, Withdrawal

M = TypeVar("M", bound=models.Model)

#: Narrowest first.
ORDER: tuple[str, ...] = (Scope.TREATMENT, Scope.VISITS, Scope.DATA_USE)


class Action(StrEnum):
    """What a service is about to do for a patient."""

    SCREENING = "screening"
    RANDOMISATION = "randomisation"
    TREATMENT = "treatment"
    VISIT = "visit"  # visits, exams, instruments, questionnaires, logistics
    REMINDER = "reminder"
    DATA_ENTRY = "data_entry"  # history, medications, injury, documents
    EXPORT = "export"  # exports, the research dataset, bulk FHIR
    ADVERSE_EVENT = "adverse_event"


#: The narrowest scope that stops each action (None: no withdrawal stops it).
STOPPED_BY: dict[Action, str | None] = {
    Action.SCREENING: Scope.TREATMENT,
    Action.RANDOMISATION: Scope.TREATMENT,
    Action.TREATMENT: Scope.TREATMENT,
    Action.VISIT: Scope.VISITS,
    Action.REMINDER: Scope.VISITS,
    Action.DATA_ENTRY: Scope.DATA_USE,
    Action.EXPORT: Scope.DATA_USE,
    Action.ADVERSE_EVENT: None,
}


def at_least(scope: str) -> tuple[str, ...]:
    """``scope`` and every wider one."""
    return ORDER[ORDER.index(scope) :]


def widest(scopes: Iterable[str]) -> str | None:
    found = [s for s in scopes if s in ORDER]
    return max(found, key=ORDER.index) if found else None


def _legacy(patient: Patient) -> bool:
    return patient.consent_status == ConsentStatus.WITHDRAWN


#: A patient's withdrawals, oldest first (asked before every new record of the patient).
_WITHDRAWALS: Prepared[Withdrawal] = Prepared(
    lambda patient_id: Withdrawal.objects.filter(patient_id=patient_id), int
)


def current_withdrawal(patient: Patient) -> Withdrawal | None:
    """The patient's widest withdrawal (the latest of that scope), else None."""
    rows: list[Withdrawal] = _WITHDRAWALS.rows(patient.pk)
    if not rows:
        return None
    scope = widest(r.scope for r in rows)
    return [r for r in rows if r.scope == scope][-1]


def scope_of(patient: Patient) -> str | None:
    """The scope the patient has withdrawn from, or None (not withdrawn)."""
    found = current_withdrawal(patient)
    if found is not None:
        return found.scope
    return Scope.DATA_USE if _legacy(patient) else None


def allows(patient: Patient, action: str) -> bool:
    """Whether ``action`` is still allowed for ``patient`` under their withdrawal, if any."""
    stop = STOPPED_BY[Action(action)]
    scope = scope_of(patient)
    return stop is None or scope is None or ORDER.index(scope) < ORDER.index(stop)


def refusal(patient: Patient, action: str) -> str | None:
    """Why ``action`` is refused for ``patient`` (naming the withdrawal), or None."""
    if allows(patient, action):
        return None
    found = current_withdrawal(patient)
    scope = Scope(scope_of(patient) or Scope.DATA_USE)
    when = f" on {found.withdrawn_at:%Y-%m-%d}" if found is not None else ""
    return (
        f"the patient withdrew{when} ({str(scope.label).lower()}): no new "
        f"{str(Action(action)).replace('_', ' ')} is recorded; adverse events may still be "
        f"reported"
    )


def require_allowed(patient: Patient, action: str, errors: Any, field: str = "patient") -> None:
    """Add the refusal to ``errors`` (a ``FieldErrors``) under ``field`` when not allowed."""
    why = refusal(patient, action)
    if why is not None:
        errors.add(field, why)


def withdrawn_patient_ids(scope: str = Scope.DATA_USE) -> models.QuerySet[Patient, int]:
    """Ids of the patients withdrawn from ``scope`` or wider (a lazy queryset: usable in
    ``__in`` as a subquery, or iterated)."""
    rows = Withdrawal.objects.filter(scope__in=at_least(scope)).values("patient_id")
    legacy = Q(consent_status=ConsentStatus.WITHDRAWN) & ~Q(
        pk__in=Withdrawal.objects.values("patient_id")
    )
    return Patient.objects.filter(Q(pk__in=rows) | legacy).values_list("pk", flat=True)


def without_withdrawn(
    queryset: models.QuerySet[M], scope: str = Scope.DATA_USE, path: str = "pk"
) -> models.QuerySet[M]:
    """``queryset`` without the patients withdrawn from ``scope`` (``path`` leads from its model
    to the patient's id, e.g. ``"patient_id"``)."""
    return queryset.exclude(**{f"{path}__in": withdrawn_patient_ids(scope)})


def usable_for_research(patients: models.QuerySet[Patient]) -> models.QuerySet[Patient]:
    """Patients whose data may leave in a research dataset: they consented (and may since have
    stopped treatment or visits), and have not withdrawn from further data use."""
    gave = Q(consent_status=ConsentStatus.CONSENTED) | Q(
        pk__in=Withdrawal.objects.filter(scope__in=(Scope.TREATMENT, Scope.VISITS)).values(
            "patient_id"
        )
    )
    return without_withdrawn(patients.filter(gave))


def _widest_rank() -> Subquery:
    """The rank in :data:`ORDER` (1 narrowest) of the widest withdrawal of the outer patient."""
    ranks = Case(
        *(When(scope=s, then=Value(i)) for i, s in enumerate(ORDER, 1)),
        output_field=IntegerField(),
    )
    rows = Withdrawal.objects.filter(patient_id=OuterRef("pk")).annotate(rank=ranks)
    return Subquery(rows.order_by("-rank").values("rank")[:1], output_field=IntegerField())


def count_by_scope(
    patients: models.QuerySet[Patient] | Iterable[int] | None = None,
) -> dict[str, int]:
    """Withdrawn patients (of ``patients``, default all) by their widest scope, each counted
    once: ``{"treatment": n, "visits": n, "data_use": n}``.

    One query: the withdrawn patients (a withdrawal row, or the older status with none: data
    use), each with the rank of their widest scope. For a queryset or everyone, the database
    counts them by rank; for a list of ids (a cohort chosen in Python), the withdrawn patients,
    who are few, are read and kept if asked about, as an SQL list of thousands of ids took seconds
    to build and plan (issue 16, ADR 0055).
    """
    withdrawn = Patient.objects.filter(
        Q(pk__in=Withdrawal.objects.values("patient_id"))
        | Q(consent_status=ConsentStatus.WITHDRAWN)
    ).annotate(rank=Coalesce(_widest_rank(), Value(len(ORDER))))
    counts = {str(s): 0 for s in ORDER}
    if patients is None or isinstance(patients, models.QuerySet):
        if patients is not None:
            withdrawn = withdrawn.filter(pk__in=patients.values("pk"))
        grouped = withdrawn.order_by().values("rank").annotate(n=Count("pk"))
        for row in grouped.values_list("rank", "n"):
            counts[ORDER[row[0] - 1]] += row[1]
        return counts
    ids = {int(i) for i in patients}
    for pid, rank in withdrawn.values_list("pk", "rank"):
        if pid in ids:
            counts[ORDER[rank - 1]] += 1
    return counts


def check(patient: Patient, action: str, field: str = "patient") -> None:
    """Raise a field error naming the withdrawal when ``action`` is not allowed (for a service
    to call before it writes)."""
    why = refusal(patient, action)
    if why is not None:
        from django.core.exceptions import ValidationError

        raise ValidationError({field: [why]})
