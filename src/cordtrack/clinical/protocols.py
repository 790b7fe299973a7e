"""Example eligibility protocols, as data (see :mod:`cordtrack.clinical.eligibility`)."""

from __future__ import annotations

from typing import Final

from .eligibility import Criterion, CriterionKind, Protocol

__all__ = ["CHRONIC_CERVICAL_MSC_EXAMPLE", "EXAMPLE_PROTOCOLS"]

_JRCT: Final = "jRCT2013230003 (https://rctportal.niph.go.jp/en/detail?trial_id=jRCT2013230003)"
_NO_FIGURE: Final = (
    "usual trial exclusion; not a figure from clinical-evidence.md (site to confirm)"
)

#: Example modelled on the chronic-SCI intravenous MSC RCT jRCT2013230003 (clinical-evidence.md
#: §5 and §7.4: chronic cervical AIS C-D, more than 180 days since onset). Its age limits are not in
#: the sheet, so the 20-70 range of the Stemirac phase 2 trial (J-STAGE 2016, §7.4) is borrowed and
#: labelled as such. The general exclusions carry no clinical figure.
CHRONIC_CERVICAL_MSC_EXAMPLE: Final = Protocol(
    code="example_chronic_cervical_msc",
    name="Example: chronic cervical SCI, intravenous MSC (modelled on jRCT2013230003)",
    version="0.1",
    source="clinical-evidence.md §5, §7.4",
    criteria=(
        Criterion("cervical_nli", "Neurological level of injury C1-C8 (cervical)",
                  CriterionKind.INJURY_LEVEL_BETWEEN, {"from": "C1", "to": "C8"}, _JRCT),
        Criterion("ais_c_or_d", "AIS grade C or D", CriterionKind.AIS_IN,
                  {"grades": ["C", "D"]}, _JRCT),
        Criterion("chronic_over_180_days", "More than 180 days since injury",
                  CriterionKind.DAYS_SINCE_INJURY_BETWEEN, {"min": 181, "max": None}, _JRCT),
        Criterion("age_20_to_70", "Age 20 to 70 years", CriterionKind.AGE_BETWEEN,
                  {"min": 20, "max": 70},
                  "Stemirac phase 2 inclusion (J-STAGE 2016; clinical-evidence.md §7.4), borrowed"),
        Criterion("medically_stable", "Medically stable", CriterionKind.MEDICALLY_STABLE, {},
                  _NO_FIGURE),
        Criterion("no_active_infection", "No active infection", CriterionKind.ABSENT_CONDITION,
                  {"condition": "active_infection"}, _NO_FIGURE),
        Criterion("no_malignancy", "No malignancy", CriterionKind.ABSENT_CONDITION,
                  {"condition": "malignancy"}, _NO_FIGURE),
        Criterion("not_pregnant", "Not pregnant", CriterionKind.ABSENT_CONDITION,
                  {"condition": "pregnancy"}, _NO_FIGURE),
        Criterion("no_anticoagulation", "Not on an anticoagulant",
                  CriterionKind.NO_MEDICATION_CLASS, {"class": "anticoagulant"}, _NO_FIGURE),
        Criterion("no_immunosuppression", "Not on an immunosuppressant",
                  CriterionKind.NO_MEDICATION_CLASS, {"class": "immunosuppressant"}, _NO_FIGURE),
    ),
)  # fmt: skip

#: Every example protocol, by code.
EXAMPLE_PROTOCOLS: Final = {p.code: p for p in (CHRONIC_CERVICAL_MSC_EXAMPLE,)}
