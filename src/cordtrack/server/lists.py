"""Lists people can work from: a status filter in plain words, sorting by a column, pages of 50,
and the current list (filter and sort kept, every page) as a CSV download, audited as one.

A list is a :class:`ListSpec`: its columns (label, value, the ORM ordering that sorts by it), its
status filters (label and queryset condition), and how a row names its patient (for the audit
entry of the download). Views build the scoped queryset and call :func:`render_list`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from .audit.chain import Change, append_many
from .audit.models import AuditAction

PER_PAGE = 50
MAX_CSV_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[Any], object]
    order: str | None = None  # ORM field to sort by; None: not sortable
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class ListSpec:
    name: str  # for the file name and the audit entry
    title: str
    columns: Sequence[Column]
    statuses: Sequence[tuple[str, str, Q]] = ()  # (value, plain words, condition)
    default_status: str = ""
    default_sort: str = ""
    patient_of: Callable[[Any], tuple[int, int] | None] = lambda row: None  # (patient, site)
    intro: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    """A cell's text; free text that a spreadsheet would run as a formula is quoted (OWASP,
    "CSV injection"), numbers are left alone."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


Filtered = tuple[QuerySet[Any], str, str]


def filtered(request: HttpRequest, spec: ListSpec, rows: QuerySet[Any]) -> Filtered:
    """``rows`` with the chosen status and sort (unknown values fall back to the defaults)."""
    statuses = {value: cond for value, _, cond in spec.statuses}
    status = request.GET.get("status", spec.default_status)
    if status not in statuses and status != "all":
        status = spec.default_status
    if status in statuses:
        rows = rows.filter(statuses[status])
    orders = {c.key: c.order for c in spec.columns if c.order}
    sort = request.GET.get("sort", spec.default_sort)
    key = sort.removeprefix("-")
    if key not in orders:
        sort, key = spec.default_sort, spec.default_sort.removeprefix("-")
    if key in orders:
        order = str(orders[key])
        rows = rows.order_by(f"-{order}" if sort.startswith("-") else order, "pk")
    return rows, status, sort


def render_list(
    request: HttpRequest, spec: ListSpec, rows: QuerySet[Any]
) -> HttpResponse | StreamingHttpResponse:
    rows, status, sort = filtered(request, spec, rows)
    if request.GET.get("format") == "csv":
        return csv_download(request, spec, rows)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    table = [
        [(c.value(obj), c.link(obj) if c.link else "") for c in spec.columns]
        for obj in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "spec": spec, "page": page, "table": table, "status": status, "sort": sort,
        "statuses": [("all", "All"), *((v, label) for v, label, _ in spec.statuses)],
        "columns": [(c, _sort_link(query, c, sort)) for c in spec.columns],
        "csv_query": _with(query, format="csv"), **spec.extra,
    }  # fmt: skip
    return render(request, "list.html", context)


def _with(query: Any, **values: str) -> str:
    q = query.copy()
    for k, v in values.items():
        q[k] = v
    return str(q.urlencode())


def _sort_link(query: Any, column: Column, sort: str) -> str:
    if not column.order:
        return ""
    descending = sort == column.key
    return "?" + _with(query, sort=f"-{column.key}" if descending else column.key)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_download(
    request: HttpRequest, spec: ListSpec, rows: QuerySet[Any]
) -> StreamingHttpResponse:
    """The whole filtered, sorted list as CSV; each patient it names is first recorded in the
    audit trail as a download (one transaction, before a byte leaves)."""
    objects = list(rows[:MAX_CSV_ROWS])
    seen: dict[int, int] = {}
    for obj in objects:
        pair = spec.patient_of(obj)
        if pair is not None:
            seen.setdefault(pair[0], pair[1])
    reason = f"downloaded: list '{spec.name}' as CSV ({len(objects)} rows)"
    label = "patients.patient"
    with transaction.atomic():
        append_many(request.user, [
            Change(AuditAction.DOWNLOAD, label, pk, reason=reason, site_id=site, patient_id=pk)
            for pk, site in sorted(seen.items())
        ])  # fmt: skip
    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield writer.writerow([c.label for c in spec.columns])
        for obj in objects:
            yield writer.writerow([_text(c.value(obj)) for c in spec.columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec.name}.csv"'
    return response
