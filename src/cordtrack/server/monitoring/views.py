"""Pages of data queries and source verification: the query list, one query's thread with its
answer / close / re-open forms, raising a query and marking verified from a record's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ..access import Cap, can
from ..forms import add_service_errors
from ..services import queries as query_services
from ..services import verification
from .models import DataQuery, QueryStatus
from .targets import TARGETS, record_url


def _back(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return nxt
    return fallback


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        for message in errs:
            messages.error(request, f"{field}: {message}")


def _id(text: str) -> int:
    """A posted record id; anything else (or too large for the database) is 0: not found."""
    return int(text) if text.isdigit() and len(text) <= 10 and int(text) < 2**31 else 0


def describe(query: DataQuery) -> dict[str, Any]:
    """What a list row or a page shows of a query: target, field, age, link."""
    kind = TARGETS[query.target]
    record = kind.model._default_manager.filter(pk=query.target_id).first()
    return {
        "query": query,
        "target_label": kind.label,
        "field_label": kind.field_label(query.field),
        "value": kind.value(record, query.field) if record is not None else "",
        "url": record_url(kind, record) if record is not None else "",
        "age_days": (timezone.now() - query.raised_at).days,
    }


class AnswerForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Answer"
    )
    value = forms.CharField(
        max_length=120, required=False, label="Corrected value",
        help_text="Leave empty to answer without changing the record",
    )  # fmt: skip
    reason = forms.CharField(max_length=300, required=False, label="Reason for the correction")


@login_required
@require_http_methods(["GET", "POST"])
def query_detail(request: HttpRequest, pk: int) -> HttpResponse:
    query = query_services.get_query(request.user, pk)
    answer = AnswerForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                answer = AnswerForm(request.POST)
                if answer.is_valid():
                    data = answer.cleaned_data
                    query_services.answer_query(
                        request.user, query, data["text"], value=data["value"] or None,
                        reason=data["reason"],
                    )  # fmt: skip
                    messages.success(request, "Answer recorded.")
                    return redirect("query-detail", pk=query.pk)
            elif action == "close":
                query_services.close_query(request.user, query, request.POST.get("text", ""))
                messages.success(request, "Query closed.")
                return redirect("query-detail", pk=query.pk)
            elif action == "reopen":
                query_services.reopen_query(request.user, query, request.POST.get("text", ""))
                messages.success(request, "Query re-opened.")
                return redirect("query-detail", pk=query.pk)
        except ValidationError as exc:
            if action == "answer":
                add_service_errors(answer, exc)
            else:
                _flash(request, exc)
    site = query.patient.site_id
    context = {
        **describe(query),
        "thread": query.messages.select_related("author"),
        "answer": answer,
        "may_answer": query_services.may_answer(request.user, query)
        and query.status != QueryStatus.CLOSED,
        "may_close": can(request.user, site, Cap.QUERIES),
        "correctable": bool(query.field) and TARGETS[query.target].corrector is not None,
    }
    return render(request, "monitoring/query.html", context)


@login_required
@require_POST
def query_new(request: HttpRequest) -> HttpResponse:
    """Raise a query from a record's page; back to that page."""
    target, target_id = request.POST.get("target", ""), request.POST.get("target_id", "")
    try:
        query = query_services.raise_query(
            request.user, target, _id(target_id),
            request.POST.get("field", ""), request.POST.get("text", ""),
        )  # fmt: skip
    except ValidationError as exc:
        _flash(request, exc)
        return redirect(_back(request, "/queries/"))
    messages.success(request, f"Query {query.pk} raised.")
    return redirect(_back(request, f"/queries/{query.pk}/"))


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Mark a record (or the fields ticked) verified against source; back to its page."""
    target, target_id = request.POST.get("target", ""), request.POST.get("target_id", "")
    try:
        made = verification.verify(
            request.user, target, _id(target_id),
            request.POST.getlist("fields"),
        )  # fmt: skip
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "Verified against source." if made else "Already verified.")
    return redirect(_back(request, "/dashboard/"))
