"""Signing in and the signed-in user: Django's ``ModelBackend``, the user read with their patient
record in one statement.

Every request of a signed-in user asks who they are (the session's user) and then, for the page's
language and the portal's fence, whether they are a patient (``user.patient_record``): a second
statement on every request, which for staff always finds nothing (ADR 0060). Read together, the
answer is the same (``None`` cached when there is no record). Sessions signed in under Django's
own backend path are not recognised by this one: after the upgrade that brought it, everyone
signs in once again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("patient_record").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
