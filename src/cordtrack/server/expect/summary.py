"""What the public page shows for one set of inputs, from the evidence data and the registry.

* **Without experimental treatment**: the headline is the natural-history figure the registry's
  observed-versus-expected would use for such a person (:func:`cordtrack.outcomes.expectation`,
  at least one AIS grade better at about a year); beside it every figure that applies
  (:func:`cordtrack.outcomes.natural_history`), the motor gains and the walking figures of the
  evidence data. Each carries its population, timing, N and source link.
* **Cell-therapy studies**: the meta-analyses and programmes of the evidence data (mostly
  uncontrolled), and the adverse-event incidences.
* **The program's registry** (only when ``EXPECT_PUBLISH_REGISTRY`` is on): observed versus
  expected for treated patients with the same baseline AIS and level group, aggregate only, shown
  only when the group is large enough (``EXPECT_MIN_PATIENTS`` patients with a reference, at least
  5 responders and 5 non-responders) so that no one can be recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext, ngettext

from cordtrack.clinical.evidence import (
    EVIDENCE_VERSION,
    AdverseEventRate,
    CellTherapyFigure,
    WalkingFigure,
    adverse_event_rates,
    cell_therapy_evidence,
    walking_and_function,
)
from cordtrack.isncsci.types import RESULT_LEVELS
from cordtrack.outcomes import (
    AisImprovement,
    Assessment,
    ComparatorProfile,
    Expectation,
    LevelGroup,
    NaturalHistory,
    ObservedExpected,
    PatientCourse,
    ReferenceOutcome,
    expectation,
    natural_history,
    observed_vs_expected,
    phase_of,
)
from cordtrack.outcomes.change import grade_set
from cordtrack.outcomes.groups import LEVEL_RANK, level_group
from cordtrack.outcomes.references import GROUP_LEVELS

__all__ = ["CELL_THERAPY_SHOWN", "RegistryFigures", "Summary", "summarise"]

#: The cell-therapy figures the page shows, in order (ids of cell_therapy_evidence.csv).
CELL_THERAPY_SHOWN: Final = ("shang2022-ais", "chen2021-auto-motor", "xu-motor", "celltop-ais",
                             "stemirac-claim", "jiang2013")  # fmt: skip
_MIN_EACH: Final = 5
_CACHE_SECONDS: Final = 600
_ONE_YEAR: Final = AisImprovement(grades=1)


#: Why the registry's figures are not shown, worded when the page is drawn (the figures are
#: cached for every reader, whatever their language): a function of the count in the sentence.
_NOT_SHOWN: Final[dict[str, Callable[[int], str]]] = {
    "no-group": lambda n: gettext("the level does not fall in one level group"),
    "few-patients": lambda n: ngettext(
        "fewer than %(count)s treated patient with a reference",
        "fewer than %(count)s treated patients with a reference",
        n,
    ),
    "few-in-group": lambda n: ngettext(
        "fewer than %(count)s patient in a group", "fewer than %(count)s patients in a group", n
    ),
}


@dataclass(frozen=True, slots=True)
class RegistryFigures:
    """The registry's own observed versus expected for people with the same inputs; when not
    shown, ``reason`` (a key of the sentences above) and the ``count`` in it."""

    shown: bool
    reason: str = ""
    result: ObservedExpected | None = None
    count: int = 0

    @property
    def reason_text(self) -> str:
        """Why not shown, in the reader's language."""
        said = _NOT_SHOWN.get(self.reason)
        return said(self.count) % {"count": self.count} if said else self.reason


@dataclass(frozen=True, slots=True)
class Summary:
    level: str | None
    group: LevelGroup | None
    grade: str
    days: int
    phase: str
    headline: Expectation
    conversion: NaturalHistory
    two_grades: NaturalHistory
    uems: NaturalHistory
    lems: NaturalHistory
    walking: tuple[WalkingFigure, ...]
    cell_therapy: tuple[CellTherapyFigure, ...]
    adverse_events: tuple[AdverseEventRate, ...]
    registry: RegistryFigures | None
    evidence_version: str = EVIDENCE_VERSION
    chronic: bool = field(default=False)

    @property
    def headline_percent(self) -> float | None:
        p = self.headline.probability
        return None if p is None else round(p * 100, 1)


def _nli(level: str | None, group: LevelGroup | None) -> str | None:
    """The level, or every level of the region (so only figures for the whole region apply)."""
    if level is not None or group is None:
        return level
    low, high = GROUP_LEVELS[group]
    return ",".join(RESULT_LEVELS[LEVEL_RANK[low] : LEVEL_RANK[high] + 1])


def _registry(grade: str, group: LevelGroup | None) -> RegistryFigures | None:
    if not settings.EXPECT_PUBLISH_REGISTRY:
        return None
    if group is None:
        return RegistryFigures(False, "no-group")
    key = f"cordtrack-expect-registry:v2:{grade}:{group.value}"
    cached: RegistryFigures | None = cache.get(key)
    if cached is not None:
        return cached
    from ..reports import figures

    cohort = figures.cohort_courses(figures.CohortFilters(tuple(figures.known_sites())))
    chosen = [c for c in cohort.courses if grade_set(c.baseline.ais) == frozenset(grade)
              and level_group(c.baseline.nli) is group]  # fmt: skip
    result = observed_vs_expected(chosen, _ONE_YEAR)
    minimum = settings.EXPECT_MIN_PATIENTS
    if result is None or result.patients < minimum:
        found = RegistryFigures(False, "few-patients", count=minimum)
    elif min(result.observed, result.patients - result.observed) < _MIN_EACH:
        found = RegistryFigures(False, "few-in-group", count=_MIN_EACH)
    else:
        found = RegistryFigures(True, result=result)
    cache.set(key, found, _CACHE_SECONDS)
    return found


def summarise(level: str | None, group: LevelGroup | None, grade: str, days: int) -> Summary:
    """Everything the page shows for these inputs (nothing is stored)."""
    nli = _nli(level, group)
    course = PatientCourse("public", Assessment(ais=grade, nli=nli), days)
    profile = ComparatorProfile(grade, days, nli=nli, level_group=group)
    walking = tuple(w for w in walking_and_function()
                    if w.measure == "walking" and grade in w.baseline_grades)  # fmt: skip
    every = cell_therapy_evidence()
    return Summary(
        level, group, grade, days, phase_of(days).value, expectation(course, _ONE_YEAR),
        natural_history(profile), natural_history(profile, grades=2),
        natural_history(profile, ReferenceOutcome.UEMS_GAIN),
        natural_history(profile, ReferenceOutcome.LEMS_GAIN), walking,
        tuple(every[k] for k in CELL_THERAPY_SHOWN if k in every),
        tuple(r for r in adverse_event_rates() if not r.at_least), _registry(grade, group),
        chronic=days > 365,
    )  # fmt: skip
