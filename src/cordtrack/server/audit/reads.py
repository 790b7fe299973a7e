"""Every read of patient data, audited by one mechanism (ADR 0031).

While a signed-in user's request is served, every record of a patient that is loaded from the
database is noted: a ``post_init`` receiver on each model that declares ``PATIENT_PATH`` (the
same declaration the access rules use, so a new patient-scoped model is covered as soon as it
can be scoped) and on the audit trail's own entries (their ``patient_id``). When the answer is a
success (2xx), :class:`AuditReads` appends ONE entry for the request, naming every patient read:

* ``action``: ``download`` for a file (PDF, image, CSV, FHIR, an attachment), else ``view``;
* ``model`` ``patients.patient``; ``object_id`` and ``patient_id`` the patient when there is one,
  ``list`` and no ``patient_id`` when a list named several;
* ``changes``: ``{"patients": [ids...]}``; ``reason``: the method and path (never the query
  string, which may carry search text).

A sponsor's request (``sponsor.access.is_sponsor_access``: aggregate access, issue 15 item 5,
ADR 0050) is recorded even when it names no patient: its entry is marked
``changes["access"] = "aggregate"`` with the filters asked for (``changes["query"]``), and names
the patients whose records went into the figures, if any.

Pages, the API (django-ninja runs inside Django's request cycle), exports, reports and the Django
admin are all covered without a line in their views. Patients already named in this request by
an entry that committed (a change, a download recorded by a service with its own reason) are
not named again. Rows that are only counted never become instances and are not reads; rows a
streamed body loads after the view returned are not seen here, which is why the streamed
exports (list CSVs, FHIR) record their downloads before the first byte (and the URL-walking test
in ``tests/server/test_read_audit.py`` fails on a route that shows a patient without an entry).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_init
from django.http import HttpRequest, HttpResponseBase

from .chain import Change, append_many, on_append
from .models import AuditAction, AuditEntry, StagedEntry


@dataclass
class Reads:
    """What one request has loaded: patient ids known at once, and records whose patient is
    further away (``visit__patient``), resolved with one query per model when the request ends."""

    patients: set[int] = field(default_factory=set)
    pending: dict[type[models.Model], set[Any]] = field(default_factory=lambda: defaultdict(set))
    appended: set[str] = field(default_factory=set)  # hashes of entries this request appended
    staged: set[int] = field(default_factory=set)  # ids of entries it staged (ADR 0051)
    appended_any: bool = False  # the request appended an entry (a change, a recorded download)
    # Patients named by entries whose transaction is known to have committed (told by
    # ``transaction.on_commit``): covered without asking the database (ADR 0054).
    committed: set[int] = field(default_factory=set)
    # The site of each patient row the request loaded (patient id -> site id): the entry's site
    # is worked out from these, without reading the patients again (ADR 0058).
    sites: dict[int, int] = field(default_factory=dict)

    def named(self) -> set[int]:
        found = set(self.patients)
        for model, pks in self.pending.items():
            path: str = model.PATIENT_PATH  # type: ignore[attr-defined]
            found.update(model._base_manager.filter(pk__in=pks).values_list(path, flat=True))
        found.discard(None)  # type: ignore[arg-type]
        return found


_current: ContextVar[Reads | None] = ContextVar("cordtrack_reads", default=None)

#: Records that name a patient without belonging to one (no ``PATIENT_PATH``): the field that
#: names them. An audit entry shows a patient's changes; an autologous lot, its source patient.
NAMING_FIELDS: dict[str, str] = {
    "audit.auditentry": "patient_id",
    "audit.stagedentry": "patient_id",
    "therapy.cellproductlot": "source_patient_id",
}


def _loaded(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reads = _current.get()
    if reads is None or instance.pk is None:  # outside a request, or built in code (not read)
        return
    naming = NAMING_FIELDS.get(sender._meta.label_lower)
    if naming is not None:
        patient = instance.__dict__.get(naming)
        if patient is not None:
            reads.patients.add(int(patient))
        return
    path: str = sender.PATIENT_PATH  # type: ignore[attr-defined]
    if path == "id":
        reads.patients.add(int(instance.pk))
        site = instance.__dict__.get("site_id")
        if site is not None:
            reads.sites[int(instance.pk)] = int(site)
        return
    if "__" not in path and f"{path}_id" in instance.__dict__:
        patient = instance.__dict__[f"{path}_id"]
        if patient is not None:
            reads.patients.add(int(patient))
        return
    reads.pending[sender].add(instance.pk)  # a longer path, or the key was not loaded


def note(patient_ids: Iterable[int]) -> None:
    """Note patients whose records the current request read as values (``.values()``, a report
    reading columns), which never become model instances for the receivers above to see."""
    reads = _current.get()
    if reads is not None:
        reads.patients.update(int(p) for p in patient_ids)


def note_sites(pairs: Iterable[tuple[int, int]]) -> None:
    """Note the site of patients read as values (``(patient id, site id)`` pairs), so that the
    request's entry needs no query for them (a cohort report names thousands)."""
    reads = _current.get()
    if reads is not None:
        reads.sites.update((int(p), int(s)) for p, s in pairs)


def _sites_of(named: list[int], reads: Reads) -> set[int]:
    """The sites of the ``named`` patients: those the request loaded, and the others read; none
    read once two sites are known (the entry then names no site whatever the others are)."""
    found = {reads.sites[p] for p in named if p in reads.sites}
    unknown = [p for p in named if p not in reads.sites]
    if unknown and len(found) < 2:
        from ..patients.models import Patient

        rows = Patient._base_manager.filter(pk__in=unknown).values_list("site_id", flat=True)
        found.update(rows)
    return found


def _appended(entries: Sequence[AuditEntry], actor: Any) -> None:
    """Entries appended during the request (changes, a service's downloads): the patients they
    name need no second entry, if they committed (checked by hash when the request ends)."""
    reads = _current.get()
    if reads is not None:
        reads.appended_any = reads.appended_any or bool(entries)
        named: set[int] = set()
        for e in entries:
            if e.patient_id is None:
                continue
            named.add(int(e.patient_id))
            if isinstance(e, StagedEntry):
                reads.staged.add(e.pk)
            else:
                reads.appended.add(e.hash)
        if named:
            # Run only if the outermost transaction commits (dropped with a savepoint rolled
            # back); when it never runs here (a test's enclosing transaction), the hashes and
            # staged ids above are looked up instead.
            transaction.on_commit(functools.partial(reads.committed.update, named))


def _covered(reads: Reads) -> set[int]:
    if not reads.appended and not reads.staged:
        return set()
    hashes = sorted(reads.appended)
    covered: set[int] = set()
    for start in range(0, len(hashes), 500):  # a bulk export appends one entry per patient
        chunk = hashes[start : start + 500]
        rows = AuditEntry.objects.filter(hash__in=chunk).values_list("patient_id", flat=True)
        covered.update(int(p) for p in rows if p is not None)
    staged = sorted(reads.staged)
    for start in range(0, len(staged), 500):  # committed: still staged, or chained since
        ids = staged[start : start + 500]
        for found in (
            StagedEntry.objects.filter(pk__in=ids).values_list("patient_id", flat=True),
            AuditEntry.objects.filter(staged_id__in=ids).values_list("patient_id", flat=True),
        ):
            covered.update(int(p) for p in found if p is not None)
    return covered


def install() -> None:
    """Connect the receivers (``AuditConfig.ready``)."""
    for model in apps.get_models():
        if hasattr(model, "PATIENT_PATH") or model._meta.label_lower in NAMING_FIELDS:
            post_init.connect(_loaded, sender=model, dispatch_uid=f"reads-{model._meta.label}")
    on_append(_appended)


#: Content types of pages and API answers; anything else (PDF, PNG, CSV, FHIR) is a download.
_VIEWED = ("text/html", "application/json")


def _action(response: HttpResponseBase) -> AuditAction:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return AuditAction.DOWNLOAD
    return AuditAction.VIEW if kind in _VIEWED or not kind else AuditAction.DOWNLOAD


#: The filters a sponsor's entry records (never free text: no search box on those pages).
_AGGREGATE_QUERY = ("site", "protocol", "cell_type", "route", "baseline_ais", "phase",
                    "definition", "at_least", "formats")  # fmt: skip


def record_reads(
    actor: Any, request: HttpRequest, response: HttpResponseBase, reads: Reads,
    aggregate: bool = False,
) -> None:  # fmt: skip
    """Append the one entry of a request that read patient data (nothing if it read none);
    ``aggregate``: a sponsor's access, recorded even when it read none, unless the request
    appended its own entries (an export's downloads)."""
    named_set = reads.named()
    if not named_set and not aggregate:  # nothing read: skip the lookup of own entries
        return
    uncovered = named_set - reads.committed
    named = sorted(uncovered - _covered(reads)) if uncovered else []
    if not named and (not aggregate or reads.appended_any):
        return
    from ..patients.models import Patient

    sites = _sites_of(named, reads)
    single = named[0] if len(named) == 1 else None
    changes: dict[str, Any] = {"patients": named}
    if aggregate:
        query = {k: request.GET.getlist(k) for k in _AGGREGATE_QUERY if k in request.GET}
        changes |= {"access": "aggregate", "query": query}
    change = Change(
        _action(response), Patient._meta.label_lower, single if single is not None else "list",
        changes=changes, reason=f"{request.method} {request.path}"[:500],
        site_id=sites.pop() if len(sites) == 1 else None, patient_id=single,
    )  # fmt: skip
    with transaction.atomic():
        append_many(actor, [change])


def entries_about(patient_id: int) -> models.QuerySet[AuditEntry]:
    """Every entry about one patient: those naming them (``patient_id``) and the list reads that
    named them among others (``changes.patients`` of the ``list`` entries)."""
    lists = AuditEntry.objects.filter(model="patients.patient", object_id="list")
    if connection.vendor == "postgresql":
        named = lists.filter(changes__patients__contains=[patient_id])
    else:  # SQLite has no JSON containment lookup; its json_each reads the array
        table = AuditEntry._meta.db_table
        named = lists.filter(
            pk__in=RawSQL(
                f"SELECT a.id FROM {table} a, json_each(a.changes, '$.patients') p "
                "WHERE a.model = 'patients.patient' AND a.object_id = 'list' AND p.value = %s",
                (patient_id,),
            )
        )
    return AuditEntry.objects.filter(Q(patient_id=patient_id) | Q(pk__in=named.values("pk")))


class AuditReads:
    """Collect the patients a request reads; after a successful answer, audit them (one entry).
    Placed after authentication; anonymous requests read no patient data (every such page needs
    a sign-in) and are not recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reads = Reads()
        token = _current.set(reads)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)  # the API's bearer user replaces the session's
            signed_in = bool(user is not None and user.is_authenticated)
        finally:
            _current.reset(token)
        if signed_in and 200 <= response.status_code < 300:
            from ..sponsor.access import is_sponsor_access

            record_reads(user, request, response, reads, is_sponsor_access(user, request))
        return response
