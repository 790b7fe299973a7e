"""Signing in and the signed-in user: Django's ``ModelBackend``, the user read with their patient
record in one statement.

Every request of a signed-in user asks who they are (the session's user) and then, for the page's
language and the portal's fence, whether they are a patient (``user.patient_record``): a second
statement on every request, which for staff always finds nothing (ADR 0060). Read together, the
answer is the same (``None`` cached when there is no record). Sessions signed in under Django's
own backend path are not recognised by this one: after the upgrade that brought it, everyone
signs in once again. The statement is compiled once per connection (``prepared``).

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

from ..prepared import Prepared


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _USER.first(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def confirmed_device() -> Expression:
    """Whether the outer user has a confirmed device of any django-otp device class (what
    ``django_otp.user_has_device`` asks, one query per class)."""
    found = Q()
    for device in device_classes():
        found |= Q(Exists(device.objects.filter(user=OuterRef("pk"), confirmed=True)))
    return ExpressionWrapper(found, output_field=BooleanField()) if found else Value(False)


#: The user with their patient record and whether they have a confirmed device: asked on every
#: signed-in request, so compiled once per connection (``prepared``, ADR 0057 and 0062).
_USER: Prepared[Any] = Prepared(
    lambda pk: (
        get_user_model()
        ._default_manager.select_related("patient_record")
        .annotate(otp_enrolled=confirmed_device())
        .filter(pk=pk)[:1]
    ),
    int,
)
