"""``/healthz``: is this application server fit to receive traffic?

Each check is a zero-argument callable returning ``(ok, detail)``, named by its dotted path in
``settings.HEALTH_CHECKS``, so a part that runs elsewhere (the background worker's heartbeat)
adds its own check without this module knowing it. Details name counts and states only, never
patient data, and no exception text (it could name a host or a user).

The endpoint needs no sign-in, sets no cookie and is exempt from the HTTPS redirect, so a load
balancer can probe it over the private network: 200 when every check passes, 503 otherwise, with
``{"status": "ok"|"fail", "checks": {name: {"ok": bool, "detail": str}}}``. The parts named in
``settings.HEALTH_REPORTS`` (the worker's heartbeat) are in ``checks`` too, with
``"required": false``: shown for monitoring, never a reason for 503.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

Check = Callable[[], tuple[bool, str]]
_migrated = False  # once every migration is applied in this process, it stays so


def database() -> tuple[bool, str]:
    """The database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, f"database unreachable ({type(exc).__name__})"
    return True, f"{connection.vendor} reachable"


def migrations() -> tuple[bool, str]:
    """Every migration this code knows is applied (a server started on a newer release than the
    database's schema is not ready until ``migrate`` has run)."""
    global _migrated
    if _migrated:
        return True, "all applied"
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return False, f"cannot read the applied migrations ({type(exc).__name__})"
    if plan:
        return False, f"{len(plan)} migration(s) not applied: run `cordtrack manage migrate`"
    _migrated = True
    return True, "all applied"


def run_checks(paths: list[str] | None = None) -> dict[str, tuple[bool, str]]:
    """Every configured check's result (``paths``, default ``HEALTH_CHECKS``), by its short name;
    a check that raises fails."""
    results: dict[str, tuple[bool, str]] = {}
    for path in settings.HEALTH_CHECKS if paths is None else paths:
        name = path.rsplit(".", 1)[-1]
        try:
            check: Check = import_string(path)
            results[name] = check()
        except Exception as exc:  # a broken check must show as a failure, not a 500
            results[name] = (False, f"check failed ({type(exc).__name__})")
    return results


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    reports = run_checks(list(getattr(settings, "HEALTH_REPORTS", [])))
    healthy = all(ok for ok, _ in results.values())
    checks = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()}
    # A report is shown but never fails the probe: "required": false says so to monitoring.
    checks.update(
        {name: {"ok": ok, "detail": detail, "required": False}
         for name, (ok, detail) in reports.items() if name not in checks}
    )  # fmt: skip
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks},
        status=200 if healthy else 503,
    )
