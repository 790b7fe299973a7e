"""Signing in and the signed-in user: Django's ``ModelBackend``, the user read with their patient
record in one statement.

Every request of a signed-in user asks who they are (the session's user) and then, for the page's
language and the portal's fence, whether they are a patient (``user.patient_record``): a second
statement on every request, which for staff always finds nothing (ADR 0060). Read together, the
answer is the same (``None`` cached when there is no record). Sessions signed in under Django's
own backend path are not recognised by this one: after the upgrade that brought it, everyone
signs in once again.

The same statement answers whether the user has enrolled a confirmed second-factor device
(``otp_enrolled``, an ``EXISTS`` per django-otp device class), which
``middleware.RequireOTPWhenEnrolled`` otherwise asked with a statement of its own on every request
of a user who has not verified one (every staff member without a device: ADR 0062).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, OuterRef, Q, Value
from django_otp import device_classes


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = (
                model._default_manager.select_related("patient_record")
                .annotate(otp_enrolled=enrolled())
                .get(pk=user_id)
            )
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def enrolled() -> Expression:
    """Whether the outer user has a confirmed device of any django-otp device class (what
    ``django_otp.user_has_device`` asks, one query per class)."""
    found = Q()
    for device in device_classes():
        found |= Q(Exists(device.objects.filter(user=OuterRef("pk"), confirmed=True)))
    return ExpressionWrapper(found, output_field=BooleanField()) if found else Value(False)
