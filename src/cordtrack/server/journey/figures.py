"""The dashboard's counts: computed per site in grouped queries, and kept a few seconds.

:func:`site_figures` counts, for all the given sites at once, one grouped query per kind of
record (ADR 0053). Those counts read every record of a site (10,000 patients a site: about 200 ms
of database time), which no page asked by 32 users at once can afford on every request; so
:func:`figures_as_of` keeps them in the shared cache (the database's, seen by every worker
process: ADR 0056) for ``settings.DASHBOARD_FIGURES_SECONDS``, per site, per blinding view and
per day, and says when they were counted: the page shows "counts as of 14:02:31".

* **Who sees what is unchanged.** The key holds the site and the request's blinding (ADR 0040):
  a blinded assessor's counts (treatment records hidden) are computed during a blinded request
  and are never shown to anyone else, nor theirs to the assessor; a user is shown only the sites
  ``access.site_ids`` gives them, as before. Counts are not reads of patient records (no record
  becomes an instance: ``audit.reads``), so neither computing nor reusing them is audited.
* **Staleness is bounded and shown.** A count is recomputed once it is older than the setting;
  one request recomputes (it takes a short lock in the cache) while the others show the previous
  counts with their time, for at most :data:`SERVE_STALE_FACTOR` times the setting, after which
  every request recomputes rather than show older counts. Lists (visits due, serious events,
  recent exams, open queries) are never cached: they are read on every request.
* ``DASHBOARD_FIGURES_SECONDS = 0`` counts on every request (the time shown is then now).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Q
from django.utils import timezone

from .. import blinding
from ..followup.models import Visit, VisitStatus
from ..intake.models import Inquiry, InquiryStatus
from ..monitoring.models import DataQuery, QueryStatus
from ..safety.models import AdverseEvent
from ..services import verification
from ..services.verification import Progress

SOON_DAYS: Final = 14  # "window opening in 14 days"
#: Counts older than the setting are still shown while one request recomputes them, up to this
#: many times the setting; beyond it nobody is shown them.
SERVE_STALE_FACTOR: Final = 4
_VERSION: Final = 1  # part of the key: a change of what is kept never reads an older entry
_LOCK_SECONDS: Final = 60  # a recomputing request that died frees its lock after this


def _clock() -> dt.datetime:
    return timezone.now()  # its own function: the tests move it


def visit_windows(today: dt.date) -> dict[str, Q]:
    """Scheduled visits by where today falls in their window (inclusive at both ends)."""
    return {
        "due_count": Q(window_open__lte=today, window_close__gte=today),
        "overdue_count": Q(window_close__lt=today),
        "soon_count": Q(
            window_open__gt=today, window_open__lte=today + dt.timedelta(days=SOON_DAYS)
        ),
    }


def _by_site(rows: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row.pop("patient__site_id"): row for row in rows}


def site_figures(sites: Iterable[int], today: dt.date) -> dict[int, dict[str, Any]]:
    """The counts of each site's dashboard: intake pipeline, visits in window, overdue and
    opening soon, open serious adverse events, open data queries, verification progress.

    Each kind is one query grouped by site (every count of a kind in one pass over its rows,
    ``COUNT(*) FILTER (WHERE ...)``) instead of a query per count per site. The default managers
    are used, so a blinded request counts what it may see (ADR 0040)."""
    wanted = sorted(set(sites))
    scope = Q(patient__site_id__in=wanted)
    pipeline: dict[int, dict[str, int]] = {site: {} for site in wanted}
    for row in (
        Inquiry.objects.filter(scope).order_by()
        .values("patient__site_id", "status").annotate(n=Count("pk"))
    ):  # fmt: skip
        pipeline[row["patient__site_id"]][row["status"]] = row["n"]
    windows = visit_windows(today)
    visits = _by_site(
        Visit.objects.filter(scope, status=VisitStatus.SCHEDULED).order_by()
        .values("patient__site_id")
        .annotate(**{name: Count("pk", filter=cond) for name, cond in windows.items()})
    )  # fmt: skip
    serious = _by_site(
        AdverseEvent.objects.filter(scope, serious=True, closed_at__isnull=True).order_by()
        .values("patient__site_id").annotate(serious_count=Count("pk"))
    )  # fmt: skip
    queries = _by_site(
        DataQuery.objects.filter(scope).exclude(status=QueryStatus.CLOSED).order_by()
        .values("patient__site_id").annotate(queries_count=Count("pk"))
    )  # fmt: skip
    sdv = verification.progress_by_site(wanted)
    figures = {}
    for site in wanted:
        counts = pipeline[site]
        figures[site] = {
            "pipeline": [(v, label, counts.get(v, 0)) for v, label in InquiryStatus.choices],
            **{name: visits.get(site, {}).get(name, 0) for name in windows},
            "serious_count": serious.get(site, {}).get("serious_count", 0),
            "queries_count": queries.get(site, {}).get("queries_count", 0),
            "sdv": list(sdv[site].values()),
        }
    return figures


def _kept(figures: dict[str, Any]) -> dict[str, Any]:
    """What the cache keeps of one site's figures: numbers and plain strings only (the pipeline's
    labels are translated when shown, in the reader's language)."""
    return figures | {
        "pipeline": [(value, n) for value, _, n in figures["pipeline"]],
        "sdv": [(p.label, p.verified, p.total) for p in figures["sdv"]],
    }


def _shown(kept: dict[str, Any]) -> dict[str, Any]:
    labels = dict(InquiryStatus.choices)
    return kept | {
        "pipeline": [(value, labels[value], n) for value, n in kept["pipeline"]],
        "sdv": [Progress(label, verified, total) for label, verified, total in kept["sdv"]],
    }


def _key(site: int, today: dt.date) -> str:
    # The blinding mode of the request ("", assessor, participant): what the default managers
    # hide differs, so do the counts.
    view = blinding.current_mode() or "open"
    return f"dashboard-figures:{_VERSION}:{site}:{view}:{today.isoformat()}"


def figures_as_of(
    sites: Iterable[int], today: dt.date
) -> tuple[dict[int, dict[str, Any]], dict[int, dt.datetime]]:
    """:func:`site_figures` of each site, from the shared cache when recent enough, with the time
    each site's counts were made (see the module's notes on staleness)."""
    wanted = sorted(set(sites))
    seconds = settings.DASHBOARD_FIGURES_SECONDS
    now = _clock()
    if seconds <= 0 or not wanted:
        return site_figures(wanted, today), dict.fromkeys(wanted, now)
    cache = caches["shared"]
    keys = {site: _key(site, today) for site in wanted}
    found: dict[str, dict[str, Any]] = cache.get_many(list(keys.values()))
    fresh, stale, missing = {}, {}, []
    for site, key in keys.items():
        entry = found.get(key)
        if entry is None:
            missing.append(site)
            continue
        age = (now - entry["at"]).total_seconds()
        if age <= seconds:
            fresh[site] = entry
        elif age <= seconds * SERVE_STALE_FACTOR:
            stale[site] = entry
        else:
            missing.append(site)
    # One request recomputes counts past their time; the others show them meanwhile.
    recompute = missing + [s for s in stale if cache.add(f"{keys[s]}:lock", 1, _LOCK_SECONDS)]
    if recompute:
        counted = site_figures(recompute, today)
        at = _clock()
        entries = {site: {"at": at, "figures": _kept(counted[site])} for site in recompute}
        cache.set_many(
            {keys[site]: entry for site, entry in entries.items()},
            timeout=seconds * SERVE_STALE_FACTOR,
        )
        cache.delete_many([f"{keys[s]}:lock" for s in recompute if s in stale])
        fresh.update(entries)
    shown = fresh | {site: entry for site, entry in stale.items() if site not in fresh}
    return (
        {site: _shown(shown[site]["figures"]) for site in wanted},
        {site: shown[site]["at"] for site in wanted},
    )
