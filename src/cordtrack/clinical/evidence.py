"""Clinical evidence as data: natural history, change thresholds, adverse-event and cell-therapy
figures, each with its source, read from the versioned files of ``cordtrack/clinical/data``.

The figures were copied from the team's guides (``clinical-evidence.md``, "the sheet", and
``natural-history.md``); :mod:`.evidence_files` reads the files and checks them against their
manifest, this module turns the rows into typed, validated records. Nothing here holds a figure of
its own. Show the source with every value and never present one number as "the" rate (the sheet,
§9 T1).

Natural history is one list of :class:`Figure` (:func:`natural_history`): the single-percentage
conversion rows (``ais_conversion.csv``), motor change (``motor_change.csv``), and, derived here,
the share at "at least one / two grades better" of each full grade distribution
(``ais_distribution.csv``, Kirshblum 2021 Table 6), with the arithmetic in ``derived``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Final

from cordtrack.isncsci.types import AIS_GRADES, RESULT_LEVELS

from .evidence_files import Row, manifest, read_table
from .evidence_files import integer as _int
from .evidence_files import interval as _ci
from .evidence_files import number as _num
from .evidence_files import percent as _percent

__all__ = [
    "EVIDENCE_VERSION",
    "AdverseEventRate",
    "CellTherapyFigure",
    "ChangeThreshold",
    "Figure",
    "Gap",
    "Outcome",
    "RiskRatio",
    "Source",
    "WalkingFigure",
    "Window",
    "adverse_event_rates",
    "cell_therapy_evidence",
    "change_thresholds",
    "distributions",
    "gaps",
    "natural_history",
    "risk_ratios",
    "rule_of_three_upper_bound",
    "source",
    "sources",
    "thresholds_for",
    "walking_and_function",
]

#: The version of the data files (``data/manifest.json``); shown with every report.
EVIDENCE_VERSION: Final[str] = manifest()["version"]
_LEVEL_RANK: Final = {level: i for i, level in enumerate(RESULT_LEVELS)}


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    citation: str
    url: str
    read_from: str

    def __str__(self) -> str:
        return self.citation


@cache
def sources() -> dict[str, Source]:
    return {r["key"]: Source(r["key"], r["citation"], r["url"], r["read_from"])
            for r in read_table("sources.csv")}  # fmt: skip


def source(key: str) -> Source:
    """The source named ``key`` in ``sources.csv`` (KeyError names an unknown key)."""
    try:
        return sources()[key]
    except KeyError:
        raise KeyError(f"evidence data cites an unknown source {key!r}") from None


class Outcome(StrEnum):
    """What a natural-history figure measures."""

    AIS_IMPROVEMENT = "AIS improvement"
    AIS_OTHER = "AIS, other outcome"
    UEMS = "UEMS change"
    LEMS = "LEMS change"
    TOTAL_MOTOR = "total motor change"
    OTHER_MOTOR = "other motor scale"


@dataclass(frozen=True, slots=True)
class Window:
    """When the baseline exam was done, in days after injury (``None`` bounds: not stated)."""

    text: str
    min_days: int | None
    max_days: int | None

    @property
    def timed(self) -> bool:
        return self.max_days is not None or self.min_days is not None

    def covers(self, day: int) -> bool:
        """True if an exam ``day`` days after injury falls inside a stated window."""
        if not self.timed:
            return False
        low = 0 if self.min_days is None else self.min_days
        return low <= day and (self.max_days is None or day <= self.max_days)


@dataclass(frozen=True, slots=True)
class Figure:
    """One natural-history figure: what, for whom, from when to when, how many, and its source.

    ``value`` is a percentage for AIS outcomes and points (or a ratio, ``statistic`` says) for motor
    scores; ``value_high`` the upper end when the source gives a range. ``levels`` is the NLI range
    (rostral, caudal) of the population. ``kind`` is ``natural`` for recovery without treatment in
    the studied patients; other kinds (placebo arm, pooled including treated arms...) are shown but
    never used as an expectation.
    """

    id: str
    table: str
    outcome: Outcome
    description: str
    baseline_grades: frozenset[str]
    population: str
    levels: tuple[str, str]
    baseline: Window
    follow_up: str
    follow_up_days: int | None
    n: int | None
    statistic: str
    value: float
    source: Source
    value_high: float | None = None
    sd: float | None = None
    ci: tuple[float, float] | None = None
    grades_at_least: int | None = None
    upper_bound: bool = False
    kind: str = "natural"
    derived: str = ""
    via: str = ""
    section: str = ""
    note: str = ""

    @property
    def unit(self) -> str:
        return "%" if self.outcome in (Outcome.AIS_IMPROVEMENT, Outcome.AIS_OTHER) else "points"

    @property
    def natural(self) -> bool:
        return self.kind == "natural"

    @property
    def citation(self) -> str:
        return f"{self.source.citation}; {self.via}" if self.via else self.source.citation

    def covers_level(self, level: str) -> bool:
        """True if an NLI of ``level`` lies inside this figure's population."""
        rank = _LEVEL_RANK[level]
        return _LEVEL_RANK[self.levels[0]] <= rank <= _LEVEL_RANK[self.levels[1]]

    def shown(self) -> str:
        """The value as printed: ``"27.8%"``, ``"+9 to +11 points"``, ``"<=2.1%"``."""
        mark = "≤" if self.upper_bound else ""
        if self.unit == "%":
            high = f"–{self.value_high:g}" if self.value_high is not None else ""
            return f"{mark}{self.value:g}{high}%"
        if self.statistic == "share of available gain":
            return f"{self.value:g} × available points"
        sign = "+" if self.value > 0 else ""
        high = f" to +{self.value_high:g}" if self.value_high is not None else ""
        return f"{mark}{sign}{self.value:g}{high} points"


def _grades(text: str, row_id: str) -> frozenset[str]:
    grades = frozenset(text.split())
    if not grades <= set(AIS_GRADES):
        raise ValueError(f"{row_id}: baseline_ais {text!r} is not a list of AIS grades")
    return grades


def _levels(row: Row) -> tuple[str, str]:
    low = row["level_from"] or RESULT_LEVELS[0]
    high = row["level_to"] or RESULT_LEVELS[-1]
    if low not in _LEVEL_RANK or high not in _LEVEL_RANK or _LEVEL_RANK[low] > _LEVEL_RANK[high]:
        raise ValueError(f"{row['id']}: bad level range {low}-{high}")
    return low, high


def _window(row: Row) -> Window:
    return Window(row["baseline_window"], _int(row, "baseline_min_days"),
                  _int(row, "baseline_max_days"))  # fmt: skip


def _conversion(row: Row) -> Figure:
    k = _int(row, "grades_at_least")
    return Figure(
        row["id"], "ais_conversion.csv",
        Outcome.AIS_IMPROVEMENT if k else Outcome.AIS_OTHER, row["outcome"],
        _grades(row["baseline_ais"], row["id"]), row["population"], _levels(row), _window(row),
        row["follow_up"], _int(row, "follow_up_days"), _int(row, "n"), "percent",
        _percent(row, "percent"), source(row["source"]), ci=_ci(row), grades_at_least=k,
        upper_bound=row["bound"] == "upper", kind=row["kind"], derived=row["derived"],
        via=row["via"], section=row["section"], note=row["note"],
    )  # fmt: skip


_MOTOR: Final = {"UEMS": Outcome.UEMS, "LEMS": Outcome.LEMS, "TMS": Outcome.TOTAL_MOTOR}


def _motor(row: Row) -> Figure:
    value = _num(row, "value")
    if value is None:
        raise ValueError(f"{row['id']}: no value")
    return Figure(
        row["id"], "motor_change.csv", _MOTOR.get(row["measure"], Outcome.OTHER_MOTOR),
        f"{row['measure']} {row['statistic']}", _grades(row["baseline_ais"], row["id"]),
        row["population"], _levels(row), _window(row), row["follow_up"],
        _int(row, "follow_up_days"), _int(row, "n"), row["statistic"], value,
        source(row["source"]), value_high=_num(row, "value_high"), sd=_num(row, "sd"),
        ci=_ci(row), kind=row["kind"], derived=row["derived"], via=row["via"],
        section=row["section"], note=row["note"],
    )  # fmt: skip


def _from_distribution(row: Row) -> Iterable[Figure]:
    """At least one and at least two grades better, summed from a full distribution row."""
    grade = row["baseline_ais"]
    start = AIS_GRADES.index(grade)
    shares = {g: _percent(row, g) for g in AIS_GRADES}
    total = sum(shares.values())
    if abs(total - 100.0) > 1.5:  # the guide's rows add up to 100 within rounding (one to 101)
        raise ValueError(f"{row['id']}: grade shares add up to {total:g}")
    for k in (1, 2):
        better = AIS_GRADES[start + k :]
        if not better:
            continue
        value = round(sum(shares[g] for g in better), 1)
        parts = " + ".join(f"{shares[g]:g} ({g})" for g in better)
        yield Figure(
            f"{row['id']}-ge{k}", "ais_distribution.csv", Outcome.AIS_IMPROVEMENT,
            f"AIS {' or '.join(better)} (at least {k} grade{'s' * (k > 1)} better)",
            frozenset(grade), row["population"], _levels(row), _window(row), row["follow_up"],
            _int(row, "follow_up_days"), _int(row, "n"), "percent", value, source(row["source"]),
            grades_at_least=k, derived=f"sum of the grade shares {parts}" if len(better) > 1
            else "", via=row["via"], section=row["section"], note=row["note"],
        )  # fmt: skip


@cache
def natural_history() -> tuple[Figure, ...]:
    """Every natural-history, placebo-arm and pooled figure (ids unique), in file order."""
    figures = [_conversion(r) for r in read_table("ais_conversion.csv")]
    for row in read_table("ais_distribution.csv"):
        figures.extend(_from_distribution(row))
    figures.extend(_motor(r) for r in read_table("motor_change.csv"))
    ids = [f.id for f in figures]
    if len(ids) != len(set(ids)):
        raise ValueError("evidence data: figure ids are not unique")
    return tuple(figures)


@cache
def distributions() -> tuple[Row, ...]:
    """The full grade-distribution rows of ``ais_distribution.csv`` (for display)."""
    return tuple(read_table("ais_distribution.csv"))


@dataclass(frozen=True, slots=True)
class WalkingFigure:
    id: str
    measure: str
    baseline_grades: frozenset[str]
    population: str
    baseline_window: str
    follow_up: str
    n: int | None
    outcome: str
    percent: float
    percent_high: float | None
    kind: str
    source: Source
    note: str = ""

    def shown(self) -> str:
        high = f"–{self.percent_high:g}" if self.percent_high is not None else ""
        return f"{self.percent:g}{high}%"


@cache
def walking_and_function() -> tuple[WalkingFigure, ...]:
    """Walking, SCIM and other functional figures (``function_walking.csv``)."""
    return tuple(
        WalkingFigure(
            r["id"],
            r["measure"],
            _grades(r["baseline_ais"], r["id"]),
            r["population"],
            r["baseline_window"],
            r["follow_up"],
            _int(r, "n"),
            r["outcome"],
            _percent(r, "percent"),
            _num(r, "percent_high"),
            r["kind"],
            source(r["source"]),
            r["note"],
        )
        for r in read_table("function_walking.csv")
    )


# The other tables live in their own module (size); imported last, since they cite ``source``.
from .evidence_tables import (  # noqa: E402
    AdverseEventRate,
    CellTherapyFigure,
    ChangeThreshold,
    Gap,
    RiskRatio,
    adverse_event_rates,
    cell_therapy_evidence,
    change_thresholds,
    gaps,
    risk_ratios,
    rule_of_three_upper_bound,
    thresholds_for,
)
