"""Site memberships: who holds which role at a site (site administrators), audited.

Separation of duties: nobody grants, changes or removes their own roles (a site administrator
cannot make themselves a clinician or a data manager, nor shed a role to hide a trail); another
administrator must. Every grant and removal states why, and the reason is on the audit trail with
who did it and for whom.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ..access import Cap, require
from ..accounts.models import Membership, Role, Site, User
from ..audit.chain import append, record_change, snapshot
from ..audit.models import AuditAction
from ..patients.models import Patient
from .base import FieldErrors, delete
from .patients import link_patient_user


def grant_role(
    actor: Any,
    site: Site,
    *,
    username: str,
    role: str,
    reason: str,
    password: str = "",
    study_id: str = "",
) -> Membership:
    """Give ``username`` a role at ``site`` for ``reason``, creating the account (with
    ``password``) if new. A patient role names the patient's study id and links the account to
    that record. Nobody grants a role to themselves."""
    require(actor, site, Cap.USERS)
    errors = FieldErrors()
    username = username.strip().lower()
    reason = reason.strip()
    if not username:
        errors.add("username", "is required")
    if not reason:
        errors.add("reason", "is required: say why this role is granted")
    if role not in Role.values:
        errors.add("role", f"{role!r} is not a role")
    user = User.objects.filter(username=username).first()
    own_name = str(getattr(actor, "username", "")).lower()
    if username and (username == own_name or (user is not None and user.pk == actor.pk)):
        errors.add(
            "username",
            "you cannot grant a role to yourself: another site administrator must grant it",
        )
    if user is None and username:
        if not password:
            errors.add("password", "is required for a new account")
        else:
            try:
                validate_password(password, User(username=username))
            except ValidationError as exc:
                for message in exc.messages:
                    errors.add("password", message)
    elif user is not None and password:
        errors.add("password", "leave empty for an existing account (it keeps its password)")
    if user is not None and Membership.objects.filter(user=user, site=site, role=role).exists():
        errors.add("role", "this user already has this role here")
    patient = None
    if role == Role.PATIENT:
        patient = Patient.objects.filter(site=site, study_id=study_id.strip().upper()).first()
        if patient is None:
            errors.add("study_id", "a patient account needs the study id of a patient of this site")
        elif patient.user_id is not None:
            errors.add("study_id", "this patient already has an account")
    errors.raise_if_any()
    with transaction.atomic():
        if user is None:
            user = User(username=username)
            user.set_password(password)
            user.save()
            # The account itself is not clinical data; its creation is still on the trail.
            append(actor, AuditAction.CREATE, "accounts.user", user.pk,
                   changes={"username": [None, username]}, reason=reason,
                   site_id=site.pk)  # fmt: skip
        membership = Membership(user=user, site=site, role=role)
        membership.full_clean()
        membership.save()
        record_change(actor, membership, None, reason=reason)
        if patient is not None:
            link_patient_user(actor, patient, user)
    return membership


def revoke_role(actor: Any, membership: Membership, *, reason: str) -> None:
    """Remove a role (with a reason); nobody removes their own."""
    require(actor, membership.site_id, Cap.USERS)
    errors = FieldErrors()
    if not reason.strip():
        errors.add("reason", "is required to remove a role")
    if membership.user_id == getattr(actor, "pk", None):
        errors.add("role", "you cannot remove your own role: another site administrator must")
    errors.raise_if_any()
    with transaction.atomic():
        delete(actor, membership, reason=reason)


def set_preferred_language(
    actor: Any, language: str, *, reason: str = "chosen on the language page"
) -> Any:
    """Record the signed-in ``actor``'s own language (one of ``settings.LANGUAGES``, or "" to
    follow the browser), on the audit trail. Anyone may choose their own; nobody another's."""
    known = {code for code, _ in settings.LANGUAGES}
    if language not in known and language != "":
        raise ValidationError({"language": f"{language!r} is not a language the registry offers"})
    user = User.objects.get(pk=actor.pk)
    with transaction.atomic():
        before = snapshot(user)
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        record_change(actor, user, before, reason=reason)
    actor.preferred_language = language
    return user
