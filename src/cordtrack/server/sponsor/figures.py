"""The figures a sponsor sees: the staff reports' own functions (``reports.figures``,
``reports.arms``), with every patient identifier taken out at the source, before anything is
rendered or serialised.

- A cohort's courses are relabelled ``#1``, ``#2``... (in the cohort's order, per report): every
  figure derived from them (strata, observed/expected, Kaplan-Meier, their lists of patients)
  carries a label that names nobody, and the pages print counts in place of those lists.
- The note listing treated patients without a baseline exam becomes a count.
- Serious adverse events keep grade, relatedness and ICH E2A criteria; the patient, the term (free
  text) and the record's id are dropped.
- The arm comparison and the safety per arm are counts and intervals already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cordtrack.outcomes import ResponderDefinition

from ..accounts.models import Site
from ..exams.models import IsncsciExam
from ..intake.models import Protocol, Randomisation
from ..patients.models import ConsentStatus, Patient
from ..reports import figures
from ..reports.arms import safety_by_arm
from ..safety.models import AdverseEvent


def _label(number: int) -> str:
    return f"#{number}"


def deidentified(cohort: figures.Cohort) -> figures.Cohort:
    """``cohort`` with each patient's study id replaced by a label that names nobody."""
    courses = tuple(replace(c, patient_id=_label(i)) for i, c in enumerate(cohort.courses, 1))
    first = len(courses) + 1
    without = tuple(_label(first + i) for i in range(len(cohort.without_baseline)))
    return replace(cohort, courses=courses, without_baseline=without)


def outcomes(
    filters: figures.CohortFilters, definition: ResponderDefinition
) -> figures.OutcomesReport:
    """The cohort report of ``filters`` (sites already permitted), de-identified."""
    cohort = deidentified(figures.cohort_courses(filters))
    report = figures.outcomes_report(cohort, definition)
    labels = cohort.without_baseline
    notes = tuple(n for n in report.notes if not any(label in n for label in labels))
    if labels:
        notes += (
            f"{len(labels)} treated patient(s) of the selected sites have no classified baseline "
            "exam and are not in the cohort.",
        )
    return replace(report, notes=notes)


def safety(sites: Sequence[str]) -> figures.SafetyReport:
    """The safety report of ``sites`` without patients, terms or record ids."""
    report = figures.safety_report(sites)
    summary = report.summary
    if summary is None:
        return report
    serious = tuple(
        replace(e, patient_id="", term="", event_id=None, administration_id=None)
        for e in summary.serious_events
    )
    return replace(report, summary=replace(summary, serious_events=serious))


def randomised_protocols() -> list[str]:
    """Codes of the randomised protocols (any version randomised), in code order."""
    rows = Protocol.objects.filter(design="randomised").values_list("code", flat=True)
    return sorted(set(rows))


def arm_safety(sites: Sequence[str]) -> list[dict[str, Any]]:
    """Safety per arm of every randomised protocol at ``sites`` (counts, exact intervals)."""
    return [safety_by_arm(sites, code) for code in randomised_protocols()]


def site_counts(sites: Sequence[str]) -> list[dict[str, Any]]:
    """Counts per sponsored site (counted in the database: no record is loaded)."""
    out = []
    for site in Site.objects.filter(code__in=sites).order_by("code"):
        patients = Patient.objects.filter(site=site)
        events = AdverseEvent.objects.filter(patient__site=site)
        out.append({
            "site": site.code, "name": site.name, "patients": patients.count(),
            "consented": patients.filter(consent_status=ConsentStatus.CONSENTED).count(),
            "treated": patients.filter(administrations__isnull=False).distinct().count(),
            "randomised": Randomisation.objects.filter(patient__site=site).count(),
            "signed_exams": IsncsciExam.objects.signed().filter(patient__site=site).count(),
            "adverse_events": events.count(),
            "serious_adverse_events": events.filter(serious=True).count(),
        })  # fmt: skip
    return out
