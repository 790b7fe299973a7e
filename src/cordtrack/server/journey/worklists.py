"""Worklists of the user's sites: exams, adverse events, visits, data queries, patients, and a
patient's audit trail, each filterable by status in plain words, sortable, paged and
downloadable as CSV (``lists.render_list``)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from ..access import Cap, get_scoped_or_404, scoped, site_ids
from ..audit.models import AuditAction, AuditEntry
from ..audit.reads import entries_about
from ..exams.models import IsncsciExam
from ..followup.models import Visit, VisitStatus
from ..intake.models import InquiryStatus
from ..lists import Column, ListSpec, render_list
from ..monitoring.models import DataQuery, QueryStatus
from ..monitoring.views import describe
from ..patients.models import ConsentStatus, Patient
from ..safety.models import AdverseEvent


def _staff(request: HttpRequest) -> None:
    if not site_ids(request.user):
        raise PermissionDenied("for the staff of a site")


def _patient(row: Any) -> tuple[int, int]:
    return row.patient_id, row.patient.site_id


def _patient_link(row: Any) -> str:
    return reverse("patients:detail", args=[row.patient_id])


EXAMS = ListSpec(
    name="exams", title="ISNCSCI exams",
    columns=(
        Column("date", "Exam date", lambda e: e.exam_date, "exam_date",
               lambda e: reverse("exam-detail", args=[e.pk])),
        Column("patient", "Patient", lambda e: e.patient.study_id, "patient__study_id",
               _patient_link),
        Column("status", "Status", lambda e: "signed" if e.signed_at else
               ("draft, incomplete" if not e.complete else "draft")),
        Column("nli", "NLI", lambda e: e.nli, "nli"),
        Column("ais", "AIS", lambda e: e.ais, "ais"),
        Column("uems", "UEMS", lambda e: e.uems, "uems"),
        Column("lems", "LEMS", lambda e: e.lems, "lems"),
        Column("visit", "Visit", lambda e: e.visit.code if e.visit else ""),
    ),
    statuses=(
        ("draft", "Drafts (not signed)", Q(signed_at__isnull=True)),
        ("incomplete", "Incomplete drafts", Q(signed_at__isnull=True, complete=False)),
        ("signed", "Signed", Q(signed_at__isnull=False)),
    ),
    default_status="all", default_sort="-date", patient_of=_patient,
)  # fmt: skip

ADVERSE_EVENTS = ListSpec(
    name="adverse-events", title="Adverse events",
    columns=(
        Column("onset", "Onset", lambda a: a.onset_date, "onset_date",
               lambda a: reverse("ae-detail", args=[a.pk])),
        Column("patient", "Patient", lambda a: a.patient.study_id, "patient__study_id",
               _patient_link),
        Column("term", "Term", lambda a: a.term, "term"),
        Column("grade", "CTCAE grade", lambda a: a.ctcae_grade, "ctcae_grade"),
        Column("serious", "Serious", lambda a: "serious" if a.serious else "", "serious"),
        Column("outcome", "Outcome", lambda a: a.get_outcome_display(), "outcome"),
        Column("resolved", "Resolved on", lambda a: a.resolution_date, "resolution_date"),
        Column("state", "Status", lambda a: "closed" if a.closed_at else
               ("resolved, to close" if a.resolved else "open")),
    ),
    statuses=(
        ("open", "Open (not closed)", Q(closed_at__isnull=True)),
        ("serious", "Serious, open", Q(closed_at__isnull=True, serious=True)),
        ("unresolved", "Not resolved yet", Q(resolution_date__isnull=True, closed_at__isnull=True)),
        ("closed", "Closed", Q(closed_at__isnull=False)),
    ),
    default_status="open", default_sort="-onset", patient_of=_patient,
)  # fmt: skip

VISITS = ListSpec(
    name="visits", title="Visits",
    columns=(
        Column("target", "Target date", lambda v: v.target_date, "target_date",
               lambda v: reverse("visit-detail", args=[v.pk])),
        Column("patient", "Patient", lambda v: v.patient.study_id, "patient__study_id",
               _patient_link),
        Column("visit", "Visit", lambda v: v.label or v.code, "target_day"),
        Column("window", "Window", lambda v: f"{v.window_open} – {v.window_close}", "window_close"),
        Column("status", "Status", lambda v: v.get_status_display(), "status"),
        Column("done", "Done on", lambda v: v.done_on, "done_on"),
    ),
    statuses=(
        ("scheduled", "Scheduled", Q(status=VisitStatus.SCHEDULED)),
        ("overdue", "Overdue (window closed, not done)", Q(status=VisitStatus.SCHEDULED,
                                                           window_close__lt=F("today"))),
        ("done", "Done", Q(status__in=(VisitStatus.DONE, VisitStatus.OUT_OF_WINDOW))),
        ("out_of_window", "Done out of window", Q(status=VisitStatus.OUT_OF_WINDOW)),
        ("missed", "Missed", Q(status=VisitStatus.MISSED)),
    ),
    default_status="scheduled", default_sort="target", patient_of=_patient,
)  # fmt: skip

QUERIES = ListSpec(
    name="queries", title="Data queries",
    columns=(
        Column("id", "#", lambda q: q.pk, "pk", lambda q: reverse("query-detail", args=[q.pk])),
        Column("patient", "Patient", lambda q: q.patient.study_id, "patient__study_id",
               _patient_link),
        Column("record", "Record", lambda q: describe(q)["target_label"], "target"),
        Column("field", "Field", lambda q: describe(q)["field_label"], "field"),
        Column("status", "Status", lambda q: q.get_status_display(), "status"),
        Column("raised", "Raised", lambda q: q.raised_at.date(), "raised_at"),
        Column("age", "Age (days)", lambda q: (timezone.now() - q.raised_at).days),
        Column("by", "Raised by", lambda q: q.raised_by.username, "raised_by__username"),
        Column("text", "Question", lambda q: q.text[:120]),
    ),
    statuses=(
        ("open", "Open", Q(status=QueryStatus.OPEN)),
        ("answered", "Answered, to close", Q(status=QueryStatus.ANSWERED)),
        ("unclosed", "Open or answered", ~Q(status=QueryStatus.CLOSED)),
        ("closed", "Closed", Q(status=QueryStatus.CLOSED)),
    ),
    default_status="open", default_sort="raised", patient_of=_patient,
)  # fmt: skip

_INQUIRY = {s.value: s.label for s in InquiryStatus}
PATIENTS = ListSpec(
    name="patients", title="Patients (worklist)",
    columns=(
        Column("study_id", "Study id", lambda p: p.study_id, "study_id",
               lambda p: reverse("patients:detail", args=[p.pk])),
        Column("site", "Site", lambda p: p.site.code, "site__code"),
        Column("stage", "Stage", lambda p: _INQUIRY.get(p.stage or "", "")),
        Column("consent", "Consent", lambda p: p.get_consent_status_display(), "consent_status"),
        Column("born", "Year of birth", lambda p: p.year_of_birth, "year_of_birth"),
        Column("registered", "Registered", lambda p: p.created_at.date(), "created_at"),
    ),
    statuses=(
        # The label stays lazy (translated when shown); typed as the text it renders to.
        *((s.value, cast(str, s.label), Q(inquiries__status=s.value)) for s in InquiryStatus),
        ("not_consented", "Consent not given yet", ~Q(consent_status=ConsentStatus.CONSENTED)),
    ),
    default_status="all", default_sort="study_id",
    patient_of=lambda p: (p.pk, p.site_id),
)  # fmt: skip


@login_required
def exam_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _staff(request)
    rows = scoped(request.user, IsncsciExam.objects.select_related("patient", "visit"))
    return render_list(request, EXAMS, rows)


@login_required
def adverse_event_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _staff(request)
    rows = scoped(request.user, AdverseEvent.objects.select_related("patient"))
    return render_list(request, ADVERSE_EVENTS, rows)


@login_required
def visit_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _staff(request)
    rows = scoped(request.user, Visit.objects.select_related("patient"))
    today = timezone.localdate()
    from django.db.models import Value

    return render_list(request, VISITS, rows.annotate(today=Value(today)))


@login_required
def query_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _staff(request)
    rows = scoped(request.user, DataQuery.objects.select_related("patient", "raised_by"))
    return render_list(request, QUERIES, rows)


@login_required
def patient_worklist(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _staff(request)
    from django.db.models import OuterRef, Subquery

    from ..intake.models import Inquiry

    latest = Inquiry.objects.filter(patient=OuterRef("pk")).order_by("-received_on", "-pk")
    rows = scoped(request.user, Patient.objects.select_related("site")).annotate(
        stage=Subquery(latest.values("status")[:1])
    )
    return render_list(request, PATIENTS, rows.distinct())


_ACTIONS = {AuditAction.CREATE: "Created", AuditAction.UPDATE: "Changed",
            AuditAction.DELETE: "Deleted", AuditAction.SIGN: "Signed",
            AuditAction.VIEW: "Viewed", AuditAction.DOWNLOAD: "Downloaded"}  # fmt: skip


def _changes(entry: AuditEntry) -> str:
    return "; ".join(
        f"{k}: {str(v[0])[:40]} → {str(v[1])[:40]}" if isinstance(v, list) and len(v) == 2
        else f"{k}" for k, v in (entry.changes or {}).items()
    )  # fmt: skip


def audit_spec(patient: Patient) -> ListSpec:
    return ListSpec(
        name=f"audit-{patient.study_id}", title=f"Audit trail · {patient.study_id}",
        columns=(
            Column("seq", "#", lambda e: e.seq, "seq"),
            Column("at", "When (UTC)", lambda e: e.at.strftime("%Y-%m-%d %H:%M:%S"), "at"),
            Column("who", "Who", lambda e: e.actor_label, "actor_label"),
            Column("action", "Action", lambda e: _ACTIONS.get(e.action, e.action), "action"),
            Column("record", "Record", lambda e: f"{e.model} {e.object_id}", "model"),
            Column("changes", "Changes (old → new)", _changes),
            Column("reason", "Reason", lambda e: e.reason),
        ),
        statuses=(
            *((a.value, label, Q(action=a.value)) for a, label in _ACTIONS.items()),
            ("changes", "Changes only (created, changed, deleted, signed)",
             Q(action__in=("create", "update", "delete", "sign"))),
        ),
        default_status="all", default_sort="-seq",
        patient_of=lambda e: (patient.pk, patient.site_id),
        extra={"back": reverse("patients:detail", args=[patient.pk])},
    )  # fmt: skip


@login_required
def patient_audit(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """Every audit entry about this patient's records (roles with the audit capability)."""
    patient = get_scoped_or_404(request.user, Patient.objects.all(), Cap.AUDIT, pk=pk)
    entries = entries_about(patient.pk)  # with the list reads that named them among others
    return render_list(request, audit_spec(patient), entries)
