"""Adverse-event rates with exact intervals, counts by CTCAE grade and relatedness, SAE list.

Rates are proportions with exact Clopper-Pearson 95% intervals (:mod:`.intervals`; issue 5: "so
that 0 events in 10 patients reads as 'compatible with up to 31%'"):

* per patient: patients with at least one such event / patients treated;
* per administration: administrations followed by at least one such event / administrations.
  Events recorded without an administration are counted in ``unattributed`` and make the
  per-administration figures a lower bound (the summary says so).

Categories: any AE; serious (ICH E2A criteria, with grade 5 implying death:
``clinical.safety.is_serious``); related (relatedness in ``clinical.safety.DEFAULT_SUSPECTED``:
possible, probable, definite, a convention protocols may change); CTCAE grade >= 3. Severity
(grade) and seriousness are kept apart (clinical-evidence.md §6.2, §9 T7).

Input is plain data (:class:`AdverseEventRecord`, or dicts through
:meth:`AdverseEventRecord.from_dict`) so that the Django layer can adapt its models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from cordtrack.clinical.safety import (
    DEFAULT_SUSPECTED,
    CtcaeGrade,
    Relatedness,
    SeriousnessCriterion,
    ctcae_grade,
    is_serious,
)

from .intervals import RateInterval, clopper_pearson_interval, describe_rate

__all__ = ["AdverseEventRecord", "EventRate", "SafetySummary", "safety_summary"]

_SEVERE_GRADE: Final = CtcaeGrade.SEVERE


@dataclass(frozen=True, slots=True)
class AdverseEventRecord:
    """One adverse event as the safety report needs it."""

    patient_id: str
    term: str
    grade: CtcaeGrade
    relatedness: Relatedness
    seriousness: frozenset[SeriousnessCriterion] = frozenset()
    administration_id: str | None = None
    event_id: str | None = None

    @property
    def serious(self) -> bool:
        return is_serious(self.seriousness, self.grade)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AdverseEventRecord:
        """From ``{"patient_id", "term", "grade", "relatedness", "seriousness"?, ...}``.

        Raises ``SafetyValidationError`` for a bad grade, ``ValueError`` for other bad values.
        """
        raw = data.get("seriousness") or ()
        criteria = [raw] if isinstance(raw, str) else raw
        if not isinstance(criteria, Iterable):
            raise ValueError(f"seriousness must be a list of criteria, got {raw!r}")
        admin, event = data.get("administration_id"), data.get("event_id")
        return cls(
            patient_id=str(data["patient_id"]),
            term=str(data["term"]),
            grade=ctcae_grade(data["grade"]),
            relatedness=Relatedness(str(data["relatedness"])),
            seriousness=frozenset(SeriousnessCriterion(str(c)) for c in criteria),
            administration_id=None if admin is None else str(admin),
            event_id=None if event is None else str(event),
        )


@dataclass(frozen=True, slots=True)
class EventRate:
    """``label`` events per ``per`` (patient or administration) with its exact interval."""

    label: str
    per: str
    interval: RateInterval
    lower_bound_only: bool = False

    def describe(self) -> str:
        """E.g. "Serious adverse events per patient: 0 of 10 (0%, 95% CI 0%–31%, ...): compatible
        with up to 31%"."""
        text = f"{self.label} per {self.per}: {describe_rate(self.interval)}"
        if self.lower_bound_only:
            text += " (lower bound: some events are not linked to an administration)"
        return text


@dataclass(frozen=True, slots=True)
class SafetySummary:
    patients: int
    administrations: int | None
    events: int
    per_patient: tuple[EventRate, ...]
    per_administration: tuple[EventRate, ...]
    #: event counts by (CTCAE grade, relatedness), every combination present (zeros included)
    by_grade_and_relatedness: dict[tuple[CtcaeGrade, Relatedness], int]
    #: patients by the worst grade they had (patients without an AE are not counted)
    patients_by_worst_grade: dict[CtcaeGrade, int]
    serious_events: tuple[AdverseEventRecord, ...]
    unattributed: int = 0
    suspected: frozenset[Relatedness] = field(default=DEFAULT_SUSPECTED)


Category = tuple[str, Callable[[AdverseEventRecord], bool]]


def _categories(suspected: frozenset[Relatedness]) -> tuple[Category, ...]:
    return (
        ("Adverse events (any)", lambda e: True),
        ("Serious adverse events", lambda e: e.serious),
        ("Related adverse events (possible, probable or definite)"
         if suspected == DEFAULT_SUSPECTED else "Related adverse events",
         lambda e: e.relatedness in suspected),
        ("Adverse events of CTCAE grade 3 or higher", lambda e: e.grade >= _SEVERE_GRADE),
    )  # fmt: skip


def safety_summary(
    events: Iterable[AdverseEventRecord],
    patient_ids: Collection[str],
    administration_ids: Collection[str] | None = None,
    suspected: frozenset[Relatedness] = DEFAULT_SUSPECTED,
) -> SafetySummary:
    """Safety figures for the treated ``patient_ids`` (and their ``administration_ids``).

    Raises
    ------
    ValueError
        If an event names a patient or administration not in the lists given.
    UndefinedRateError
        If ``patient_ids`` is empty (there is no rate of 0 patients).
    """
    records = list(events)
    patients = set(patient_ids)
    admins = None if administration_ids is None else set(administration_ids)
    for e in records:
        if e.patient_id not in patients:
            raise ValueError(f"event for patient {e.patient_id!r}, who is not in the cohort")
        if (
            admins is not None
            and e.administration_id is not None
            and e.administration_id not in admins
        ):
            raise ValueError(f"event for unknown administration {e.administration_id!r}")
    unattributed = sum(1 for e in records if e.administration_id is None)
    per_patient, per_admin = [], []
    for label, keep in _categories(suspected):
        chosen = [e for e in records if keep(e)]
        hit_patients = len({e.patient_id for e in chosen})
        per_patient.append(
            EventRate(label, "patient", clopper_pearson_interval(hit_patients, len(patients)))
        )
        if admins:
            hit = {e.administration_id for e in chosen if e.administration_id is not None}
            interval = clopper_pearson_interval(len(hit), len(admins))
            per_admin.append(EventRate(label, "administration", interval, unattributed > 0))
    counts = Counter((e.grade, e.relatedness) for e in records)
    grid = {(g, r): counts.get((g, r), 0) for g in CtcaeGrade for r in Relatedness}
    worst: dict[str, CtcaeGrade] = {}
    for e in records:
        worst[e.patient_id] = max(worst.get(e.patient_id, e.grade), e.grade)
    by_worst = Counter(worst.values())
    return SafetySummary(
        patients=len(patients),
        administrations=None if admins is None else len(admins),
        events=len(records),
        per_patient=tuple(per_patient),
        per_administration=tuple(per_admin),
        by_grade_and_relatedness=grid,
        patients_by_worst_grade={g: by_worst.get(g, 0) for g in CtcaeGrade},
        serious_events=tuple(e for e in records if e.serious),
        unattributed=unattributed,
        suspected=suspected,
    )
