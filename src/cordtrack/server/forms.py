"""Forms helpers: date inputs, and showing a service's field errors on a Django form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach each message to its field, or to the form (prefixed with the field) otherwise."""
    items: list[tuple[str, list[str]]]
    if hasattr(exc, "error_dict"):
        items = list(exc.message_dict.items())
    else:
        items = [(NON_FIELD_ERRORS, exc.messages)]
    for field, messages in items:
        for message in messages:
            if field in form.fields:
                form.add_error(field, message)
            elif field == NON_FIELD_ERRORS:
                form.add_error(None, message)
            else:
                form.add_error(None, f"{field}: {message}")


def date_field(**kwargs: object) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)  # type: ignore[arg-type]


YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no_field(label: str) -> forms.TypedChoiceField:
    """A required yes/no question, cleaned to a bool."""
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
