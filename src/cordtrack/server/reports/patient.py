"""The per-patient outcome figures: change from baseline, the comparator, the walking prognosis.

Meaningful-change thresholds default to ``cordtrack.outcomes.default_thresholds()`` (each cited in
``cordtrack.clinical.evidence``). A deployment may replace a measure's thresholds with the setting
``CORDTRACK_CHANGE_THRESHOLDS``, e.g. ``{"SCIM III": [{"value": 10, "unit": "points", "method":
"MCID", "source": "Scivoletto 2013"}]}``; a replacement without a ``source`` is refused, so every
flag shown stays cited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cordtrack.clinical.evidence import ChangeThreshold
from cordtrack.outcomes import (
    ComparatorProfile,
    Measure,
    NaturalHistory,
    PatientChange,
    ReferenceOutcome,
    WalkingPrognosis,
    change_from_baseline,
    default_thresholds,
    natural_history,
    walking_prognosis,
)

from ..patients.models import Patient
from .adapters import ExamPoint, PatientTimeline, timeline, walking_inputs

#: The measures of the patient pages, in reading order (motor levels are in the detail table).
MEASURES: Final = (
    Measure.AIS,
    Measure.NLI,
    Measure.UEMS,
    Measure.LEMS,
    Measure.LT,
    Measure.PP,
    Measure.SCIM_III,
    Measure.WISCI_II,
    Measure.PAIN_NRS,
)
#: Plain-language names of the measures for patients.
PLAIN_NAMES: Final = {
    Measure.AIS: _("ASIA Impairment Scale grade (A = complete … E = normal)"),
    Measure.NLI: _("Neurological level of injury"),
    Measure.UEMS: _("Arm strength (upper-extremity motor score, 0–50)"),
    Measure.LEMS: _("Leg strength (lower-extremity motor score, 0–50)"),
    Measure.LT: _("Light-touch sensation score (0–112)"),
    Measure.PP: _("Pin-prick sensation score (0–112)"),
    Measure.SCIM_III: _("Independence in daily life (SCIM III, 0–100)"),
    Measure.WISCI_II: _("Walking (WISCI II, 0–20)"),
    Measure.PAIN_NRS: _("Pain (0–10; lower is better)"),
    Measure.MOTOR_LEVEL_RIGHT: _("Motor level, right side"),
    Measure.MOTOR_LEVEL_LEFT: _("Motor level, left side"),
}


def configured_thresholds() -> dict[Measure, tuple[ChangeThreshold, ...]]:
    """The defaults, with any measure replaced by ``settings.CORDTRACK_CHANGE_THRESHOLDS``."""
    chosen = default_thresholds()
    override: Mapping[str, Sequence[Mapping[str, Any]]] = getattr(
        settings, "CORDTRACK_CHANGE_THRESHOLDS", {}
    )
    for name, rows in override.items():
        measure = Measure(name)
        made = []
        for row in rows:
            if not row.get("source"):
                raise ImproperlyConfigured(f"threshold for {name} needs a 'source'")
            made.append(
                ChangeThreshold(
                    measure=name,
                    value=row.get("value"),
                    unit=str(row.get("unit", "points")),
                    method=str(row.get("method", "configured")),
                    source=str(row["source"]),
                    upper=row.get("upper"),
                    note=str(row.get("note", "")),
                )
            )
        chosen[measure] = tuple(made)
    return chosen


@dataclass(frozen=True, slots=True)
class Comparison:
    """A natural-history figure set for one outcome, with a plain title."""

    title: str
    history: NaturalHistory


@dataclass(frozen=True, slots=True)
class PatientReport:
    patient: Patient
    line: PatientTimeline
    latest: ExamPoint | None
    change: PatientChange | None
    comparisons: tuple[Comparison, ...]
    walking: WalkingPrognosis | None
    thresholds: dict[Measure, tuple[ChangeThreshold, ...]]
    series: dict[Measure, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def measures(self) -> tuple[Measure, ...]:
        return MEASURES


def _comparisons(line: PatientTimeline) -> tuple[Comparison, ...]:
    if line.baseline is None:
        return ()
    base = line.baseline.assessment
    profile = ComparatorProfile(
        baseline_ais=base.ais,
        days_since_injury_at_baseline=line.days_since_injury_at_baseline,
        nli=base.nli,
        age_years=line.age_at_baseline,
        baseline_total_motor=None
        if base.uems is None or base.lems is None
        else base.uems + base.lems,
    )
    wanted = (
        (_("Improvement by at least one AIS grade"), ReferenceOutcome.AIS_IMPROVEMENT, 1),
        (_("Improvement by at least two AIS grades"), ReferenceOutcome.AIS_IMPROVEMENT, 2),
        (_("Gain in arm strength (UEMS)"), ReferenceOutcome.UEMS_GAIN, 1),
        (_("Gain in leg strength (LEMS)"), ReferenceOutcome.LEMS_GAIN, 1),
        (_("Gain in total motor score"), ReferenceOutcome.TOTAL_MOTOR_GAIN, 1),
    )
    return tuple(
        Comparison(str(title), natural_history(profile, outcome, grades))
        for title, outcome, grades in wanted
    )


def _walking(line: PatientTimeline) -> WalkingPrognosis | None:
    days, age = line.days_since_injury_at_baseline, line.age_at_baseline
    if line.baseline is None or days is None or age is None:
        return None
    return walking_prognosis(days, age, **walking_inputs(line.baseline.exam.values))


def _series(line: PatientTimeline) -> dict[Measure, tuple[tuple[int, int], ...]]:
    """(day after baseline, value) of each integer measure, for the charts."""
    if line.baseline is None:
        return {}
    base = line.baseline.date
    points = (line.baseline, *line.follow_ups)
    out: dict[Measure, tuple[tuple[int, int], ...]] = {}
    for measure in (Measure.UEMS, Measure.LEMS, Measure.SCIM_III, Measure.WISCI_II,
                    Measure.PAIN_NRS, Measure.LT, Measure.PP):  # fmt: skip
        values = [
            ((p.date - base).days, v)
            for p in points
            if isinstance(v := p.assessment.value(measure), int)
        ]
        if values:
            out[measure] = tuple(values)
    return out


def patient_report(patient: Patient, today: dt.date | None = None) -> PatientReport:
    """Everything the outcomes page and the progress PDF show for one patient."""
    line = timeline(patient)
    thresholds = configured_thresholds()
    latest = line.follow_ups[-1] if line.follow_ups else None
    change = None
    if line.baseline is not None and latest is not None:
        change = change_from_baseline(line.baseline.assessment, latest.assessment, thresholds)
    return PatientReport(
        patient,
        line,
        latest,
        change,
        _comparisons(line),
        _walking(line),
        thresholds,
        _series(line),
        today or dt.date.today(),
    )
