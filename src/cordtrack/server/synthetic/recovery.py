"""Synthetic ISNCSCI exams whose recovery follows the natural-history figures (no treatment effect).

1. Each patient's baseline exam is drawn at their planned grade and level
   (:func:`cordtrack.server.demo_exams.make_exam`) and classified with the batch engine.
2. From the *classified* baseline (AIS, NLI, days after injury) the patient's chance of at least
   one and at least two AIS grades better at 12 months is the figure observed-versus-expected will
   compare them with (:func:`cordtrack.outcomes.expectation`, read from the evidence data); the
   12-month grade is drawn with those chances. So the registry's O/E is 1 up to chance: the honest
   finding for a treatment without effect. Conversions happen by month 1, 3 or 6 (most recovery is
   in the first 3-6 months: Kirshblum 2021; the sheet §1.1).
3. Patients for whom no 12-month figure exists (baseline exam after day 30) are drawn with the
   generator's own assumption: a quarter of the chance of a day-30 patient of the same grade and
   level (late recovery is rarer: the sheet §1.6). The reports count and name them as without
   reference; their figures never enter an expectation.
4. Cervical AIS A and B patients' UEMS moves towards a change drawn from the APMR 2022 figure
   (mean and SD, via the same choice of figure) by strengthening the key muscles just below the
   level (recovery "in the zone of injury": Fisher 2005, natural-history.md C), keeping the drawn
   grade (an exam whose grade would change is kept unadjusted).

Every exam is classified by the batch engine; nothing here decides a grade.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from cordtrack.isncsci.batch import classify_batch, encode
from cordtrack.isncsci.types import (
    DAP_KEY,
    KEY_MUSCLE_LEVELS,
    SENSORY_LEVELS,
    VAC_KEY,
    Modality,
    Side,
    flat_key,
)
from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    PatientCourse,
    ReferenceOutcome,
    expectation,
)
from cordtrack.outcomes.expected_change import _figure_for

from ..demo_exams import SEVERITY

__all__ = [
    "Course",
    "classify",
    "draw_course",
    "exam_values",
    "grade_at",
    "make_exam",
    "uems_targets",
]

_GRADES: Final = "ABCDE"
_UPPER: Final = ("C5", "C6", "C7", "C8", "T1")
#: When a converting patient reaches each grade: month 1, 3 or 6 (generator's choice).
_CONVERSION_MONTHS: Final = ((1, 15), (3, 45), (6, 40))
_LATE_FACTOR: Final = 0.25
_ONE_YEAR: Final = AisImprovement(grades=1)
_TWO_GRADES: Final = AisImprovement(grades=2)


def classify(rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The 25 result keys of each exam, by the batch engine (every row must be valid)."""
    if not rows:
        return []
    arrays, errors = encode(rows)
    if errors:
        raise ValueError(f"synthetic exam rejected by the engine: {errors[0]}")
    return classify_batch(arrays).to_flat_rows()


def _single(value: str) -> str | None:
    names = [v.rstrip("*") for v in value.split(",") if v]
    return names[0] if len(names) == 1 else None


@dataclass(frozen=True, slots=True)
class Course:
    """A patient's drawn course: baseline grade and NLI as classified, 12-month grade, the month
    each grade step is reached, and the UEMS change aimed at (None: not adjusted)."""

    baseline_grade: str
    final_grade: str
    steps: tuple[int, ...]  # month at which each grade above baseline is reached
    uems_change: int | None
    expected: float | None  # the chance of >= 1 grade from the evidence data (None: no figure)


@lru_cache(maxsize=4096)
def _chances(grade: str, nli: str, day: int) -> tuple[float, float, float | None]:
    """(>=1 grade, >=2 grades, the evidence figure's >=1 chance or None) at 12 months."""
    baseline = Assessment(ais=grade, nli=nli)
    course = PatientCourse("synthetic", baseline, day)
    one, two = expectation(course, _ONE_YEAR), expectation(course, _TWO_GRADES)
    if one.probability is not None:
        return one.probability, min(one.probability, two.probability or 0.0), one.probability
    # no 12-month figure: a quarter of a day-30 patient's chance (generator assumption)
    acute = PatientCourse("synthetic", baseline, 30)
    one, two = expectation(acute, _ONE_YEAR), expectation(acute, _TWO_GRADES)
    p1 = (one.probability or 0.05) * _LATE_FACTOR
    return p1, min(p1, (two.probability or 0.0) * _LATE_FACTOR), None


def draw_course(rng: random.Random, flat: Mapping[str, str], day: int) -> Course | None:
    """The 12-month course of a patient whose baseline exam classified as ``flat``."""
    grade, nli = _single(flat["asiaImpairmentScale"]), _single(flat["neurologicalLevelOfInjury"])
    if grade is None or nli is None:
        return None
    p1, p2, figure = _chances(grade, nli, day)
    draw = rng.random()
    up = 2 if draw < p2 else 1 if draw < p1 else 0
    up = min(up, len(_GRADES) - 1 - _GRADES.index(grade))
    months, weights = zip(*_CONVERSION_MONTHS, strict=True)
    steps = tuple(sorted(rng.choices(months, weights, k=up)))
    change = None
    mean_sd = _uems_change(grade, nli, day)
    if mean_sd is not None:
        change = max(0, round(rng.gauss(*mean_sd)))
    final = _GRADES[_GRADES.index(grade) + up]
    return Course(grade, final, steps, change, figure)


@lru_cache(maxsize=4096)
def _uems_change(grade: str, nli: str, day: int) -> tuple[float, float] | None:
    """Mean and SD of the UEMS change figure the reports compare this patient with, if any."""
    course = PatientCourse("synthetic", Assessment(ais=grade, nli=nli, uems=0, lems=0), day)
    found = _figure_for(course, ReferenceOutcome.UEMS_GAIN, 365, 45)
    if isinstance(found, str) or found.sd is None:
        return None
    return found.value, found.sd


def grade_at(course: Course, month: float) -> str:
    reached = sum(1 for m in course.steps if m <= month)
    return _GRADES[_GRADES.index(course.baseline_grade) + reached]


#: (dermatome index, is S4-5, light-touch key, pin-prick key) and (muscle index, motor key).
_DERMATOMES: Final = tuple(
    (i, d == "S4_5", flat_key(d, side, Modality.TOUCH), flat_key(d, side, Modality.PRICK))
    for side in Side
    for i, d in enumerate(SENSORY_LEVELS)
)
_MUSCLES: Final = tuple(
    (SENSORY_LEVELS.index(m), flat_key(m, side, Modality.MOTOR))
    for side in Side
    for m in KEY_MUSCLE_LEVELS
)
_LEVEL_INDEX: Final = {level: i for i, level in enumerate(SENSORY_LEVELS)}


def make_exam(level: str, severity: float, rng: random.Random) -> dict[str, str]:
    """The exam of :func:`cordtrack.server.demo_exams.make_exam` (same rules, same value
    distribution), built from precomputed keys: the generator's hot loop (about 5x faster)."""
    at = _LEVEL_INDEX[level]
    grade = int(severity)
    within = severity - grade
    chance = 0.3 + 0.2 * grade + 0.2 * within
    floor = 1 if grade >= 3 else 0
    draw = rng.random
    exam: dict[str, str] = {}
    for i, sacral, touch, prick in _DERMATOMES:
        if i <= at or grade >= 4:
            exam[touch] = exam[prick] = "2"
        elif sacral:
            exam[touch] = exam[prick] = "1" if grade >= 1 else "0"
        elif grade == 0:
            exam[touch] = "1" if i == at + 1 and draw() < 0.5 else "0"
            exam[prick] = "1" if i == at + 1 and draw() < 0.5 else "0"
        else:
            exam[touch] = str(min(2, (draw() < chance) + floor))
            exam[prick] = str(min(2, (draw() < chance) + floor))
    for i, key in _MUSCLES:
        if i <= at or grade >= 4:
            exam[key] = "5"
        elif grade <= 1:
            exam[key] = "0"
        elif grade == 2:
            exam[key] = str(min(2, int(draw() * 2 + within * 1.5)))
        else:
            exam[key] = str(min(4, 3 + (draw() < within + 0.3)))
    exam[DAP_KEY] = "Yes" if grade >= 1 else "No"
    exam[VAC_KEY] = "Yes" if grade >= 2 else "No"
    return exam


def exam_values(level: str, grade: str, month: float, rng: random.Random) -> dict[str, str]:
    """An exam at ``grade``, ``month`` months after baseline (severity rises within the grade)."""
    within = min(0.9, 0.1 + 0.5 * min(1.0, month / 12.0))
    return make_exam(level, SEVERITY[grade] + (within if grade != "E" else 0.0), rng)


def _below(level: str) -> list[str]:
    index = SENSORY_LEVELS.index(level)
    return [m for m in _UPPER if m in KEY_MUSCLE_LEVELS and SENSORY_LEVELS.index(m) > index]


def uems_targets(values: dict[str, str], baseline: dict[str, str], level: str,
                 change: int) -> dict[str, str] | None:  # fmt: skip
    """``values`` with the UEMS muscles below ``level`` set so that UEMS = baseline UEMS +
    ``change`` as closely as they allow (nearest the level first); None if nothing to adjust."""
    muscles = [flat_key(m, side, Modality.MOTOR) for m in _below(level) for side in Side]
    if not muscles:
        return None

    def total(v: Mapping[str, str]) -> int:
        return sum(int(v[flat_key(m, s, Modality.MOTOR)]) for m in _UPPER for s in Side)

    out = dict(values)
    gap = total(baseline) + change - total(out)
    order = muscles if gap > 0 else list(reversed(muscles))
    for key in order:
        if gap == 0:
            break
        current = int(out[key])
        new = min(5, current + gap) if gap > 0 else max(0, current + gap)
        gap -= new - current
        out[key] = str(new)
    return out
