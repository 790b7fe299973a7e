"""The worker's part of ``/healthz``: is some worker beating, and how long ago did one beat?

Shown in the body of ``/healthz`` (``settings.HEALTH_REPORTS``; a check deciding the status only
with ``CORDTRACK_HEALTH_REQUIRE_WORKER=1``: docs/deploy.md says why).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .models import WorkerBeat
from .worker import stale_limit


def worker_heartbeat() -> tuple[bool, str]:
    """(ok, detail): ok when at least one worker beat within ``JOBS_WORKER_STALE_SECONDS``; the
    detail names the age of the latest beat and whether it is stale."""
    now = timezone.now()
    limit = settings.JOBS_WORKER_STALE_SECONDS
    latest = WorkerBeat.objects.aggregate(latest=Max("beat_at"))["latest"]
    if latest is None:
        return False, "stale: no worker has ever beaten (start: cordtrack worker)"
    ago = max(0.0, (now - latest).total_seconds())
    count = WorkerBeat.objects.filter(beat_at__gte=stale_limit(now)).count()
    if not count:
        return False, (
            f"stale: last beat {ago:.0f} s ago, over the {limit} s limit (start: cordtrack worker)"
        )
    return True, f"{count} worker{'s' if count > 1 else ''}, last beat {ago:.0f} s ago"
