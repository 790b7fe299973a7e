"""Randomising a patient from their page: the signed act of ``services.randomisation`` (ADR 0042).

The patient page shows the patient's allocations (the arm only to users kept unblinded,
``reports.arms.may_see_arms``) with their signatures, and, to a clinician or coordinator of the
site when the service would accept it now, the form that randomises with the password re-entered.
Nothing on the page undoes or changes an allocation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import Cap, get_scoped_or_404
from ..patients.models import Patient
from ..reports.arms import may_see_arms
from ..services import randomisation as services
from ..services import signatures, unblinding
from ..signatures.models import Meaning
from ..signatures.pages import field_errors, sign_form
from .models import Randomisation
from .unblind_views import unblind_form


def randomisation_context(user: Any, patient: Patient) -> dict[str, Any] | None:
    """``randomisation`` of the patient page (None: not screened for a randomised protocol)."""
    made = list(Randomisation.objects.filter(patient=patient).select_related("protocol"))
    screened = patient.screenings.filter(protocol__design="randomised").exists()
    if not made and not screened:
        return None
    rows = [{"r": r, "signatures": signatures.states(r), "notes": list(r.notes.all()),
             "unblindings": list(r.unblindings.select_related("requested_by"))}
            for r in made]  # fmt: skip
    reason = services.blocking_reason(user, patient) if screened else ""
    may = screened and not reason
    return {
        "rows": rows, "show_arm": may_see_arms(user), "reason": reason,
        "may_note": bool(made) and unblinding.may_annotate(user, patient),
        "unblind": unblind_form(user, patient) if made else None,
        "sign": sign_form(
            user, action=reverse("patient-randomise", args=[patient.pk]),
            meaning=Meaning.AUTHORED, title=_("Randomise"), button=_("Sign and randomise"),
            statement=_("By signing I randomise this eligible, consented patient: the next "
                        "allocation of their stratum is given to them. It cannot be undone."),
            form_id="randomise",
        ) if may else None,
    }  # fmt: skip


@login_required
@require_POST
def patient_randomise(request: HttpRequest, pk: int) -> HttpResponse:
    """Randomise the patient (clinician or coordinator of the site), signed with the password."""
    patient = get_scoped_or_404(request.user, Patient.objects.select_related("site"), Cap.READ,
                                pk=pk)  # fmt: skip
    try:
        made = services.randomise(
            request.user, patient, password=request.POST.get("password", ""), request=request
        )
    except services.AlreadyRandomisedError as exc:
        messages.error(request, _("Not randomised: the patient is %(why)s.") % {"why": exc})
    except ValidationError as exc:
        for field, problems in field_errors(exc).items():
            for problem in problems:
                messages.error(request, f"{field}: {problem}")
    else:
        messages.success(
            request,
            _("Randomised (signed): %(study_id)s is allocated to %(arm)s.")
            % {"study_id": patient.study_id, "arm": made.arm},
        )
    return redirect("patients:detail", pk=patient.pk)
