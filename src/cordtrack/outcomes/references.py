"""The cited natural-history tables, read as :class:`Reference` rows for the comparator.

Nothing here holds a figure of its own: every value is read from ``cordtrack.clinical.evidence``
(itself copied from clinical-evidence.md, "the sheet", with sources). Each row is yielded with the
key of the population it describes (see ``comparator._POPULATIONS``), and the comparator keeps only
rows whose population and baseline-exam window cover the patient.

* AIS A, acute: Kirshblum 2021 Table 2 (``AIS_A_CONVERSION``; >=1 grade = converted to incomplete,
  >=2 grades = A -> C/D); Marino 2011 tetraplegia 30% B or better (first exam <=7 d, the sheet
  §1.2); APMR 2022 cervical 13.4% motor incomplete (= >=2 grades, exams about 16 d); Aimetti 2019
  thoracic T2-T12 21.1% at ~6 months.
* AIS B, acute: Marino 2011 tetraplegia, 30% C + 37% D = 67% [derived sum, as the sheet §8 states];
  APMR 2022 cervical 50% motor incomplete.
* AIS C and D, acute: Kirshblum 2021 Table 6 (``AIS_C_D_OUTCOMES``): share at the better grades.
  (``NATURAL_RECOVERY``'s "AIS C, tetraplegia 82.5%" is Table 6's Marino 2011 row, so not repeated.)
* Chronic (baseline >12 months): APMR 2004, years 1-5 (``CHRONIC_LATE_CHANGE``).
* Motor: APMR 2022 cervical A/B UEMS and LEMS change; Steeves 2011 complete cervical C4-C7 UEMS;
  EMSCI 2023 AIS D total motor gain = 0.59 x available [derived per patient]; Harness 2008 chronic
  exercise (rehabilitation, not spontaneous).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from cordtrack.clinical import evidence as ev
from cordtrack.isncsci.types import AIS_GRADES

__all__ = [
    "Reference",
    "ReferenceOutcome",
    "acute_ais",
    "acute_motor",
    "chronic_ais",
    "chronic_other",
    "window_days",
]

_MARINO_2011_WINDOW: Final = "<=7 d"  # the sheet §1.2: "Tetraplegia, SCIMS, first exam <=7 d"
_APPROX: Final = "baseline-exam window given only approximately in the sheet; used for exams <=30 d"
_CHRONIC_WINDOW: Final = "1 year after injury, follow-up at 5 years"
_TOTAL_MOTOR_MAX: Final = 100  # UEMS 0-50 + LEMS 0-50 (the sheet §9 T6)


class ReferenceOutcome(StrEnum):
    AIS_IMPROVEMENT = "AIS improvement"
    UEMS_GAIN = "UEMS gain"
    LEMS_GAIN = "LEMS gain"
    TOTAL_MOTOR_GAIN = "total motor gain"
    LEVEL_GAIN = "motor level or NLI gain"


@dataclass(frozen=True, slots=True)
class Reference:
    """One natural-history figure: what it measures, for whom, since when, and its source.

    ``value`` is a percentage (``unit == "%"``) or mean points (``unit == "points"``).
    """

    outcome: ReferenceOutcome
    description: str
    value: float
    unit: str
    population: str
    baseline_window: str
    source: str
    n: int | None = None
    note: str = ""


Row = tuple[str, Reference]  # (population key, reference)


def window_days(window: str) -> int:
    """``"<=7 d"`` -> 7, ``"<=48 h"`` -> 2: a table's baseline-exam window in whole days."""
    match = re.match(r"<=\s*(\d+)\s*([dh])", window)
    if match is None:
        raise ValueError(f"unrecognised baseline window {window!r}")
    amount = int(match.group(1))
    return amount if match.group(2) == "d" else amount // 24


def _find(population: str, prefix: str, table: tuple[ev.Benchmark, ...]) -> ev.Benchmark:
    return next(b for b in table if b.population == population and b.measure.startswith(prefix))


def _ref(
    out: ReferenceOutcome, b: ev.Benchmark, window: str, note: str = "", value: float | None = None
) -> Reference:
    shown = b.value if value is None else value
    if shown is None:  # [UNCONFIRMED] rows are never offered as references
        raise ValueError(f"no confirmed value for {b.population}: {b.measure}")
    return Reference(out, b.measure, shown, b.unit, b.population, window, b.source, note=note)


def acute_ais(grade: str, grades: int, day: int) -> Iterator[Row]:
    """Rows for ">= ``grades`` AIS grades at ~1 year" after a baseline exam on ``day`` <= 30."""
    out = ReferenceOutcome.AIS_IMPROVEMENT
    if grade == "A":
        for row in ev.AIS_A_CONVERSION:
            if day <= window_days(row.baseline_window) and grades <= 2:
                value = row.converted_to_incomplete if grades == 1 else row.to_c_or_d
                what = "converted to incomplete (B or better)" if grades == 1 else "A -> C or D"
                yield row.population, Reference(
                    out, f"{what} at ~1 year", value, "%", row.population, row.baseline_window,
                    f"{row.study}; {row.source}", row.n,
                )  # fmt: skip
        if grades == 1 and day <= window_days(_MARINO_2011_WINDOW):
            b = _find("AIS A, tetraplegia", "AIS B or better", ev.NATURAL_RECOVERY)
            yield "cervical", _ref(out, b, _MARINO_2011_WINDOW, b.note)
        if grades == 2:  # "motor incomplete" from A means C or better: two grades
            b = _find("AIS A, cervical", "motor incomplete", ev.NATURAL_RECOVERY)
            yield "cervical", _ref(out, b, "about 16 d", _APPROX)
        if grades == 1:
            b = _find("AIS A, thoracic T2-T12", "converted", ev.NATURAL_RECOVERY)
            note = f"{b.note}; follow-up ~6 months, not 12; {_APPROX}"
            yield "T2-T12", _ref(out, b, "not stated", note)
    elif grade == "B":
        c = _find("AIS B, tetraplegia", "AIS C", ev.NATURAL_RECOVERY)
        d = _find("AIS B, tetraplegia", "AIS D", ev.NATURAL_RECOVERY)
        if day <= window_days(_MARINO_2011_WINDOW) and c.value is not None and d.value is not None:
            if grades == 1:
                note = "[derived] sum of the cited 30% to C and 37% to D"
                ref = _ref(out, c, _MARINO_2011_WINDOW, note, value=c.value + d.value)
                yield "cervical", replace(ref, description="AIS C or D at 1 year")
            elif grades == 2:
                yield "cervical", _ref(out, d, _MARINO_2011_WINDOW)
        if grades == 1:
            b = _find("AIS B, cervical", "motor incomplete", ev.NATURAL_RECOVERY)
            yield "cervical", _ref(out, b, "about 16 d", _APPROX)
    else:
        better = AIS_GRADES[AIS_GRADES.index(grade) + grades :]
        for dist in ev.AIS_C_D_OUTCOMES:
            if dist.initial == grade and better and day <= window_days(dist.baseline_window):
                pop = _table6_population(dist.study)
                yield pop, Reference(
                    out, f"AIS {' or '.join(better)} at ~1 year", dist.share("".join(better)), "%",
                    pop, dist.baseline_window, f"{dist.study}; {dist.source}", dist.n,
                )  # fmt: skip


def _table6_population(study: str) -> str:
    """Population of a Table 6 row, read from its study label (the sheet §1.4)."""
    if "tetraplegia" in study:
        return "cervical"
    if "T2-T12" in study:
        return "T2-T12"
    return "above T11" if "above T11" in study else "all levels"


def chronic_ais(grade: str, grades: int) -> Iterator[Row]:
    """APMR 2004 (years 1-5): A -> incomplete 5.6%; motor complete -> motor incomplete <=2.1%."""
    out = ReferenceOutcome.AIS_IMPROVEMENT
    complete, motor_complete = ev.CHRONIC_LATE_CHANGE[0], ev.CHRONIC_LATE_CHANGE[1]
    if grade == "A" and grades == 1:
        yield "all levels", _ref(out, complete, _CHRONIC_WINDOW)
    if (grade, grades) in {("A", 2), ("B", 1)}:
        yield "all levels", _ref(out, motor_complete, _CHRONIC_WINDOW, motor_complete.note)


def acute_motor(
    outcome: ReferenceOutcome, grade: str, baseline_total_motor: int | None
) -> Iterator[Row]:
    """Mean motor gains after an acute baseline exam (APMR 2022, Steeves 2011, EMSCI 2023)."""
    prefix = {ReferenceOutcome.UEMS_GAIN: "UEMS", ReferenceOutcome.LEMS_GAIN: "LEMS"}.get(outcome)
    for b in ev.MOTOR_BENCHMARKS:
        if prefix is None or b.value is None or not b.measure.startswith(prefix):
            continue
        if b.population == f"cervical AIS {grade}":
            yield "cervical", _ref(outcome, b, "about 16 d", _APPROX)
        elif b.population.startswith("complete cervical") and grade == "A":
            yield "C4-C7", _ref(outcome, b, "not stated", f"{b.note}; {_APPROX}")
    if (
        outcome is ReferenceOutcome.TOTAL_MOTOR_GAIN
        and grade == "D"
        and baseline_total_motor is not None
    ):
        b = _find("AIS D", "share of available", ev.MOTOR_BENCHMARKS)
        if b.value is not None:
            room = _TOTAL_MOTOR_MAX - baseline_total_motor
            note = f"[derived] {b.value:g} x {room} available points; {_APPROX}"
            yield "all levels", Reference(
                outcome, f"expected total motor gain = {b.value:g} x (100 - baseline)",
                round(b.value * room, 1), "points", b.population, "from 4 weeks", b.source,
                note=note,
            )  # fmt: skip


def chronic_other(outcome: ReferenceOutcome) -> Iterator[Row]:
    """APMR 2004 level gain (years 1-5); Harness 2008 exercise gain (rehabilitation alone)."""
    if outcome is ReferenceOutcome.LEVEL_GAIN:
        yield "all levels", _ref(outcome, ev.CHRONIC_LATE_CHANGE[2], _CHRONIC_WINDOW)
    if outcome is ReferenceOutcome.TOTAL_MOTOR_GAIN:
        b = _find("chronic SCI, mostly AIS A/B", "ASIA motor gain", ev.MOTOR_BENCHMARKS)
        note = "rehabilitation alone, not spontaneous recovery: what intensive exercise adds"
        yield "all levels", _ref(outcome, b, "chronic", note)
