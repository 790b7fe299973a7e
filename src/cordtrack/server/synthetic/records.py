"""Registry records of planned synthetic patients, built in memory for bulk inserts.

No service function is called per row: the rules the services apply are applied here in bulk
(the engine classifies every exam, :mod:`cordtrack.clinical` scores every instrument, screens
every patient and assesses every adverse event), and :mod:`.writer` inserts the records with
``bulk_create``. Adverse events follow the incidences of the evidence data (Li et al., via Shang
2022 Table 2: fever 22.2%, headache or dizziness 13.1%, neuropathic pain 10.6%, muscle pain 5.09%,
rash 3.32%; clinical-evidence.md §6.3); meningitis after intrathecal delivery (2%, serious) is the
generator's choice so that the safety report has serious events to list.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from cordtrack.clinical import eligibility as rules
from cordtrack.clinical import medications as meds
from cordtrack.clinical.evidence import adverse_event_rates
from cordtrack.clinical.instruments import score_instrument
from cordtrack.clinical.safety import assess

from ..audit.chain import jsonable
from ..demo import VITALS, _answers
from .plan import PatientPlan

__all__ = ["AE_TERMS", "SyntheticEvent", "adverse_events", "instrument", "screening"]

#: (evidence event, term recorded, CTCAE grade, relatedness, days to onset, days to resolve)
AE_TERMS: Final = {
    "fever": ("Fever", 1, "probable", (0, 2), (1, 3)),
    "headache / dizziness": ("Headache", 1, "probable", (0, 3), (1, 5)),
    "neuropathic pain": ("Neuropathic pain", 2, "possible", (3, 30), (14, 90)),
    "muscle pain": ("Muscle pain", 1, "possible", (1, 7), (2, 10)),
    "rash / itch": ("Rash", 1, "possible", (0, 5), (2, 7)),
}
MENINGITIS_SHARE: Final = 0.02
_INSTRUMENT_MAX: Final = 0.95


@dataclass(frozen=True, slots=True)
class SyntheticEvent:
    term: str
    onset: dt.date
    resolved: dt.date | None
    grade: int
    relatedness: str
    hospitalisation: bool
    serious: bool
    expected: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _li_rates() -> dict[str, float]:
    """The per-patient incidences of Li et al. (one figure per event) from the evidence data."""
    return {r.event: r.percent / 100.0 for r in adverse_event_rates()
            if not r.at_least and r.event in AE_TERMS}  # fmt: skip


_RATES: Final = _li_rates()


def adverse_events(plan: PatientPlan, today: dt.date) -> list[SyntheticEvent]:
    """The adverse events after a patient's administration (none onset after ``today``)."""
    assert plan.administered_on is not None
    rng, start = plan.rng, plan.administered_on
    out = []
    for event, chance in _RATES.items():
        if rng.random() >= chance:
            continue
        term, grade, related, onset_days, resolve_days = AE_TERMS[event]
        onset = start + dt.timedelta(days=rng.randint(*onset_days))
        if onset > today:
            continue
        resolved = onset + dt.timedelta(days=rng.randint(*resolve_days))
        serious = assess(grade, [], related, "expected").serious
        out.append(SyntheticEvent(term, onset, resolved if resolved <= today else None, grade,
                                  related, False, serious, True))  # fmt: skip
    if plan.route == "intrathecal" and rng.random() < MENINGITIS_SHARE:
        onset = start + dt.timedelta(days=rng.randint(1, 4))
        if onset <= today:
            resolved = onset + dt.timedelta(days=rng.randint(10, 20))
            serious = assess(3, ["hospitalisation"], "possible", "unexpected").serious
            out.append(SyntheticEvent("Meningitis", onset, resolved if resolved <= today else None,
                                      3, "possible", True, serious, False))  # fmt: skip
    return out


def instrument(
    code: str, grade: str, month: float, rng: random.Random
) -> tuple[dict[str, object], dict[str, Any], Decimal | None]:
    """Answers, score and total of ``code`` for a patient at ``grade``, ``month`` months on:
    answers sit higher in each item's range for better grades and later visits."""
    frac = min(_INSTRUMENT_MAX, 0.1 + 0.18 * "ABCDE".index(grade) + 0.15 * min(1.0, month / 12))
    answers = _answers(code, frac, rng)
    score = score_instrument(code, answers)
    total = None if score.total is None else Decimal(str(score.total))
    return answers, score.to_dict(), total


def screening(
    plan: PatientPlan,
    protocol: rules.Protocol,
    flat: Mapping[str, str] | None,
    anticoagulated: bool,
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """(facts, criterion results, decision) of the eligibility screening, as the service
    records them (services/intake.py), from the classified screening exam."""
    assert plan.screened_on is not None
    conditions = {
        "active_infection": plan.failing_fact == "active_infection",
        "malignancy": plan.failing_fact == "malignancy",
        "pregnancy": False,
    }
    taken = [("Baclofen", "")] + ([("Apixaban", "")] if anticoagulated else [])
    level = flat["neurologicalLevelOfInjury"] if flat else plan.level
    ais = flat["asiaImpairmentScale"] if flat else plan.grade
    who = rules.Candidate(
        age_years=plan.screened_on.year - plan.year_of_birth - 0.5, neurological_level=level,
        ais_grade=ais, injury_date=plan.injury_date, screening_date=plan.screened_on,
        medically_stable=True, conditions=conditions, medications=taken,
    )  # fmt: skip
    result = rules.evaluate(protocol, who)
    listed = [{"name": n, "atc_code": meds.classify(n, a)[0]} for n, a in taken]
    facts = {"neurological_level": level, "ais_grade": ais, "injury_date": plan.injury_date,
             "medically_stable": True, "conditions": conditions, "medications": listed}  # fmt: skip
    results: list[dict[str, Any]] = result.to_dict()["results"]  # type: ignore[assignment]
    return jsonable(facts), results, result.decision.value


def vitals(rng: random.Random) -> dict[str, dict[str, float]]:
    return {phase: {**VITALS, "hr": VITALS["hr"] + rng.randint(-8, 12)}
            for phase in ("before", "during", "after")}  # fmt: skip
