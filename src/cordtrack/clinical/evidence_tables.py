"""Change thresholds, adverse-event rates, cell-therapy figures and known gaps, read from the
versioned files of ``cordtrack/clinical/data`` (see :mod:`.evidence_files`), each with its source.
Re-exported by :mod:`.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .evidence import Source, source
from .evidence_files import integer as _int
from .evidence_files import interval as _ci
from .evidence_files import number as _num
from .evidence_files import percent as _percent
from .evidence_files import read_table

__all__ = [
    "AdverseEventRate",
    "CellTherapyFigure",
    "ChangeThreshold",
    "Gap",
    "RiskRatio",
    "adverse_event_rates",
    "cell_therapy_evidence",
    "change_thresholds",
    "gaps",
    "risk_ratios",
    "rule_of_three_upper_bound",
    "thresholds_for",
]


@dataclass(frozen=True, slots=True)
class ChangeThreshold:
    """A change threshold for one measure; ``value`` None when no confirmed figure exists.

    ``upper`` is set when the source gives a range (e.g. anchor-based MCIDs by lesion group).
    """

    measure: str
    value: float | None
    unit: str
    method: str
    source: str
    upper: float | None = None
    note: str = ""
    url: str = ""


@cache
def change_thresholds() -> tuple[ChangeThreshold, ...]:
    """MCID / MDC / SRD values (the sheet §3 and §9 T5), in file order."""
    out = []
    for r in read_table("change_thresholds.csv"):
        cited = source(r["source"]) if r["source"] else None
        out.append(ChangeThreshold(
            r["measure"], _num(r, "value"), r["unit"], r["method"],
            cited.citation if cited else f"the sheet {r['section']}", _num(r, "upper"), r["note"],
            cited.url if cited else "",
        ))  # fmt: skip
    return tuple(out)


def thresholds_for(measure: str) -> tuple[ChangeThreshold, ...]:
    """Every recorded threshold for ``measure`` (e.g. ``"scim_iii_total"``), in table order."""
    return tuple(t for t in change_thresholds() if t.measure == measure)


@dataclass(frozen=True, slots=True)
class AdverseEventRate:
    """Incidence of an AE in MSC-for-SCI studies (the sheet §6.3 and §9 T8)."""

    event: str
    percent: float
    source: str
    at_least: bool = False  # True when the source gives only a lower bound (">20%")


@cache
def adverse_event_rates() -> tuple[AdverseEventRate, ...]:
    return tuple(AdverseEventRate(r["event"], _percent(r, "percent"), source(r["source"]).citation,
                                  r["at_least"] == "yes")
                 for r in read_table("adverse_event_rates.csv"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class RiskRatio:
    """AE risk ratio of stem-cell treatment versus control, with its 95% CI."""

    estimate: float
    ci_low: float
    ci_high: float
    comparison: str
    source: str


@cache
def risk_ratios() -> tuple[RiskRatio, ...]:
    return tuple(RiskRatio(float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]),
                           r["comparison"], source(r["source"]).citation)
                 for r in read_table("adverse_event_risk_ratios.csv"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class CellTherapyFigure:
    """What a cell-therapy study or meta-analysis reports (the sheet §6.4, §7.4, §8)."""

    id: str
    study: str
    design: str
    patients: int | None
    outcome: str
    statistic: str
    value: float
    unit: str
    source: Source
    value_high: float | None = None
    ci: tuple[float, float] | None = None
    note: str = ""


@cache
def cell_therapy_evidence() -> dict[str, CellTherapyFigure]:
    return {
        r["id"]: CellTherapyFigure(
            r["id"],
            r["study"],
            r["design"],
            _int(r, "patients"),
            r["outcome"],
            r["statistic"],
            float(r["value"]),
            r["unit"],
            source(r["source"]),
            _num(r, "value_high"),
            _ci(r),
            r["note"],
        )
        for r in read_table("cell_therapy_evidence.csv")
    }


@dataclass(frozen=True, slots=True)
class Gap:
    id: str
    topic: str
    what_is_missing: str
    section: str = ""


@cache
def gaps() -> tuple[Gap, ...]:
    """Figures looked for and not encoded, with the reason (``gaps.csv``)."""
    return tuple(Gap(r["id"], r["topic"], r["what_is_missing"], r["section"])
                 for r in read_table("gaps.csv"))  # fmt: skip


def rule_of_three_upper_bound(n: int) -> float:
    """Approximate upper 95% bound of a rate when 0 events are seen in ``n`` patients: 3 / n.

    [derived] in the sheet §8: 0 SAEs in 10 patients is compatible with a true rate up to ~30%.
    """
    if n <= 0:
        raise ValueError("n must be a positive count of patients")
    return min(1.0, 3.0 / n)
