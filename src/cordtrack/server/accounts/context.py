"""Template context: the signed-in user's roles (and, for a patient user, their record), for the
page header and for hiding staff parts of the pages a patient may open."""

from __future__ import annotations

from django.http import HttpRequest

from ..access import memberships_of
from ..blinding import BLINDED_ROLES, product_hidden


def memberships(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = memberships_of(user)  # the access checks' rows: no query of its own
    roles = [f"{role.replace('_', ' ')}@{code}" for code, role in rows]
    admin_of = sorted({code for code, role in rows if role == "site_admin"})
    patient = getattr(user, "patient_record", None)
    sponsor_only = {role for _, role in rows} == {"sponsor"}
    return {"my_roles": roles, "admin_of": admin_of, "patient_user": patient is not None,
            "own_patient": patient,
            # A blinded outcome assessor's header links only the pages open to them (ADR 0040).
            "blinded_user": any(role in BLINDED_ROLES for _, role in rows),
            # Arm and product hidden in this request (an assessor, a randomised patient).
            "treatment_blinded": product_hidden(),
            "sponsor_only": sponsor_only}  # fmt: skip
