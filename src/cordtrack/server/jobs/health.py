"""The worker's part of ``/healthz``: is some worker beating, and how long ago did one beat?

Shown in the body of ``/healthz`` (``settings.HEALTH_REPORTS``; a check deciding the status only
with ``CORDTRACK_HEALTH_REQUIRE_WORKER=1``: docs/deploy.md says why).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .models import WorkerBeat
from .worker import running_workers


def worker_heartbeat() -> tuple[bool, str]:
    """(ok, detail): ok when at least one worker beat within ``JOBS_WORKER_STALE_SECONDS`` and
    has not stopped; the detail names the age of the latest beat, and, when none is running,
    whether the last worker stopped cleanly or is late (killed, hung, machine gone)."""
    now = timezone.now()
    limit = settings.JOBS_WORKER_STALE_SECONDS
    start = "(start: cordtrack worker)"
    last = WorkerBeat.objects.order_by("-beat_at").only("beat_at", "stopped_at").first()
    if last is None:  # none ever, or none for a day (tasks.prune forgets older beats)
        return False, f"stale: no worker has beaten in the last day {start}"
    ago = max(0.0, (now - last.beat_at).total_seconds())
    count = running_workers(now).count()
    if count:
        return True, f"{count} worker{'s' if count > 1 else ''}, last beat {ago:.0f} s ago"
    if last.stopped_at is not None:
        return False, (
            f"stale: no worker running; the last one stopped cleanly, last beat {ago:.0f} s ago "
            f"{start}"
        )
    return False, (
        f"stale: last beat {ago:.0f} s ago, over the {limit} s limit: the worker is late or "
        f"was lost {start}"
    )
