"""The report figures as JSON-ready dicts (``cordtrack report --format json``)."""

from __future__ import annotations

from typing import Any

from cordtrack.outcomes import (
    ChangeVsExpected,
    CohortRate,
    NaturalHistory,
    ObservedExpected,
    RateInterval,
    compatible_with,
    describe_rate,
)

from .figures import OutcomesReport, SafetyReport


def interval(value: RateInterval | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "events": value.events,
        "total": value.total,
        "estimate": round(value.estimate, 6),
        "low": round(value.low, 6),
        "high": round(value.high, 6),
        "method": value.method.value,
        "confidence": value.confidence,
        "text": describe_rate(value),
        "compatible_with": compatible_with(value),
    }


def rate(value: CohortRate) -> dict[str, Any]:
    return {
        "definition": value.definition,
        "design": value.design_label,
        "due": value.due,
        "responders": value.responders,
        "non_responders": value.non_responders,
        "undetermined": value.undetermined,
        "lost_to_follow_up": value.lost,
        "not_yet_due": value.not_yet_due,
        "rate_worst_case": interval(value.rate),
        "best_case": interval(value.best_case),
        "complete_case": interval(value.complete_case),
    }


def history(value: NaturalHistory) -> dict[str, Any]:
    return {
        "outcome": value.outcome.value,
        "comparable": value.comparable,
        "reason": value.reason,
        "caveats": list(value.caveats),
        "range_percent": list(value.value_range) if value.value_range else None,
        "references": [
            {
                "description": r.description,
                "value": r.value,
                "unit": r.unit,
                "population": r.population,
                "baseline_window": r.baseline_window,
                "source": r.source,
                "n": r.n,
                "note": r.note,
            }
            for r in value.references
        ],
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _pair(pair: tuple[float, float] | None) -> dict[str, float | None] | None:
    return None if pair is None else {"low": _round(pair[0]), "high": _round(pair[1])}


def observed_expected(oe: ObservedExpected | None) -> dict[str, Any] | None:
    """O, E, O/E and its intervals, the figures used, the patients without a reference."""
    if oe is None:
        return None
    widened = _pair(oe.widened)
    if widened is not None:
        widened |= {"complete": oe.widened_complete,
                    "patients_whose_reference_reports_no_n": oe.figures_without_n}  # fmt: skip
    return {
        "definition": oe.definition,
        "patients": oe.patients,
        "observed": oe.observed,
        "expected": _round(oe.expected, 3),
        "ratio": _round(oe.ratio),
        "interval_95": _pair(oe.interval),
        "interval_method": "exact Poisson limits of O (Garwood), divided by E",
        "widened_interval_95": widened,
        "widened_method": "exact interval combined on the log scale with the references' own "
        "sampling error (Jeffreys variance of each figure, N as reported)",
        "lost_or_undetermined": oe.lost_or_undetermined,
        "worst_case_ratio": _round(oe.worst_case),
        "best_case_ratio": _round(oe.best_case),
        "not_yet_due": oe.not_yet_due,
        "references": [
            {"figure": u.figure.id, "value_percent": u.figure.value,
             "population": u.figure.population, "baseline_window": u.figure.baseline.text,
             "follow_up": u.figure.follow_up, "n": u.figure.n, "citation": u.figure.citation,
             "url": u.figure.source.url, "patients": u.patients,
             "expected": _round(u.expected, 3)}
            for u in oe.figures
        ],
        "without_reference": [{"patient": p, "reason": r} for p, r in oe.without_reference],
    }  # fmt: skip


def motor_change(c: ChangeVsExpected) -> dict[str, Any]:
    widened = _pair(c.widened)
    if widened is not None:
        widened["complete"] = c.widened_complete
    return {
        "measure": c.outcome.value,
        "by_day": c.by_day,
        "patients": c.patients,
        "observed_mean_change": _round(c.observed_mean, 3),
        "expected_mean_change": _round(c.expected_mean, 3),
        "observed_minus_expected": _round(c.difference, 3),
        "interval_95": _pair(c.interval),
        "widened_interval_95": widened,
        "references": [
            {"figure": f.id, "citation": f.citation, "url": f.source.url, "patients": n}
            for f, n in c.figures
        ],
        "without_reference": [{"patient": p, "reason": r} for p, r in c.without_reference],
        "without_follow_up": list(c.without_follow_up),
    }


def outcomes(report: OutcomesReport) -> dict[str, Any]:
    curve = report.curve
    return {
        "report": "outcomes",
        "generated_on": report.cohort.today.isoformat(),
        "filters": report.cohort.filters.describe(),
        "patients_in_cohort": len(report.cohort.courses),
        "treated_without_baseline_exam": list(report.cohort.without_baseline),
        "withdrawals_by_scope": dict(report.cohort.withdrawals),
        "design": report.rate.design_label,
        "responder_definition": report.definition.definition,
        "summary": report.sentence,
        "evidence_version": report.evidence_version,
        "rate": rate(report.rate),
        "natural_history": history(report.reference),
        "observed_vs_expected": observed_expected(report.observed_expected),
        "motor_change_vs_expected": [motor_change(c) for c in report.motor],
        "strata": {
            key.value: [
                {
                    "stratum": s.label(),
                    "rate": rate(s.rate),
                    "natural_history": history(s.reference),
                    "observed_vs_expected": observed_expected(oe),
                }
                for s, oe in zip(strata, report.strata_observed_expected.get(key, ()), strict=True)
            ]
            for key, strata in report.strata.items()
        },
        "time_to_first_ais_improvement": {
            "patients": 0 if curve is None else curve.patients,
            "events": 0 if curve is None else curve.events,
            "median_days": None if curve is None else curve.median,
            "without_follow_up": list(report.times.without_follow_up),
            "ambiguous": list(report.times.ambiguous),
            "steps": []
            if curve is None
            else [
                {
                    "day": s.time,
                    "at_risk": s.at_risk,
                    "events": s.events,
                    "censored": s.censored,
                    "not_yet_improved": round(s.survival, 6),
                    "low": None if s.low is None else round(s.low, 6),
                    "high": None if s.high is None else round(s.high, 6),
                }
                for s in curve.steps
            ],
        },
        "notes": list(report.notes),
    }


def safety(report: SafetyReport) -> dict[str, Any]:
    s = report.summary
    out: dict[str, Any] = {
        "report": "safety",
        "generated_on": report.today.isoformat(),
        "sites": list(report.sites),
        "events_in_untreated_patients_not_counted": report.untreated_events,
        "baseline_events_not_counted": report.baseline_events,
    }
    if s is None:
        return {**out, "patients": 0, "note": "no treated patient: no rate"}
    return {
        **out,
        "patients": s.patients,
        "administrations": s.administrations,
        "events": s.events,
        "unattributed_events": s.unattributed,
        "per_patient": [
            {"label": r.label, "interval": interval(r.interval), "text": r.describe()}
            for r in s.per_patient
        ],
        "per_administration": [
            {
                "label": r.label,
                "interval": interval(r.interval),
                "text": r.describe(),
                "lower_bound_only": r.lower_bound_only,
            }
            for r in s.per_administration
        ],
        "by_grade_and_relatedness": [
            {"grade": int(g), "relatedness": r.value, "events": n}
            for (g, r), n in s.by_grade_and_relatedness.items()
        ],
        "patients_by_worst_grade": {str(int(g)): n for g, n in s.patients_by_worst_grade.items()},
        "serious_events": [
            {
                "patient": e.patient_id,
                "term": e.term,
                "grade": int(e.grade),
                "relatedness": e.relatedness.value,
                "criteria": sorted(c.value for c in e.seriousness),
                "event_id": e.event_id,
            }
            for e in s.serious_events
        ],
    }
