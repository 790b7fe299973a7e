"""Observed versus expected: responders counted against what natural recovery predicts.

For each patient of a cohort the **expected probability** of the responder event (e.g. at least
one AIS grade better at 12 months) is the natural-history figure that matches their baseline AIS,
NLI (or level group) and baseline-exam timing (:func:`expectation`); the probabilities add up to
the expected count **E**, the responders to the observed count **O**.

Choosing the figure (one per patient, rules of :mod:`.references`): a figure of recovery without
treatment whose outcome and grade threshold are the definition's, whose baseline-exam window
contains the patient's baseline exam, whose follow-up lies within the definition's window
(``|follow-up - by_day| <= window_days``) and whose population contains the patient's NLI. Among
those: the narrowest population, then the narrowest baseline window, then a reported N (larger
first). A patient without a determined baseline AIS, a known baseline day, or any such figure has
**no reference**: counted and named, never silently dropped.

Who is in O and E: patients due for assessment with an observed answer (responders and
non-responders), each with their reference. Patients lost to follow-up or undetermined are left
out of the headline ratio and bound it: worst case (counted in E, never in O) and best case
(counted in both). Patients not yet due are not counted.

Intervals (95%):

* **Exact Poisson for O** (Garwood 1936; Breslow & Day 1987 §2.3): ``[G⁻¹(α/2; O), G⁻¹(1-α/2;
  O+1)] / E``, treating E as known. O = E gives a ratio of 1 inside its interval.
* **Widened for the references' own sample size.** Each figure is an estimate from N patients; its
  variance is that of a Jeffreys Beta(x + 1/2, N - x + 1/2) proportion (x = p·N; Brown, Cai &
  DasGupta 2001, Stat Sci 16:101-133; it stays positive when p is 0 or 100%). Patients sharing a
  figure share its error, so ``Var(E) = Σ_r m_r² Var(p_r)`` (m_r patients use figure r). On the
  log scale the two errors are combined in quadrature (delta method: ``Var(log E) ≈ Var(E)/E²``)::

      lower = R · exp(-√(ln(R / lower_O)² + (z·s)²))
      upper = R · exp(+√(ln(upper_O / R)² + (z·s)²))

  with ``R = O/E``, ``s = √Var(E) / E`` and ``lower_O``, ``upper_O`` the exact limits of O/E; for
  O = 0 the upper limit is ``upper_O · exp(z·s)``. A figure whose N the source does not report adds
  uncertainty that cannot be counted: the widened interval is then marked incomplete and names how
  many patients it concerns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Final

from cordtrack.clinical.evidence import Figure

from .change import Tri, grade_set
from .cohort import AisImprovement, PatientCourse, ResponderDefinition, ResponseStatus
from .groups import LevelGroup, level_group
from .intervals import DEFAULT_CONFIDENCE
from .poisson import poisson_limits
from .references import ReferenceOutcome, candidates, in_population, specificity

__all__ = [
    "Expectation",
    "FigureUse",
    "ObservedExpected",
    "expectation",
    "no_figure",
    "observed_expected_of",
    "observed_vs_expected",
    "reference_variance",
]

_JEFFREYS: Final = 0.5


@dataclass(frozen=True, slots=True)
class Expectation:
    """One patient's expected probability (0-1) of the event and the figure it came from, or
    ``figure is None`` with the reason."""

    patient_id: str
    figure: Figure | None
    reason: str = ""

    @property
    def probability(self) -> float | None:
        return None if self.figure is None else self.figure.value / 100.0


def _profile_reason(course: PatientCourse) -> str | None:
    grades = grade_set(course.baseline.ais)
    if grades is None or len(grades) != 1:
        shown = "not recorded" if grades is None else ",".join(sorted(grades))
        return f"baseline AIS undetermined ({shown})"
    if course.days_since_injury_at_baseline is None:
        return "time from injury to the baseline exam unknown"
    if course.days_since_injury_at_baseline < 0:
        return "baseline exam dated before the injury"
    return None


def expectation(course: PatientCourse, definition: AisImprovement) -> Expectation:
    """The figure giving ``course``'s expected probability of ``definition`` (rules above)."""
    reason = _profile_reason(course)
    if reason is not None:
        return Expectation(course.patient_id, None, reason)
    grades = grade_set(course.baseline.ais)
    assert grades is not None
    assert course.days_since_injury_at_baseline is not None
    (grade,) = grades
    day = course.days_since_injury_at_baseline
    group = level_group(course.baseline.nli)
    usable = [
        f
        for f in candidates(
            ReferenceOutcome.AIS_IMPROVEMENT, grade, day, definition.grades, timed_only=True
        )
        if f.follow_up_days is not None
        and abs(f.follow_up_days - definition.by_day) <= definition.window_days
        and in_population(f, course.baseline.nli, group) is Tri.YES
    ]
    if not usable:
        return Expectation(course.patient_id, None, no_figure(definition, grade, group, day))
    return Expectation(course.patient_id, min(usable, key=specificity))


def no_figure(definition: AisImprovement, grade: str, group: LevelGroup | None, day: int) -> str:
    """Why a patient with a determined profile has no expectation: no figure matches."""
    where = group.value if group else "level unknown"
    return (
        f"no natural-history figure for ≥{definition.grades} AIS grade(s) at about "
        f"{definition.by_day} days after a baseline exam on day {day} (AIS {grade}, {where})"
    )


@dataclass(frozen=True, slots=True)
class FigureUse:
    """One figure and the patients whose expectation it gives."""

    figure: Figure
    patients: int
    expected: float


def reference_variance(figure: Figure) -> float | None:
    """Variance of the figure's proportion (Jeffreys Beta posterior), None without a reported N."""
    if not figure.n:
        return None
    x = figure.value / 100.0 * figure.n
    a, b = x + _JEFFREYS, figure.n - x + _JEFFREYS
    return a * b / ((a + b) ** 2 * (a + b + 1.0))


@dataclass(frozen=True, slots=True)
class ObservedExpected:
    """O, E, O/E and its intervals for one group of patients under one definition."""

    definition: str
    observed: int
    expected: float
    patients: int
    interval: tuple[float, float] | None
    widened: tuple[float, float] | None
    widened_complete: bool
    figures: tuple[FigureUse, ...]
    without_reference: tuple[tuple[str, str], ...]
    lost_or_undetermined: int = 0
    worst_case: float | None = None
    best_case: float | None = None
    not_yet_due: int = 0
    #: patients whose figure reports no N (their reference uncertainty is not in ``widened``)
    figures_without_n: int = 0
    confidence: float = DEFAULT_CONFIDENCE
    notes: tuple[str, ...] = field(default=())

    @property
    def ratio(self) -> float | None:
        return self.observed / self.expected if self.expected > 0 else None


def _widen(
    observed: int, expected: float, limits: tuple[float, float], rel_sd: float, z: float
) -> tuple[float, float]:
    low, high = limits[0] / expected, limits[1] / expected
    extra = (z * rel_sd) ** 2
    if observed == 0:
        return 0.0, high * math.exp(z * rel_sd)
    ratio = observed / expected
    down = math.sqrt(math.log(ratio / low) ** 2 + extra)
    up = math.sqrt(math.log(high / ratio) ** 2 + extra)
    return ratio * math.exp(-down), ratio * math.exp(up)


def observed_vs_expected(
    courses: Iterable[PatientCourse],
    definition: ResponderDefinition,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ObservedExpected | None:
    """O/E of ``courses`` under ``definition``; None for a definition with no AIS reference
    (score gains are compared as mean changes, :mod:`.expected_change`)."""
    if not isinstance(definition, AisImprovement):
        return None
    observed = lost = not_due = 0
    expected = lost_expected = 0.0
    without: list[tuple[str, str]] = []
    uses: dict[str, FigureUse] = {}
    for course in courses:
        status = definition.status(course)
        if status is ResponseStatus.NOT_YET_DUE:
            not_due += 1
            continue
        found = expectation(course, definition)
        if found.figure is None or found.probability is None:
            without.append((course.patient_id, found.reason))
            continue
        if status in (ResponseStatus.LOST, ResponseStatus.UNDETERMINED):
            lost += 1
            lost_expected += found.probability
            continue
        use = uses.get(found.figure.id, FigureUse(found.figure, 0, 0.0))
        uses[found.figure.id] = FigureUse(
            use.figure, use.patients + 1, use.expected + found.probability
        )
        expected += found.probability
        observed += status is ResponseStatus.RESPONDER
    return observed_expected_of(
        definition, observed, expected, lost, lost_expected, tuple(uses.values()),
        tuple(without), not_due, confidence,
    )  # fmt: skip


def observed_expected_of(
    definition: AisImprovement,
    observed: int,
    expected: float,
    lost: int,
    lost_expected: float,
    figures: tuple[FigureUse, ...],
    without: tuple[tuple[str, str], ...],
    not_due: int,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ObservedExpected:
    """O/E with its intervals from the counts and sums :func:`observed_vs_expected` gathers
    (shared with the column engine, :mod:`.batch`)."""
    patients = sum(u.patients for u in figures)
    interval = widened = None
    complete = True
    unknown_n = 0
    if expected > 0:
        z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
        limits = poisson_limits(observed, confidence)
        interval = (limits[0] / expected, limits[1] / expected)
        variance = 0.0
        for use in figures:
            v = reference_variance(use.figure)
            if v is None:
                complete = False
                unknown_n += use.patients
            else:
                variance += use.patients**2 * v
        widened = _widen(observed, expected, limits, variance**0.5 / expected, z)
    total_expected = expected + lost_expected
    worst = observed / total_expected if total_expected > 0 else None
    best = (observed + lost) / total_expected if total_expected > 0 else None
    return ObservedExpected(
        definition.definition, observed, round(expected, 6), patients, interval, widened,
        complete, figures, without, lost, worst, best, not_due, unknown_n, confidence,
    )  # fmt: skip
