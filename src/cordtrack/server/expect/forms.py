"""The three inputs of the public page, read from the query string (a GET form: no cookie)."""

from __future__ import annotations

from typing import Final

from django import forms
from django.utils.translation import gettext_lazy as _

from cordtrack.isncsci.types import RESULT_LEVELS
from cordtrack.outcomes import LevelGroup

#: Regions a person may know instead of a level: the level groups of the reports.
REGIONS: Final = {
    "neck": LevelGroup.CERVICAL,
    "upper-back": LevelGroup.T1_T9,
    "lower-back": LevelGroup.T10_AND_BELOW,
}
_REGION_CHOICES: Final = [
    ("neck", _("Neck (cervical, C1–C8)")),
    ("upper-back", _("Upper and middle back (T1–T9)")),
    ("lower-back", _("Lower back (T10 and below)")),
]
#: AIS grades in plain words (ISNCSCI 2019; clinical-evidence.md §4).
COMPLETENESS: Final = [
    ("A", _("A: no feeling and no movement at all in the lowest part of the body "
            "(around the anus)")),
    ("B", _("B: some feeling below the injury, including around the anus, but no movement")),
    ("C", _("C: some movement below the injury, but most muscles there cannot lift "
            "against gravity")),
    ("D", _("D: movement below the injury, and most muscles there can lift against gravity")),
]  # fmt: skip
MAX_DAYS: Final = 36_500
_LEVEL_ERRORS: Final = {
    "required": _("Choose the level of injury or the region of the back."),
    "invalid_choice": _("%(value)s is not a level of injury (C1 to S3) or one of the regions "
                        "listed."),
}  # fmt: skip
_AIS_ERRORS: Final = {
    "required": _("Choose how complete the injury is (AIS A to D)."),
    "invalid_choice": _("%(value)s is not an AIS grade: choose A, B, C or D (E means normal "
                        "function)."),
}  # fmt: skip
_DAYS_ERRORS: Final = {
    "required": _("Give the time since the injury in days."),
    "invalid": _("Give the time since the injury as a whole number of days."),
    "min_value": _("The number of days cannot be negative."),
    "max_value": _("Give a number of days of at most %(limit_value)s."),
}
_LEVEL_CHOICES: Final[list[tuple[object, object]]] = [
    ("", _("choose")),
    (_("Region"), _REGION_CHOICES),
    (_("Neurological level"), [(lv, lv) for lv in RESULT_LEVELS]),
]


class ExpectForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level of injury (or the region, if you do not know the level)"),
        choices=_LEVEL_CHOICES,
        error_messages=_LEVEL_ERRORS,
    )
    ais = forms.ChoiceField(
        label=_("Completeness (the AIS grade your doctors gave)"),
        choices=[("", _("choose")), *COMPLETENESS],
        widget=forms.RadioSelect,
        error_messages=_AIS_ERRORS,
    )
    days = forms.IntegerField(
        label=_("Days since the injury"),
        min_value=0,
        max_value=MAX_DAYS,
        help_text=_("For example 30 for one month, 365 for one year."),
        error_messages=_DAYS_ERRORS,
    )

    def chosen_level(self) -> tuple[str | None, LevelGroup | None]:
        """(NLI, level group): a level gives both, a region only the group."""
        value = self.cleaned_data["level"]
        if value in REGIONS:
            return None, REGIONS[value]
        from cordtrack.outcomes import level_group

        return value, level_group(value)
