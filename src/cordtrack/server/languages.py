"""Which language a page or a message is in (issue 17 item 1, ADR 0043).

One rule, used by the pages (:class:`LanguageMiddleware`) and by what is sent to a patient
(:func:`patient_language`, inside ``translation.override``):

1. a signed-in user's own choice (``User.preferred_language``, set on /language/);
2. for a patient user, the language recorded on their patient record;
3. the language cookie chosen on /language/ (also before signing in);
4. the browser's ``Accept-Language``;
5. English (``settings.LANGUAGE_CODE``).

A code that is not one of ``settings.LANGUAGES`` (an old record, a typo) is skipped, never an
error: the next rule decides. Django's own ``LocaleMiddleware`` does steps 3 to 5 but knows
nothing of users, hence this one; it sits after ``AuthenticationMiddleware`` because it needs
``request.user``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def shipped(code: str | None) -> str | None:
    """``code`` when it is one of ``settings.LANGUAGES`` (``ar-EG`` counts as ``ar``)."""
    if not code:
        return None
    known = {c for c, _ in settings.LANGUAGES}
    code = code.lower()
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else None


def _patient_of(user: Any) -> Any:
    # The reverse one-to-one raises when there is no patient record; getattr's default covers it.
    return getattr(user, "patient_record", None)


def user_language(user: Any) -> str | None:
    """Steps 1 and 2: the signed-in user's choice, else their patient record's language."""
    if not getattr(user, "is_authenticated", False):
        return None
    chosen = shipped(getattr(user, "preferred_language", ""))
    if chosen:
        return chosen
    patient = _patient_of(user)
    return shipped(getattr(patient, "preferred_language", "")) if patient is not None else None


def patient_language(patient: Any) -> str:
    """The language of everything sent to ``patient`` (e-mails, SMS, their letter page):
    their own choice when they have an account and made one, else the language on their record,
    else English. Use as ``with translation.override(patient_language(p)): ...``."""
    user = getattr(patient, "user", None)
    chosen = shipped(getattr(user, "preferred_language", "")) if user is not None else None
    return chosen or shipped(patient.preferred_language) or settings.LANGUAGE_CODE


def request_language(request: HttpRequest) -> str:
    """Steps 1 to 5 for one request."""
    return user_language(request.user) or translation.get_language_from_request(request)


class LanguageMiddleware:
    """Activate the request's language; say so in ``Content-Language`` and vary the cached
    answer on the browser's languages and the cookie, as Django's ``LocaleMiddleware`` does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
