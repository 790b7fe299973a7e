"""Natural-recovery benchmarks, change thresholds (MCID/MDC) and adverse-event reference rates.

Every figure is copied from ``/work/shared/guides/clinical-evidence.md`` (cited below as "the
sheet", with its section) and carries its source. Percentages are percent (0-100). Figures the sheet
marks [UNCONFIRMED] are present with ``value=None`` so that a screen can say "not established"
rather than silently omit them. Show the source with every value; never present one number as
"the" rate (the sheet, §9 T1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "AE_RATES",
    "AE_RISK_RATIOS",
    "AIS_A_CONVERSION",
    "AIS_C_D_OUTCOMES",
    "CHANGE_THRESHOLDS",
    "CHRONIC_LATE_CHANGE",
    "KIRSHBLUM_2021",
    "MOTOR_BENCHMARKS",
    "NATURAL_RECOVERY",
    "AdverseEventRate",
    "AisAConversion",
    "Benchmark",
    "ChangeThreshold",
    "GradeDistribution",
    "RiskRatio",
    "rule_of_three_upper_bound",
    "thresholds_for",
]

KIRSHBLUM_2021: Final = (
    "Kirshblum S, Snider B, Eren F, Guest J. J Neurotrauma 2021;38(9):1267-1284 (PMC8080912)"
)
_TB2: Final = f"{KIRSHBLUM_2021}, Table 2"
_TB6: Final = f"{KIRSHBLUM_2021}, Table 6"
_MARINO_2011: Final = "Marino RJ et al. 2011, Arch Phys Med Rehabil 92:369-375"
_APMR_2022: Final = "Arch Phys Med Rehabil 2022;103(4):649-656 (SCIMS), cited as APMR 2022"
_APMR_2004: Final = "Arch Phys Med Rehabil 2004, doi 10.1016/j.apmr.2004.03.015 (APMR 2004)"
_CORALLO: Final = "Corallo V et al. 2017, Eur J Phys Rehabil Med 53(4):508-15"


# --- Natural recovery ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AisAConversion:
    """Baseline AIS A -> status at about 1 year (the sheet §1.2, Kirshblum 2021 Table 2)."""

    study: str
    baseline_window: str
    n: int | None
    converted_to_incomplete: float
    to_b: float
    to_c_or_d: float
    population: str = "all levels"
    source: str = _TB2


#: the sheet §1.2 table (N "NR" for Fawcett 2007 is ``None``).
AIS_A_CONVERSION: Final = (
    AisAConversion("Marino et al. 1999 (SCIMS)", "<=7 d", 482, 15.4, 7.3, 8.1),
    AisAConversion("Burns et al. 2003", "<=48 h", 53, 11.3, 5.7, 5.7),
    AisAConversion("Fawcett et al. 2007 (Sygen)", "<=30 d", None, 20.0, 10.0, 10.0),
    AisAConversion("Spiess et al. 2009 (EMSCI)", "<=15 d", 139, 30.2, 17.3, 13.0),
    AisAConversion("Spiess 2009 (EMSCI)", "<=15 d", 62, 24.2, 12.9, 11.2, "above T10"),
    AisAConversion(
        "van Middendorp et al. 2009 (EMSCI)", "<=15 d (FU 6 m-1 y)", 161, 26.1, 14.3, 11.8,
        "above T11",
    ),
    AisAConversion("Kirshblum et al. 2016 (SCIMS)", "<=30 d", 187, 27.8, 10.7, 17.1),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GradeDistribution:
    """Baseline AIS C or D -> % at each AIS grade at about 1 year (the sheet §1.4)."""

    study: str
    baseline_window: str
    initial: str
    n: int
    percent: tuple[tuple[str, float], ...]  # (AIS grade, %) in AIS_GRADES order
    source: str = _TB6

    def share(self, grades: str) -> float:
        """Summed % of the listed grades, e.g. ``share("DE")`` (rounded to 0.1)."""
        return round(sum(p for g, p in self.percent if g in grades), 1)


def _dist(study: str, window: str, initial: str, n: int, *pcts: float) -> GradeDistribution:
    return GradeDistribution(study, window, initial, n, tuple(zip("ABCDE", pcts, strict=True)))


#: the sheet §1.4 table (Kirshblum 2021, Table 6).
AIS_C_D_OUTCOMES: Final = (
    _dist("Marino 1999 (SCIMS)", "<=7 d", "C", 159, 3.1, 1.3, 25.1, 66.7, 3.8),
    _dist("Marino 1999 (SCIMS)", "<=7 d", "D", 72, 0, 0, 1.4, 94.4, 4.2),
    _dist("Spiess 2009 (EMSCI)", "<=15 d", "C", 46, 4.3, 0, 10.9, 84.8, 0),
    _dist("Spiess 2009 (EMSCI)", "<=15 d", "D", 49, 0, 1.7, 0, 89.8, 8.5),
    _dist("van Middendorp 2009 (EMSCI, above T11)", "<=15 d", "C", 43, 2.3, 0, 23.3, 74.4, 0),
    _dist("van Middendorp 2009 (EMSCI, above T11)", "<=15 d", "D", 32, 0, 0, 0, 84.4, 15.6),
    _dist("Kirshblum 2016 (SCIMS)", "<=30 d", "C", 109, 1.8, 6.4, 19.3, 72.5, 0),
    _dist("Kirshblum 2016 (SCIMS)", "<=30 d", "D", 123, 0, 0, 0, 100, 0),
    _dist("Marino 2011 (SCIMS, tetraplegia)", "<=7 d", "C", 109, 0.9, 2.8, 13.8, 80.7, 1.8),
    _dist("Marino 2011 (SCIMS, tetraplegia)", "<=7 d", "D", 135, 0, 0.7, 0.7, 84.4, 14.1),
    _dist("Lee 2016 (SCIMS, T2-T12)", "<=7 d", "C", 21, 0, 9.5, 4.8, 81.0, 4.8),
    _dist("Lee 2016 (SCIMS, T2-T12)", "<=7 d", "D", 16, 0, 0, 0, 87.5, 12.5),
)


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One natural-history reference value, with its population, measure and source."""

    population: str
    measure: str
    value: float | None
    unit: str
    source: str
    note: str = ""


#: Other 1-year natural-history values (the sheet §1.2, §1.3, §9 T1).
NATURAL_RECOVERY: Final = (
    Benchmark("AIS A, tetraplegia", "AIS B or better by 1 year", 30.0, "%", _MARINO_2011,
              "8% to C, 7.1% to D"),
    Benchmark("AIS A, cervical", "motor incomplete at ~1 year", 13.4, "%", _APMR_2022),
    Benchmark("AIS A, thoracic T2-T12", "converted at ~6 months (weighted mean)", 21.1, "%",
              "Aimetti AA et al. 2019, Spinal Cord 57:753-762", "range 16.7-23.4%"),
    Benchmark("AIS B, tetraplegia", "remained motor complete at 1 year", 34.0, "%", _MARINO_2011),
    Benchmark("AIS B, tetraplegia", "AIS C at 1 year", 30.0, "%", _MARINO_2011),
    Benchmark("AIS B, tetraplegia", "AIS D at 1 year", 37.0, "%", _MARINO_2011),
    Benchmark("AIS B, cervical", "motor incomplete at ~1 year", 50.0, "%", _APMR_2022),
    Benchmark("AIS C, tetraplegia", "improved to D or E", 82.5, "%", _MARINO_2011),
    Benchmark("AIS B, all levels", "pooled conversion table", None, "%", KIRSHBLUM_2021,
              "[UNCONFIRMED] in the sheet §1.3: not retrieved"),
)  # fmt: skip

#: Late (chronic) natural change between years 1 and 5 (the sheet §1.6 and §9 T2).
CHRONIC_LATE_CHANGE: Final = (
    Benchmark("complete at 1 year", "complete -> incomplete, years 1-5", 5.6, "%", _APMR_2004),
    Benchmark("motor complete at 1 year", "motor complete -> motor incomplete, years 1-5 (upper "
              "bound)", 2.1, "%", _APMR_2004, "reported as <=2.1%"),
    Benchmark("all", "gained a motor level or NLI, years 1-5 (about)", 20.0, "%", _APMR_2004),
)  # fmt: skip

#: Motor-score benchmarks without experimental treatment (the sheet §1.5, §1.6 and §9 T3).
MOTOR_BENCHMARKS: Final = (
    Benchmark("complete cervical C4-C7", "UEMS gain at 1 year (mean, lower end)", 10.0, "points",
              "Steeves JD et al. 2011, Spinal Cord 49:257-265", "reported as +10-11"),
    Benchmark("cervical AIS A", "UEMS change ~16 d to ~377 d (mean; SD 6.5)", 7.8, "points",
              _APMR_2022),
    Benchmark("cervical AIS A", "LEMS change ~16 d to ~377 d (mean; SD 7.4)", 2.3, "points",
              _APMR_2022),
    Benchmark("cervical AIS B", "UEMS change ~16 d to ~377 d (mean; SD 6.1)", 8.8, "points",
              _APMR_2022),
    Benchmark("cervical AIS B", "LEMS change ~16 d to ~377 d (mean; SD 13.9)", 8.8, "points",
              _APMR_2022),
    Benchmark("AIS D", "share of available total motor gain, 4 to 48 weeks", 0.59, "ratio",
              "EMSCI, Nature Communications 2023, s41467-023-36390-7, Fig. 8"),
    Benchmark("chronic SCI, mostly AIS A/B", "ASIA motor gain after 6 months intensive exercise "
              "(SE 1.0; controls 0.1)", 4.8, "points", "Harness ET et al. 2008, Spinal Cord "
              "46:733-737", "non-randomised"),
)  # fmt: skip


# --- Change thresholds -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeThreshold:
    """A change threshold for one measure; ``value`` None when the sheet has none confirmed.

    ``upper`` is set when the source gives a range (e.g. anchor-based MCIDs by lesion group).
    """

    measure: str
    value: float | None
    unit: str
    method: str
    source: str
    upper: float | None = None
    note: str = ""


#: MCID / MDC / SRD values (the sheet §3 and §9 T5).
CHANGE_THRESHOLDS: Final = (
    ChangeThreshold("scim_iii_total", 4, "points", "distribution-based, small change",
                    "Scivoletto G et al. 2013, Disabil Rehabil 35(21):1808-13"),
    ChangeThreshold("scim_iii_total", 10, "points", "distribution-based, substantial change",
                    "Scivoletto G et al. 2013, Disabil Rehabil 35(21):1808-13",
                    note="also the MCID anchor used in practice (CUE-T, J Spinal Cord Med 2023)"),
    ChangeThreshold("scim_iii_total", 12, "points", "anchor-based, by lesion group", _CORALLO,
                    upper=45.3, note="12 complete tetraplegia to 45.3 incomplete thoracic"),
    ChangeThreshold("scim_iii_self_care", 3.3, "points", "MCID range", _CORALLO, upper=8.5),
    ChangeThreshold("scim_iii_respiration_sphincter", 10, "points", "MCID range", _CORALLO,
                    upper=18),
    ChangeThreshold("scim_iii_mobility_room_toilet", 1, "points", "MCID range", _CORALLO,
                    upper=3),
    ChangeThreshold("scim_iii_mobility_indoors_outdoors", 2.5, "points", "MCID range", _CORALLO,
                    upper=7.26),
    ChangeThreshold("wisci_ii", 1, "levels", "change considered a real difference",
                    "Arch Phys Med Rehabil 2015;96(3):565-6"),
    ChangeThreshold("wisci_ii_acute", 2, "levels", "real change, acute/subacute (SRD 1.147 "
                    "tetraplegia, 1.682 paraplegia)", "Spinal Cord 2014;52:65-69"),
    ChangeThreshold("pain_nrs", 1.8, "points (decrease)", "clinically meaningful decrease",
                    "Hanley MA, Jensen MP, Ehde DM et al. (recalled as Clin J Pain 2006)",
                    note="or a decrease of about 36%; supports about 33% as a general standard"),
    ChangeThreshold("motor_level", 2, "levels", "functionally meaningful gain",
                    "Neurorehabil Neural Repair 2012;26(9):1064-71 (ICORD/EMSCI)"),
    ChangeThreshold("uems_lems_tms_lt_pp", None, "points", "not confirmed",
                    "Scivoletto G et al. 2013, Eur J Phys Rehabil Med 49(3):373-84",
                    note="[UNCONFIRMED] in the sheet §3; leave configurable"),
    ChangeThreshold("mas", None, "grade", "no MCID found", "the sheet §3", note="[UNCONFIRMED]"),
    ChangeThreshold("psfs", None, "level", "MCID not established",
                    "https://pdfcoffee.com/penn-spasm-frequency-scale-psfs-pdf-free.html"),
    ChangeThreshold("nbd", None, "points", "MCID not established in SCI",
                    "SCIRE, https://scireproject.com/outcome/neurogenic-bowel-dysfunction-score-nbd/"),
)  # fmt: skip


def thresholds_for(measure: str) -> tuple[ChangeThreshold, ...]:
    """Every recorded threshold for ``measure`` (e.g. ``"scim_iii_total"``), in table order."""
    return tuple(t for t in CHANGE_THRESHOLDS if t.measure == measure)


# --- Adverse-event reference rates -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdverseEventRate:
    """Incidence of an AE in MSC-for-SCI studies (the sheet §6.3 and §9 T8)."""

    event: str
    percent: float
    source: str
    at_least: bool = False  # True when the source gives only a lower bound (">20%")


_LI: Final = "Li et al., 7 head-to-head studies, 275 patients (Shang 2022 Table 2, PMC9442938)"
_SHANG: Final = "Shang Z et al. 2022, BMC Med 20:284 (62 studies, 2,439 patients)"

AE_RATES: Final = (
    AdverseEventRate("fever", 22.2, _LI),
    AdverseEventRate("headache / dizziness", 13.1, _LI),
    AdverseEventRate("neuropathic pain", 10.6, _LI),
    AdverseEventRate("muscle pain", 5.09, _LI),
    AdverseEventRate("rash / itch", 3.32, _LI),
    AdverseEventRate("neuropathic pain", 20.0, _SHANG, at_least=True),
    AdverseEventRate("abnormal sensation", 20.0, _SHANG, at_least=True),
    AdverseEventRate("muscle spasm", 20.0, _SHANG, at_least=True),
    AdverseEventRate("vomiting", 20.0, _SHANG, at_least=True),
    AdverseEventRate("urinary tract infection", 20.0, _SHANG, at_least=True),
)


@dataclass(frozen=True, slots=True)
class RiskRatio:
    """AE risk ratio of stem-cell treatment versus control, with its 95% CI."""

    estimate: float
    ci_low: float
    ci_high: float
    comparison: str
    source: str


AE_RISK_RATIOS: Final = (
    RiskRatio(14.49, 5.34, 34.08, "vs rehabilitation, 10 RCTs, 377 patients",
              "Fan X et al. 2017, Neural Regen Res 12(5):815-825"),
    RiskRatio(20.34, 8.09, 51.18, "vs control, 11 studies, 499 patients", "Xu et al."),
)  # fmt: skip


def rule_of_three_upper_bound(n: int) -> float:
    """Approximate upper 95% bound of a rate when 0 events are seen in ``n`` patients: 3 / n.

    [derived] in the sheet §8: 0 SAEs in 10 patients is compatible with a true rate up to ~30%.
    """
    if n <= 0:
        raise ValueError("n must be a positive count of patients")
    return min(1.0, 3.0 / n)
