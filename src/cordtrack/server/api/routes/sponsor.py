"""The sponsor's figures as JSON: the same as the ``/sponsor/`` pages (``sponsor.figures``), for
a sponsor's bearer token. Any other role: 403; a site the sponsor does not sponsor: 404; a bad
filter: 422 naming it. No answer names a patient (lists of patients become counts)."""

# No ``from __future__ import annotations`` here: django-ninja reads the operations' annotations
# at import time (Query[...], pagination), and string annotations break that.

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ...reports import figures, serialize
from ...reports.arms import arm_report
from ...reports.forms import CohortForm
from ...reports.views import randomised_protocol
from ...sponsor import figures as sponsor_figures
from ...sponsor.access import sponsored_sites
from ..errors import responses
from . import user_of

router = Router()

#: Lists of patients (relabelled ``#n`` by sponsor.figures) the answers give as counts.
_COUNTED = frozenset({"treated_without_baseline_exam", "without_follow_up", "ambiguous"})
#: Keys that would name a patient or hold free text: left out.
_DROPPED = frozenset({"patient", "term", "event_id"})


def scrub(value: Any, key: str = "") -> Any:
    """``value`` with lists of patients counted and patient keys and free text dropped."""
    if isinstance(value, dict):
        return {k: scrub(v, k) for k, v in value.items() if k not in _DROPPED}
    if isinstance(value, list):
        return len(value) if key in _COUNTED else [scrub(v) for v in value]
    return value


def _sites(request: HttpRequest, asked: list[str]) -> list[str]:
    codes = sponsored_sites(user_of(request))
    if not codes:
        raise PermissionDenied("the sponsor's figures are for the sponsors of a site")
    if any(code not in codes for code in asked):
        raise Http404("No such site")
    return codes


@router.get("/sponsor/sites", response=responses(200, list[dict[str, Any]]), tags=["sponsor"])
def sponsor_sites(request: HttpRequest) -> list[dict[str, Any]]:
    """Counts per sponsored site: patients, consented, treated, randomised, signed exams,
    adverse events and serious ones."""
    return sponsor_figures.site_counts(_sites(request, []))


class Sites(Schema):
    site: list[str] = Field(default_factory=list, description="site codes; none: every site")


class CohortFilters(Sites):
    protocol: str = ""
    definition: str = figures.DEFAULT_DEFINITION
    at_least: float | None = None
    cell_type: str = ""
    route: str = ""
    baseline_ais: str = ""
    phase: str = ""


@router.get("/sponsor/outcomes", response=responses(200, dict[str, Any]), tags=["sponsor"])
def sponsor_outcomes(request: HttpRequest, filters: Query[CohortFilters]) -> dict[str, Any]:
    """The cohort report of the sponsored sites (all, or ``site``), as ``cordtrack report
    outcomes --format json`` gives it with patients counted; a randomised ``protocol``: its
    comparison by arm (flow, figures per arm, differences with 95% intervals, safety per arm)."""
    codes = _sites(request, filters.site)
    data = {**filters.model_dump(), "at_least": "" if filters.at_least is None
            else str(filters.at_least)}  # fmt: skip
    form = CohortForm(data, codes)
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    chosen = figures.definition_for(form.definition_key(), form.cleaned_data.get("at_least"))
    code = randomised_protocol(form)
    if code:
        return {"report": "arms", **arm_report(form.filters().sites, code, chosen)}
    report = sponsor_figures.outcomes(form.filters(), chosen)
    result: dict[str, Any] = scrub(serialize.outcomes(report))
    return result


@router.get("/sponsor/safety", response=responses(200, dict[str, Any]), tags=["sponsor"])
def sponsor_safety(request: HttpRequest, filters: Query[Sites]) -> dict[str, Any]:
    """Safety of the treated patients of the sponsored sites (all, or ``site``) with exact
    intervals, serious events by grade, relatedness and criteria, and safety per arm of every
    randomised protocol."""
    codes = _sites(request, filters.site)
    chosen = filters.site or codes
    report = scrub(serialize.safety(sponsor_figures.safety(chosen)))
    return {**report, "per_arm": sponsor_figures.arm_safety(chosen)}
