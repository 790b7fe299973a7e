"""Who may see and change what: roles, capabilities, and the one queryset helper.

Every query of clinical data in a view goes through :func:`scoped` (lists, search, counts,
downloads) or :func:`get_scoped_or_404` (one record). A record outside the user's sites is
answered with 404, never 403, so its existence does not leak. See ``docs/adr/0003-permissions.md``.

Each scoped model declares ``SITE_PATH`` (the lookup from the model to its site id, e.g.
``"patient__site"``) and ``PATIENT_PATH`` (to its patient, e.g. ``"patient"``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from .accounts.models import Membership, Role, Site
from .prepared import Prepared


class Cap(StrEnum):
    """Capabilities; a role grants a set of them at one site."""

    READ = "read"  # see every record of the site
    INTAKE = "intake"  # patients, consent, inquiries, documents
    CLINICAL = "clinical"  # exams, eligibility, administrations, adverse events, instruments
    VISITS = "visits"  # visit status, logistics
    PRODUCTS = "products"  # cell product lots
    USERS = "users"  # site memberships
    AUDIT = "audit"  # the audit trail
    QUERIES = "queries"  # raise, close and re-open data queries
    SDV = "sdv"  # source data verification marks
    SAFETY_REVIEW = "safety_review"  # close a followed-up adverse event with a signature
    EXPORT = "export"  # bulk exports of the site's records, run as background jobs (/jobs/)
    PROTOCOLS = "protocols"  # draft and activate protocol versions (not site-scoped)
    ASSESS = "assess"  # enter and sign ISNCSCI exams and instruments (outcome assessment)
    # Aggregate figures and the de-identified export of the site, never a record (the sponsor,
    # cordtrack.server.sponsor; ADR 0050). It grants no READ: scoped() gives such a user nothing.
    AGGREGATE = "aggregate"


ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.CLINICIAN: frozenset({Cap.READ, Cap.CLINICAL, Cap.ASSESS, Cap.VISITS}),
    Role.COORDINATOR: frozenset({Cap.READ, Cap.INTAKE, Cap.VISITS, Cap.PRODUCTS}),
    Role.DATA_MANAGER: frozenset(
        {
            Cap.READ,
            Cap.INTAKE,
            Cap.CLINICAL,
            Cap.ASSESS,
            Cap.VISITS,
            Cap.PRODUCTS,
            Cap.AUDIT,
            Cap.QUERIES,
            Cap.EXPORT,
            Cap.PROTOCOLS,
        }
    ),
    # A monitor reads, raises and closes queries, verifies against source and closes adverse
    # events after review (a signature): it enters no data.
    Role.MONITOR: frozenset({Cap.READ, Cap.AUDIT, Cap.QUERIES, Cap.SDV, Cap.SAFETY_REVIEW}),
    Role.SITE_ADMIN: frozenset({Cap.READ, Cap.USERS, Cap.AUDIT}),
    # A patient reads their own record only; handled through PATIENT_PATH, never through sites.
    Role.PATIENT: frozenset(),
    # The unblinded statistician reads the site (as a monitor would) and, alone, the allocation
    # lists (services/randomisation.py; ADR 0033). It enters no data.
    Role.UNBLINDED: frozenset({Cap.READ}),
    # The blinded outcome assessor reads what assessment needs and enters exams and instruments;
    # blinding.py keeps every other page and every treatment row from it (ADR 0040).
    Role.ASSESSOR: frozenset({Cap.READ, Cap.ASSESS}),
    # The sponsor: cross-site aggregates, per-arm safety, the de-identified export (ADR 0050).
    Role.SPONSOR: frozenset({Cap.AGGREGATE}),
}

M = TypeVar("M", bound=models.Model)


#: A user's (site, role, site code) rows: asked once by every request that checks access; the
#: page header shows the roles by site code (``accounts.context``) from the same rows.
_MEMBERSHIPS: Prepared[tuple[int, str, str]] = Prepared(
    lambda user_id: Membership.objects.filter(user_id=user_id).values_list(
        "site_id", "role", "site__code"
    ),
    int,
)


def site_ids(user: Any, cap: Cap = Cap.READ) -> set[int]:
    """Ids of the sites where ``user`` holds a role that grants ``cap``."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached: dict[Cap, set[int]] | None = getattr(user, "_cordtrack_site_caps", None)
    if cached is None:
        cached = {c: set() for c in Cap}
        held: set[str] = set()
        patient_sites: set[int] = set()
        rows = _MEMBERSHIPS.rows(user.pk)
        user._cordtrack_memberships = tuple((code, role) for _, role, code in rows)
        for site_id, role, _ in rows:
            held.add(role)
            if role == Role.PATIENT:
                patient_sites.add(site_id)
            for granted in ROLE_CAPS.get(role, frozenset()):
                cached[granted].add(site_id)
        user._cordtrack_site_caps = cached
        user._cordtrack_roles = frozenset(held)
        user._cordtrack_patient_sites = frozenset(patient_sites)
    return cached[cap]


def roles_of(user: Any) -> frozenset[str]:
    """The roles ``user`` holds at any site (read with :func:`site_ids`' one query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    site_ids(user)
    held: frozenset[str] = user._cordtrack_roles
    return held


def memberships_of(user: Any) -> tuple[tuple[str, str], ...]:
    """``user``'s (site code, role) pairs (read with :func:`site_ids`' one query)."""
    if not getattr(user, "is_authenticated", False):
        return ()
    site_ids(user)
    found: tuple[tuple[str, str], ...] = user._cordtrack_memberships
    return found


def own_patient_id(user: Any) -> int | None:
    """The patient record of a patient user (with an active patient membership at its site),
    else None. The memberships are :func:`site_ids`' (read once per user object); the record is
    looked up only for a user with a patient membership, once (Django keeps it on the user)."""
    if not getattr(user, "is_authenticated", False):
        return None
    site_ids(user)
    patient_sites: frozenset[int] = user._cordtrack_patient_sites
    if not patient_sites:
        return None
    record = getattr(user, "patient_record", None)
    if record is None or record.site_id not in patient_sites:
        return None
    return int(record.pk)


def scoped(user: Any, queryset: models.QuerySet[M], cap: Cap = Cap.READ) -> models.QuerySet[M]:
    """``queryset`` limited to what ``user`` may see (``cap=READ``) or change (another cap)."""
    model = queryset.model
    site_path: str = model.SITE_PATH  # type: ignore[attr-defined]
    condition = models.Q((f"{site_path}__in", site_ids(user, cap)))
    patient_path: str | None = getattr(model, "PATIENT_PATH", None)
    patient_id = own_patient_id(user) if cap is Cap.READ and patient_path else None
    if patient_path is not None and patient_id is not None:
        condition |= models.Q((patient_path, patient_id))
    return queryset.filter(condition)


def site_id_of(obj: models.Model) -> int:
    """The site id of a scoped record, following its ``SITE_PATH``."""
    parts = obj.SITE_PATH.split("__")  # type: ignore[attr-defined]
    target: Any = obj
    for part in parts[:-1]:
        target = getattr(target, part)
    last = parts[-1]
    return int(target.pk if last == "id" else getattr(target, f"{last}_id"))


def patient_id_of(obj: models.Model) -> int | None:
    """The patient id of a scoped record, following its ``PATIENT_PATH`` (None if it has none)."""
    path: str | None = getattr(obj, "PATIENT_PATH", None)
    if path is None:
        return None
    parts = path.split("__")
    target: Any = obj
    for part in parts[:-1]:
        target = getattr(target, part)
    last = parts[-1]
    return int(target.pk if last == "id" else getattr(target, f"{last}_id"))


def get_scoped_or_404(
    user: Any, queryset: models.QuerySet[M], cap: Cap = Cap.READ, **lookup: Any
) -> M:
    """One record the user may see, else 404 (existing or not); 403 if they may see it but
    ``cap`` is not theirs at its site."""
    try:
        obj = scoped(user, queryset, Cap.READ).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404("No such record") from None
    if cap is not Cap.READ:
        require(user, site_id_of(obj), cap)
    return obj


def require(user: Any, site: Site | int, cap: Cap) -> None:
    """Raise PermissionDenied unless ``user`` holds ``cap`` at ``site``."""
    site_id = site if isinstance(site, int) else site.pk
    if site_id not in site_ids(user, cap):
        raise PermissionDenied(f"role does not allow '{cap.value}' at this site")


def can(user: Any, site: Site | int, cap: Cap) -> bool:
    site_id = site if isinstance(site, int) else site.pk
    return site_id in site_ids(user, cap)
