"""The synthetic cohort generator: a realistic registry of made-up patients, in bulk.

``generate(patients=100_000, sites=("NTH", "STH"), seed=1)`` plans each patient's journey
(:mod:`.plan`: inquiry, injury, screening, treatment with its lot, visits, adverse events), draws
exams whose recovery follows the natural-history figures with no treatment effect
(:mod:`.recovery`), builds every record in memory (:mod:`.records`) and inserts them in bulk in
chunks (:mod:`.writer`; ``COPY`` on PostgreSQL, :mod:`.tables`), all in one transaction with one
audit entry per patient. The same seed on the same day gives the same patients. Refused unless
demo mode is on (``CORDTRACK_DEMO=1``): synthetic patients never enter a real registry. A seed
already used for a site is refused too (the audit trail records each run), so a run cannot be
loaded twice.

Used by ``cordtrack demo --patients N`` and by ``load_demo`` (the treated cohort of ``make run``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from ..accounts.models import Site
from ..audit.chain import Change, append_many
from ..audit.models import AuditAction, AuditEntry
from ..services.intake import clinical_protocol
from .plan import COHORT_MIX, REGISTRY_MIX, plan_patient
from .tables import Tables
from .writer import SiteContext, write_chunk

__all__ = ["BATCH_MODEL", "Generated", "already_generated", "generate", "refresh_statistics"]

#: The audit entry that records a generator run (model label; object id = run key).
BATCH_MODEL: Final = "cordtrack.synthetic"
CHUNK: Final = 1000


@dataclass(frozen=True, slots=True)
class Generated:
    patients: int
    counts: dict[str, int]
    seconds: float
    key: str


def _run_key(seed: int, codes: Sequence[str], cohort: bool) -> str:
    return f"seed {seed} {'cohort' if cohort else 'registry'} {','.join(codes)}"[:40]


def already_generated(seed: int, codes: Sequence[str], cohort: bool = False) -> bool:
    """Whether this seed was already generated for these sites (recorded in the audit trail)."""
    key = _run_key(seed, codes, cohort)
    return AuditEntry.objects.filter(model=BATCH_MODEL, object_id=key).exists()


def refresh_statistics(written: Sequence[type[models.Model]]) -> None:
    """Refresh PostgreSQL's planner statistics of the tables just filled in bulk.

    Autovacuum analyses a table only after enough changes *and* its next nap, so right after a
    bulk load the planner still believes the tables hold their old (often no) rows and plans for
    that: at 20,000 generated patients, before ``ANALYZE``, the patient list's page query took
    21 ms instead of 6 ms and the dashboard's "recent exams" 499 ms instead of 117 ms (ADR
    0053). PostgreSQL's manual advises ``ANALYZE`` after a bulk load ("Populating a Database",
    14.4.9). SQLite's planner needs no statistics to pick these indexes: nothing is done there.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in dict.fromkeys(written):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _site(code: str) -> Site:
    from ..demo import SITES

    names = dict(SITES)
    site, _ = Site.objects.get_or_create(
        code=code, defaults={"name": names.get(code, f"Synthetic program {code}")}
    )
    return site


def generate(
    patients: int,
    sites: Sequence[str] = ("NTH", "STH"),
    seed: int = 1,
    *,
    cohort: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Generated:
    """Generate ``patients`` synthetic patients spread over ``sites`` (created when missing).

    ``cohort=True`` makes every patient a treated one followed past 12 months (the demo cohort);
    otherwise patients stand at every stage of the journey in registry-like shares.
    """
    from ..demo import _protocol, _users

    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("synthetic patients are only generated with CORDTRACK_DEMO=1")
    if patients < 1:
        raise ValueError("the number of patients must be at least 1")
    codes = list(dict.fromkeys(sites))
    key = _run_key(seed, codes, cohort)
    if already_generated(seed, codes, cohort):
        raise ValueError(f"already generated ({key}); choose another --seed")
    started = time.perf_counter()
    today = timezone.localdate()
    protocol = _protocol()
    mix = COHORT_MIX if cohort else REGISTRY_MIX
    counts: Counter[str] = Counter()
    with transaction.atomic():
        contexts = {}
        share = {code: patients // len(codes) + (i < patients % len(codes))
                 for i, code in enumerate(codes)}  # fmt: skip
        numbers: dict[tuple[str, int], int] = {}
        for code in codes:
            site = Site.objects.select_for_update().get(pk=_site(code).pk)
            contexts[code] = SiteContext(site, _users(site), protocol, clinical_protocol(protocol),
                                         seed)  # fmt: skip
            first = site.next_patient_number
            numbers.update({(code, i): first + i for i in range(share[code])})
            site.next_patient_number = first + share[code]
            site.save(update_fields=["next_patient_number"])
        order = [(code, i) for i in range(max(share.values())) for code in codes if i < share[code]]
        reason = f"synthetic data generated by cordtrack demo (seed {seed})"
        tables = Tables()
        for start in range(0, len(order), CHUNK):
            plans = [
                plan_patient(seed, code, i, today, mix) for code, i in order[start : start + CHUNK]
            ]
            counts.update(write_chunk(plans, contexts, numbers, today, reason, tables=tables))
            if progress is not None:
                progress(min(start + CHUNK, len(order)), len(order))
        summary = {"patients": patients, "sites": codes, "seed": seed, "cohort": cohort,
                   "as_of": today.isoformat(), **dict(counts)}  # fmt: skip
        append_many(None, [Change(AuditAction.CREATE, BATCH_MODEL, key, summary, reason)])
    refresh_statistics([*tables.filled, AuditEntry])
    return Generated(patients, dict(counts), time.perf_counter() - started, key)
