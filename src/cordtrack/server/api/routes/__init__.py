"""The API's operations, one module per part of the journey."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ...access import Cap, get_scoped_or_404, site_ids
from ...accounts.models import Site, User
from ...patients.models import Patient
from ...prepared import Prepared
from ...services.base import FieldErrors
from ..vocabulary import MAX_ID


def user_of(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


#: A patient with its site, by id (every write about a patient starts here).
_PATIENT: Prepared[Patient] = Prepared(
    lambda pk: Patient.objects.filter(pk=pk).select_related("site").order_by("pk")[:1], int
)


def patient_of(request: HttpRequest, patient_id: int, *, field: str = "patient_id") -> Patient:
    """A patient the user may see; a field error (422) otherwise, so nothing leaks."""
    patient = _PATIENT.first(patient_id)
    if patient is None or not _patient_visible(request, patient):
        errors = FieldErrors()
        errors.add(field, f"no patient {patient_id} that you may see")
        errors.raise_if_any()
    assert patient is not None
    return patient


def _patient_visible(request: HttpRequest, patient: Patient) -> bool:
    """:func:`access.scoped`'s rule, decided on the row already read: a patient of one of the
    user's sites (no second query; the common case of every write), else the user's own record
    (a patient user), which :func:`_visible` asks the database."""
    if patient.site_id in site_ids(user_of(request), Cap.READ):
        return True
    return _visible(request, patient)


def _visible(request: HttpRequest, obj: Model) -> bool:
    from ...access import scoped

    return scoped(user_of(request), type(obj)._default_manager.filter(pk=obj.pk)).exists()


def related(request: HttpRequest, queryset: QuerySet[Any], pk: int | None, field: str) -> Any:
    """A record named in a body (a lot, a visit...) the user may see, else a field error."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None or not _visible(request, obj):
        errors = FieldErrors()
        errors.add(field, f"no record {pk} that you may see")
        errors.raise_if_any()
    return obj


def site_of(request: HttpRequest, code: str) -> Site:
    """A site the user belongs to, by code; a field error otherwise."""
    site = Site.objects.filter(code=code).first()
    if site is None or site.pk not in site_ids(user_of(request), Cap.READ):
        errors = FieldErrors()
        errors.add("site", f"no site {code!r} of yours")
        errors.raise_if_any()
    assert site is not None
    return site


def checked_id(value: int) -> int:
    """Ids out of range are simply not found (and never reach the database)."""
    return value if 1 <= value <= MAX_ID else 0


def one(request: HttpRequest, queryset: QuerySet[Any], pk: int) -> Any:
    return get_scoped_or_404(user_of(request), queryset, Cap.READ, pk=pk)


__all__ = ["checked_id", "one", "patient_of", "related", "site_of", "user_of"]
