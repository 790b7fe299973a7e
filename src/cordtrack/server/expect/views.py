"""The public "what to expect" page and its PDF. No login, nothing stored, no audit rows, no
cookies (a GET form needs no CSRF token), nothing about the inputs logged."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..reports.pdf import pdf_response, render_pdf
from .forms import COMPLETENESS, ExpectForm
from .summary import summarise


def _context(request: HttpRequest) -> dict[str, Any]:
    form = ExpectForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "grades": COMPLETENESS}
    if request.GET and form.is_valid():
        level, group = form.chosen_level()
        context["summary"] = summarise(
            level, group, form.cleaned_data["ais"], form.cleaned_data["days"]
        )
        context["query"] = request.GET.urlencode()
    return context


@require_GET
def expect(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    status = 400 if request.GET and "summary" not in context else 200
    return render(request, "expect/page.html", context, status=status)


@require_GET
def expect_pdf(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if "summary" not in context:
        return render(request, "expect/page.html", context, status=400)
    return pdf_response(render_pdf("expect/pdf.html", context), "what-to-expect.pdf")
