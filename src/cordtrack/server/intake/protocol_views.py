"""Protocol versions on pages: list, versions, draft (edit or import JSON/YAML), diff, activate."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..access import site_ids
from ..services import protocols as protocol_services
from .models import Protocol, ProtocolStatus


def _staff(request: HttpRequest) -> None:
    if not site_ids(request.user):
        raise PermissionDenied("protocols are for site staff")


@login_required
def protocol_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    rows = Protocol.objects.order_by("code", "-pk")
    protocols: dict[str, list[Protocol]] = {}
    for p in rows:
        protocols.setdefault(p.code, []).append(p)
    context = {"protocols": protocols, "may_manage": protocol_services.may_manage(request.user)}
    return render(request, "intake/protocols.html", context)


@login_required
def protocol_detail(request: HttpRequest, code: str) -> HttpResponse:
    _staff(request)
    versions = list(Protocol.objects.filter(code=code).order_by("-pk"))
    if not versions:
        raise Http404("no such protocol")
    context = {
        "code": code, "versions": versions,
        "may_manage": protocol_services.may_manage(request.user),
    }  # fmt: skip
    return render(request, "intake/protocol.html", context)


class DraftForm(forms.Form):
    document = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        required=False,
        help_text="The whole version as JSON or YAML (fields: code, name, version, design, arms, "
        "randomisation, criteria, schedule, instruments, treatment_plan). See docs/protocols.md.",
    )
    upload = forms.FileField(required=False, help_text="…or import a .json / .yaml file")


def _next_version(version: str) -> str:
    return str(int(version) + 1) if version.isdigit() else f"{version}-next"


def _starting_document(code: str | None) -> str:
    base = protocol_services.active_version(code) if code else None
    if base is None:
        return ""
    doc = base.document()
    doc["version"] = _next_version(base.version)
    return json.dumps(doc, indent=2, ensure_ascii=False)


@login_required
@require_http_methods(["GET", "POST"])
def protocol_draft(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Draft a new version: the active version's document to edit, or an imported file."""
    _staff(request)
    if not protocol_services.may_manage(request.user):
        raise PermissionDenied("only a data manager drafts protocol versions")
    if code is not None and not Protocol.objects.filter(code=code).exists():
        raise Http404("no such protocol")
    form = DraftForm(request.POST or None, request.FILES or None,
                     initial={"document": _starting_document(code)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("upload")
        text = form.cleaned_data.get("document") or ""
        problems: dict[str, list[str]] = {}
        if upload is not None:
            raw = upload.read(protocol_services.MAX_DOCUMENT_BYTES + 1)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems = {"document": ["the file is not UTF-8 text"]}
        try:
            if problems:
                raise ValidationError(problems)
            data = protocol_services.parse_document(text)
            if code is not None and data.get("code") != code:
                raise ValidationError({"code": [f"must be {code!r} (this protocol)"]})
            version = protocol_services.draft_version(request.user, data)
        except ValidationError as exc:
            form.add_error(None, "Nothing was saved. Fix each field below and submit again.")
            for field, errs in exc.message_dict.items():
                for message in errs:
                    form.add_error(None, f"{field}: {message}")
        else:
            messages.success(request, f"Draft {version} saved: review the changes, then activate.")
            return redirect("protocol-version", pk=version.pk)
    title = f"New version of {code}" if code else "New protocol"
    return render(request, "intake/protocol_draft.html", {"form": form, "title": title})


class ActivateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    password = forms.CharField(
        widget=forms.PasswordInput, required=False, help_text="Re-enter your password to sign."
    )


@login_required
def protocol_version(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    version = get_object_or_404(Protocol, pk=pk)
    context = {
        "version": version, "changes": protocol_services.diff_against_active(version),
        "active": protocol_services.active_version(version.code),
        "document": json.dumps(version.document(), indent=2, ensure_ascii=False),
        "may_activate": version.status == ProtocolStatus.DRAFT
        and protocol_services.may_manage(request.user),
        "form": ActivateForm(),
    }  # fmt: skip
    return render(request, "intake/protocol_version.html", context)


@login_required
@require_POST
def protocol_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    version = get_object_or_404(Protocol, pk=pk)
    form = ActivateForm(request.POST)
    form.is_valid()
    try:
        protocol_services.activate_version(
            request.user, version, reason=form.cleaned_data.get("reason", ""),
            password=form.cleaned_data.get("password", ""), request=request,
        )  # fmt: skip
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            for message in errs:
                messages.error(request, f"{field}: {message}")
    else:
        messages.success(request, f"{version} is now the active version of {version.code}.")
    return redirect("protocol-version", pk=version.pk)
