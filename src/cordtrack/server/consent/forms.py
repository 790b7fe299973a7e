"""The forms of the consent pages: the comprehension check built from the document's questions,
the tablet's names, and the withdrawal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentDocument, Scope


class ComprehensionForm(forms.Form):
    """One radio group per question (``q0``, ``q1``...), then the password."""

    def __init__(self, document: ConsentDocument, *args: Any, clinic: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        for i, q in enumerate(document.questions):
            self.fields[f"q{i}"] = forms.TypedChoiceField(
                label=q["question"], coerce=int, required=False, widget=forms.RadioSelect,
                choices=list(enumerate(q["choices"])),
            )  # fmt: skip
        if clinic:
            self.fields["patient_name"] = forms.CharField(
                label=_("Patient: type your full name or initials"), max_length=200,
                required=False,
            )  # fmt: skip
            if document.witness_required:
                self.fields["witness_name"] = forms.CharField(
                    label=_("Witness: type your full name"), max_length=200, required=False,
                    help_text=_("The witness confirms the patient read the document and signed "
                                "of their own free will."),
                )  # fmt: skip
        self.fields["password"] = forms.CharField(
            label=_("Staff member's password") if clinic else _("Your password"),
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            required=False,
        )  # fmt: skip

    @property
    def question_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("q")]

    @property
    def other_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("q")]

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k.startswith("q") and v != ""}


class WithdrawalForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("What do you withdraw from?"), widget=forms.RadioSelect,
        choices=[
            (Scope.TREATMENT, _("Stop treatment (visits and use of my data continue)")),
            (Scope.VISITS, _("Stop treatment and visits (my data collected so far may still be "
                             "used)")),
            (Scope.DATA_USE, _("Withdraw from further use of my data (no treatment, no visits)")),
        ],
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, required=False)  # fmt: skip
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )  # fmt: skip
