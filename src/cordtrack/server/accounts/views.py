"""TOTP second factor: enrol a device, and verify a token after signing in."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..sponsor.access import is_sponsor_only
from .middleware import is_patient_user


class TokenForm(forms.Form):
    token = forms.CharField(
        max_length=8, label=gettext_lazy("6-digit code from your authenticator app")
    )


def _qr_data_uri(url: str) -> str:
    """The provisioning URL as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: a patient user's portal, a sponsor's sites, staff's patient list."""
    if is_patient_user(request.user):
        return redirect("portal")
    return redirect("sponsor:index" if is_sponsor_only(request.user) else "patients:list")


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Anyone signed in (staff and patients alike) enrols a TOTP device: scan the code, then
    confirm one token. From then on every sign-in asks for a code."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("home")
        form.add_error("token", _("That code is not valid; check the time on your device."))
    context = {"form": form, "qr": _qr_data_uri(device.config_url), "secret": device.key}
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            target = request.GET.get("next", "")
            if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                return redirect("home")
            return redirect(target)
        form.add_error("token", _("That code is not valid."))
    return render(request, "accounts/otp_verify.html", {"form": form})
