"""The cohort's members, one row per patient: a page of them on the report, all of them in its CSV.

A report of a 10,000-patient site has some 7,000 members: the page shows its figures and
:data:`PER_PAGE` members at a time (the next page is fetched by htmx into the table, or as a plain
link without JavaScript), and ``?members=csv`` downloads every member with what the figures used:
status under the definition, the strata, the natural-history figure compared with and its
probability, or why there is none (ADR 0055). A patient's status is the one the report counted
(``OutcomesReport.statuses``, computed by the same engine).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, Final, cast

from django.core.paginator import Page, Paginator
from django.http import HttpResponse

from cordtrack.outcomes import (
    DEFAULT_PHASE_CUTOFFS,
    AisImprovement,
    ResponderDefinition,
    ResponseStatus,
    StratumKey,
)
from cordtrack.outcomes.batch import Columns, expectations, responders

from ..patients.models import Patient
from .figures import Cohort

PER_PAGE: Final = 50
CSV_COLUMNS: Final = (
    "study_id", "status", "baseline_ais", "level_group", "phase",
    "days_since_injury_at_baseline", "days_observed", "natural_history_figure",
    "expected_probability", "no_reference_reason",
)  # fmt: skip


def statuses(cohort: Cohort, definition: ResponderDefinition) -> tuple[ResponseStatus, ...]:
    """Each member's status (the fragment and the CSV, which compute no other figure)."""
    codes = responders.statuses(Columns.of(cohort.courses), definition)
    return tuple(responders.STATUSES[c] for c in codes.tolist())


def page(
    cohort: Cohort, found: Sequence[ResponseStatus], number: str | int | None
) -> Page[dict[str, Any]]:
    """One page of members, each with the link to their outcomes page (only this page's
    patients are looked up)."""
    numbers = Paginator(range(len(cohort.courses)), PER_PAGE)
    current = numbers.get_page(number)
    chosen = [(i, cohort.courses[i]) for i in current.object_list]
    ids = dict(
        Patient.objects.filter(
            site__code__in=cohort.filters.sites, study_id__in=[c.patient_id for _, c in chosen]
        ).values_list("study_id", "pk")
    )
    rows = [{"study_id": c.patient_id, "pk": ids[c.patient_id], "status": found[i].value}
            for i, c in chosen]  # fmt: skip
    return Page(rows, current.number, cast(Any, numbers))


def csv_response(cohort: Cohort, definition: ResponderDefinition) -> HttpResponse:
    """Every member as a CSV download (the read is audited as a download, ``audit.reads``)."""
    columns = Columns.of(cohort.courses)
    codes = responders.statuses(columns, definition).tolist()
    labels = {key: responders.labels(columns, key, DEFAULT_PHASE_CUTOFFS) for key in StratumKey}
    found = (
        expectations.expectations(columns, definition)
        if isinstance(definition, AisImprovement)
        else None
    )
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, course in enumerate(cohort.courses):
        figure = probability = reason = ""
        if found is not None:
            position = int(found.index[i])
            if position >= 0:
                figure = found.figures[position].citation
                probability = f"{found.probability[i]:g}"
            else:
                reason = found.reasons[i]
        writer.writerow(
            (
                course.patient_id,
                responders.STATUSES[codes[i]].value,
                labels[StratumKey.AIS][i],
                labels[StratumKey.LEVEL][i],
                labels[StratumKey.PHASE][i],
                _shown(course.days_since_injury_at_baseline),
                _shown(course.observed_until),
                figure,
                probability,
                reason,
            )
        )
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cohort-members.csv"'
    return response


def _shown(value: int | None) -> str:
    return "" if value is None else str(value)
