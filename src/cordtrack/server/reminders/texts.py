"""The words of a reminder, in the patient's language.

Rendered inside ``translation.override(language)`` from the templates in
``templates/reminders/`` (``<template>.email.txt`` with its subject in
``<template>.subject.txt``, ``<template>.sms.txt``). What they may say is deliberately little:
that there is a clinic visit (or questionnaires) and its dates, and where to look (the portal).
Never a diagnosis, a treatment, a study id, a name or the program's name: an SMS is read on a
locked screen and an e-mail by whoever shares the inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, translation

from ..languages import patient_language
from ..patients.models import Patient
from .plan import Due

#: Longest SMS body aimed at: two concatenated GSM-7 segments (2 x 153);
#: tests/server/test_reminders.py holds the texts to it.
SMS_MAX = 306


@dataclass(frozen=True)
class Text:
    subject: str  # empty for an SMS
    body: str


def language_of(patient: Patient) -> str:
    """The patient's language (:func:`cordtrack.server.languages.patient_language`: their
    account's choice, else their record's, else English)."""
    return patient_language(patient)


def portal_url(name: str = "portal") -> str:
    return settings.PUBLIC_URL.rstrip("/") + reverse(name)


def _text(name: str, context: dict[str, str]) -> str:
    """A plain-text template, without HTML escaping (a "&" stays a "&")."""
    return str(get_template(name).template.render(Context(context, autoescape=False)))  # type: ignore[attr-defined]


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def render(due: Due, channel: str, language: str) -> Text:
    visit = due.visit
    with translation.override(language):
        context = {
            "opens": _date(visit.window_open),
            "closes": _date(visit.window_close),
            "planned": _date(visit.target_date),
            "portal_url": portal_url(),
            "settings_url": portal_url("portal-reminders"),
        }
        base = f"reminders/{due.template}"
        if channel == "sms":
            body = _text(f"{base}.sms.txt", context).strip()
            return Text("", " ".join(body.split()))
        subject = " ".join(_text(f"{base}.subject.txt", context).split())
        body = _text(f"{base}.email.txt", context).strip() + "\n"
        return Text(subject, body)
