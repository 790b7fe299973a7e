"""The public inquiry form (``/inquire/``): no login, rate limited per client address.

The answer page shows the reference; nothing about the inquirer goes into a URL, and the page
sets no cookie but CSRF's (no session, no messages).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..forms import add_service_errors, date_field
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
    """A rate-limit key from the client address (hashed: no address is kept in the cache)."""
    address = request.META.get("REMOTE_ADDR", "")
    return "inquire:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def _over_limit(request: HttpRequest) -> bool:
    """Count this submission; True once the address has sent more than the limit this hour."""
    key, limit = _client_key(request), settings.INQUIRY_RATE_LIMIT
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        return False
    return count > limit


@require_http_methods(["GET", "POST"])
def inquire(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and _over_limit(request):
        message = _(
            "Too many inquiries have been sent from your connection in the last hour. "
            "Please try again later, or write to us by e-mail."
        )
        return render(request, "intake/inquire.html", {"limited": message}, status=429)
    max_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    form = InquiryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = public_inquiry.submit_inquiry(public_inquiry.InquiryForm(**data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "intake/inquire_done.html", {"reference": inquiry.reference})
    status = 400 if form.is_bound else 200
    return render(request, "intake/inquire.html", {"form": form, "max_mb": max_mb}, status=status)
