"""Template context: the signed-in user's roles, for the page header."""

from __future__ import annotations

from django.http import HttpRequest


def memberships(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = list(user.memberships.values_list("site__code", "role"))
    roles = [f"{role.replace('_', ' ')}@{code}" for code, role in rows]
    admin_of = sorted({code for code, role in rows if role == "site_admin"})
    return {"my_roles": roles, "admin_of": admin_of}
