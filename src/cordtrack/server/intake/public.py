"""The public inquiry form (``/inquire/``): no login, rate limited per client address.

Post/redirect/get: a sent inquiry is answered with a redirect to ``/inquire/received/``, which
shows the reference kept in the session, so the browser's refresh (or back and forward) reloads
that page and sends nothing again. Nothing about the inquirer goes into a URL, and the session
(the only cookie besides CSRF's, set only once an inquiry was sent) holds just the reference and
digests of the form tokens already used. The same form posted again (a retry, "resend", a double
click, from this browser or any other) is not a second inquiry but a redirect to the first one's
reference: the token's digest is kept with the inquiry, unique (``Inquiry.form_token``). The rate
limit is counted in the database (``ratelimit.py``): neither depends on which worker process or
app server receives the post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import clients, ratelimit
from ..forms import add_service_errors, date_field
from ..formtokens import FIELD as TOKEN_FIELD
from ..patients.models import Sex
from ..services import public_inquiry

REGIONS = [
    ("cervical", gettext_lazy("Neck (cervical, C1–C8)")),
    ("thoracic", gettext_lazy("Upper or mid back (thoracic, T1–T12)")),
    ("lumbar", gettext_lazy("Lower back (lumbar, L1–L5)")),
    ("sacral", gettext_lazy("Base of the spine (sacral, S1–S5)")),
    ("unknown", gettext_lazy("I don't know")),
]
COMPLETENESS = [
    ("complete", gettext_lazy("No movement and no feeling below the injury")),
    ("incomplete", gettext_lazy("Some movement or some feeling below the injury")),
    ("unknown", gettext_lazy("I don't know")),
]
LANGUAGES = [
    ("en", "English"), ("ar", "العربية"), ("hi", "हिन्दी"), ("th", "ไทย"), ("es", "Español"),
]  # fmt: skip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.dcm"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class InquiryForm(forms.Form):
    injury_region = forms.ChoiceField(label=gettext_lazy("Where is the injury?"), choices=REGIONS)
    injury_level = forms.CharField(
        label=gettext_lazy("Level, if known (for example C5 or T10)"), max_length=20,
        required=False,
    )  # fmt: skip
    completeness = forms.ChoiceField(
        label=gettext_lazy("Below the injury, is there…"), choices=COMPLETENESS,
        widget=forms.RadioSelect,
    )  # fmt: skip
    injury_date = date_field(label=gettext_lazy("Date of injury"), required=False)
    year_of_birth = forms.IntegerField(label=gettext_lazy("Year of birth of the injured person"))
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices, required=False)
    country = forms.CharField(label=gettext_lazy("Country of residence"), max_length=80)
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Preferred language"), choices=LANGUAGES
    )
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    contact_phone = forms.RegexField(
        label=gettext_lazy("Phone (with country code)"), regex=r"^\+?[0-9 ()-]{6,30}$",
        required=False, error_messages={"invalid": gettext_lazy("digits, spaces, + ( ) - only")},
    )  # fmt: skip
    description = forms.CharField(
        label=gettext_lazy("Anything else we should know"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    records = MultipleFileField(
        label=gettext_lazy("Medical records (PDF or photos)"), required=False
    )
    imaging = MultipleFileField(
        label=gettext_lazy("Imaging (DICOM, PDF or images)"), required=False
    )
    consent_to_contact = forms.BooleanField(
        label=gettext_lazy("I agree that the program may contact me about this inquiry"),
    )


def _client_key(request: HttpRequest) -> str:
    """A rate-limit key from the client address, behind trusted proxies too (hashed: no address
    is kept)."""
    address = clients.address(request)
    return "inquire:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _over_limit(request: HttpRequest) -> bool:
    """Count this submission; True once the address has sent more than the limit this hour.
    Counted in the database, so every worker process and app server counts the same posts."""
    count = ratelimit.count_post(_client_key(request), _WINDOW)
    return count > settings.INQUIRY_RATE_LIMIT


_WINDOW = dt.timedelta(hours=1)
#: Session keys: the reference to show, and form-token digest -> reference of inquiries sent.
SHOWN = "inquiry_reference"
SENT = "inquiries_sent"


def _token_digest(request: HttpRequest) -> str:
    token = request.POST.get(TOKEN_FIELD, "")
    return hashlib.sha256(token.encode()).hexdigest()[:32] if token else ""


def _received(request: HttpRequest, reference: str) -> HttpResponse:
    request.session[SHOWN] = reference
    return redirect("inquire-received")


def _remember(request: HttpRequest, digest: str, reference: str) -> None:
    sent = {**request.session.get(SENT, {}), digest: reference}
    request.session[SENT] = dict(list(sent.items())[-20:])  # a few recent forms are enough


def _already_sent(request: HttpRequest, digest: str) -> HttpResponse | None:
    """The answer to a post of a form already sent, from this browser or any other: the first
    post's reference. (A post still in flight is waited for by the service: the token is
    claimed with the inquiry, in its transaction.)"""
    if not digest:
        return None
    reference = request.session.get(SENT, {}).get(digest) or public_inquiry.sent_with(digest)
    if not reference:
        return None
    _remember(request, digest, reference)
    return _received(request, reference)


@require_http_methods(["GET", "POST"])
def inquire(request: HttpRequest) -> HttpResponse:
    digest = _token_digest(request) if request.method == "POST" else ""
    if request.method == "POST":
        replay = _already_sent(request, digest)
        if replay is not None:
            return replay
    if request.method == "POST" and _over_limit(request):
        message = _(
            "Too many inquiries have been sent from your connection in the last hour. "
            "Please try again later, or write to us by e-mail."
        )
        return render(request, "intake/inquire.html", {"limited": message}, status=429)
    max_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    form = InquiryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = public_inquiry.submit_inquiry(
                public_inquiry.InquiryForm(**form.cleaned_data), form_token=digest
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            reference = str(inquiry.reference)  # always set for a public inquiry
            if digest:
                _remember(request, digest, reference)
            return _received(request, reference)
    status = 400 if form.is_bound else 200
    return render(request, "intake/inquire.html", {"form": form, "max_mb": max_mb}, status=status)


@require_http_methods(["GET"])
def inquire_received(request: HttpRequest) -> HttpResponse:
    """The answer to a sent inquiry: its reference, from the session (never from the URL)."""
    reference = request.session.get(SHOWN)
    if not reference:
        return redirect("inquire")
    return render(request, "intake/inquire_done.html", {"reference": reference})
