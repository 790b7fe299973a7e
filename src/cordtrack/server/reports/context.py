"""Template contexts built from the report figures; shared by the pages, the PDFs and the CLI."""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cordtrack.clinical.safety import CtcaeGrade, Relatedness
from cordtrack.outcomes import Measure, MeasureChange, Tri, format_percent

from . import charts
from .figures import OutcomesReport, SafetyReport
from .patient import PLAIN_NAMES, PatientReport
from .wording import phrase, threshold_text

_MAXIMA: Final = {"UEMS": 50, "LEMS": 50, "LT": 112, "PP": 112, "SCIM III": 100,
                  "WISCI II": 20, "pain NRS": 10}  # fmt: skip


def outcomes_context(report: OutcomesReport) -> dict[str, Any]:
    strata = []
    for key, group in report.strata.items():
        rows = [(s.label(), s.rate.rate, s.reference.value_range) for s in group]
        ratios = report.strata_observed_expected.get(key, (None,) * len(group))
        strata.append(
            {
                "key": key.value,
                "strata": group,
                "rows": list(zip(group, ratios, strict=True)),
                "chart": charts.intervals_svg(rows, f"Responders by {key.value}"),
            }
        )
    overall = [("All patients", report.rate.rate, report.reference.value_range)]
    return {
        "report": report,
        "rate": report.rate,
        "strata_groups": strata,
        "overall_chart": charts.intervals_svg(overall, "Responders, all patients"),
        "km_chart": charts.km_svg(report.curve, "Time to first AIS improvement"),
    }


def safety_context(report: SafetyReport) -> dict[str, Any]:
    summary = report.summary
    grid = []
    if summary is not None:
        for grade in CtcaeGrade:
            cells = [summary.by_grade_and_relatedness[(grade, r)] for r in Relatedness]
            grid.append({"grade": int(grade), "name": grade.name.replace("_", " ").lower(),
                         "cells": cells, "total": sum(cells)})  # fmt: skip
    return {
        "report": report,
        "summary": summary,
        "relatedness": [r.value for r in Relatedness],
        "grid": grid,
    }


def _flag(change: MeasureChange) -> str:
    """The verdict on one change, in English (a key the templates compare and translate with
    ``{% translate row.flag %}``: the catalogs hold these strings by ``gettext_noop``)."""
    if change.change is None:
        return gettext_noop("not assessable: a value is missing or not determinable")
    up, down = change.meaningful_improvement, change.meaningful_deterioration
    if up is Tri.YES:
        return gettext_noop("meaningful improvement")
    if down is Tri.YES:
        return gettext_noop("meaningful worsening")
    if up is Tri.UNDETERMINED or down is Tri.UNDETERMINED:
        return gettext_noop("possibly meaningful (undetermined)")
    if up is None:
        return gettext_noop("no confirmed threshold")
    return gettext_noop("below the meaningful-change threshold")


def _thresholds_text(change: MeasureChange) -> list[str]:
    """Each threshold with its method and source (citations, as published; units and methods in
    the reader's language where the catalogs have them, reports/wording.py)."""
    out = []
    for check in change.checks:
        t = threshold_text(check.threshold)
        if not t.value:
            out.append(_("no confirmed threshold (%(method)s; %(source)s)")
                       % {"method": t.method, "source": t.source})  # fmt: skip
            continue
        out.append(str(t))
    return out


def patient_context(report: PatientReport) -> dict[str, Any]:
    rows = []
    if report.change is not None:
        for measure in report.measures:
            change = report.change[measure]
            rows.append(
                {
                    "measure": measure.value,
                    "plain": PLAIN_NAMES[measure],
                    "change": change,
                    "shown": change.change.render() if change.change else "—",
                    "flag": _flag(change),
                    "thresholds": _thresholds_text(change),
                    "threshold_texts": [threshold_text(c.threshold) for c in change.checks],
                    "note": phrase(change.note) if change.note else None,
                }
            )
    series = {m.value: pts for m, pts in report.series.items()}
    walking = report.walking
    walking_text = ""
    if walking is not None and walking.applicable and walking.probability_low is not None:
        low, high = walking.probability_low, walking.probability_high or walking.probability_low
        walking_text = format_percent(low)
        if low != high:
            walking_text = _("%(low)s to %(high)s") % {
                "low": format_percent(low), "high": format_percent(high)
            }  # fmt: skip
    return {
        "report": report,
        "patient": report.patient,
        "line": report.line,
        "rows": rows,
        "comparisons": report.comparisons,
        "walking": walking,
        "walking_text": walking_text,
        "charts": charts.series_svg(series, _MAXIMA, _("Change over time")),
        "measures_without_threshold": [
            m.value for m in (Measure.UEMS, Measure.LEMS, Measure.LT, Measure.PP)
        ],
    }
