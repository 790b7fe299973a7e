"""One cell product lot: its release tests, its release (a signature meaning "approved") and the
administrations that used it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import Cap, can, get_scoped_or_404
from ..services import therapy as therapy_services
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form, signature_context
from .models import CellProductLot


def _lot(request: HttpRequest, pk: int, cap: Cap = Cap.READ) -> CellProductLot:
    queryset = CellProductLot.objects.select_related("site", "source_patient", "released_by")
    return get_scoped_or_404(request.user, queryset, cap, pk=pk)


@login_required
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _lot(request, pk))


def _render(
    request: HttpRequest, lot: CellProductLot, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    sig = signature_context(lot)
    approved = [s for s in sig["sig_states"] if s.meaning == Meaning.APPROVED]
    release = approved[-1] if approved else None
    valid = release is not None and release.state == "valid"
    may_release = can(request.user, lot.site_id, Cap.PRODUCTS) and not valid
    context = {
        "lot": lot, "release": release, "valid_release": valid, **sig,
        "administrations": lot.administrations.select_related("patient").order_by(
            "administered_at"),
        "sign": sign_form(
            request.user, action=reverse("lot-release", args=[lot.pk]), meaning=Meaning.APPROVED,
            title="Release the lot" if release is None else "Release again", button="Release lot",
            statement="By signing I approve this lot for administration: its identity, its "
            "release tests and their results are as recorded.", errors=errors,
            form_id="release", note="A later change of the lot invalidates the release.",
        ) if may_release else None,
    }  # fmt: skip
    return render(request, "therapy/lot.html", context, status=422 if errors else 200)


@login_required
@require_POST
def lot_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release the lot (the product role), re-entering the password."""
    lot = _lot(request, pk, Cap.PRODUCTS)
    try:
        therapy_services.release_lot(
            request.user, lot, password=request.POST.get("password", ""), request=request
        )
    except ValidationError as exc:
        lot.refresh_from_db()
        return _render(request, lot, field_errors(exc))
    messages.success(request, "Lot released.")
    return redirect("lot-detail", pk=lot.pk)
