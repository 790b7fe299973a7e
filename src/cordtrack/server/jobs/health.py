"""The worker's part of ``/healthz``: is some worker beating?"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .models import WorkerBeat
from .worker import stale_limit


def worker_heartbeat() -> tuple[bool, str]:
    """(ok, detail): ok when at least one worker beat within ``JOBS_WORKER_STALE_SECONDS``."""
    now = timezone.now()
    alive = WorkerBeat.objects.filter(beat_at__gte=stale_limit(now))
    count = alive.count()
    if not count:
        limit = settings.JOBS_WORKER_STALE_SECONDS
        return False, f"no worker has beaten in the last {limit} s (start: cordtrack worker)"
    latest = max(alive.values_list("beat_at", flat=True))
    ago = (now - latest).total_seconds()
    return True, f"{count} worker{'s' if count > 1 else ''}, last beat {ago:.0f} s ago"
