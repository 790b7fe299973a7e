"""The evidence's and the engines' words on a patient's pages, in the reader's language.

Two kinds of English come from the pure packages (``cordtrack.clinical``, ``cordtrack.outcomes``,
which never import Django):

* **fixed phrases** of the evidence data (what a figure counts, its population, its timing, a
  threshold's method): translated when listed in :mod:`.evidence_phrases`;
* **sentences** the engines compose (why no figure applies, a caveat, the walking rule's window):
  returned as a :class:`cordtrack.outcomes.Said` (a code and parameters beside the English) and
  worded here from the code, with the numbers, AIS grades and NLI levels as they are and each
  citation kept as published in ``<cite lang="en">``.

:func:`words` gives :class:`Words`: a translation, or, when the reader's language has none (a
phrase not listed, a sentence without a catalog entry, an English page), the engine's English
exactly, which a template renders marked ``lang="en"``. English pages therefore read as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, override

from cordtrack.outcomes import Said

from .catalogs import SHIPPED
from .evidence_phrases import PHRASES

__all__ = ["SENTENCES", "Worded", "Words", "english_page", "phrase_text", "words"]

#: Parameters that are citations (kept as published) and parameters that are data phrases.
_CITED: Final = frozenset({"source", "pooled", "first", "second"})
_PHRASED: Final = frozenset({"population", "outcome", "where"})


@dataclass(frozen=True, slots=True)
class Worded:
    """Text in the reader's language, or in English (``english``) when no translation exists;
    the caller marks the English (``reports.wording``'s threshold words, by their template)."""

    text: str
    english: bool

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Words(Worded):
    """Text for a page that marks its own English when rendered (the engine's English when
    there is no translation)."""

    def __html__(self) -> SafeString:
        if self.english:
            # The class lets the Arabic walk tell evidence left in English from a citation.
            return format_html('<span lang="en" dir="ltr" class="evidence-en">{}</span>', self.text)
        return conditional_escape(self.text)


def english_page() -> bool:
    return (get_language() or "en").split("-")[0] == "en"


def phrase_text(text: str) -> Words:
    """A fixed phrase of the data in the reader's language, or as written (``english``)."""
    if english_page() or text not in PHRASES:
        return Words(text, True)
    translated = gettext(text)
    if translated != text or get_language() in SHIPPED:
        # A shipped catalog translates every listed phrase (tests/server/test_evidence_words.py),
        # some as written: level codes ("T1-T9"), a word the same in both ("cervical" in es).
        return Words(translated, False)
    return Words(text, True)


# Each sentence is a function of the count (a number of days or grades, or 0): the catalogs find
# the msgids in the gettext/ngettext calls, and the forms follow the reader's plural rules.
Sentence = Callable[[int], str]
SENTENCES: Final[Mapping[str, Sentence]] = {
    "age-not-stratified": lambda n: gettext(
        "the natural-history tables used here are not divided by age; older age lowers the "
        "chance of recovery, but the age from which it does (over 50 or over 65) is unclear "
        "(%(source)s)"
    ),
    "ais-not-recorded": lambda n: gettext(
        "the baseline AIS grade is not recorded, so no table can be chosen"
    ),
    "ais-undetermined": lambda n: gettext(
        "the baseline AIS grade is not determined (%(grades)s), so no table can be chosen"
    ),
    "ais-cannot-improve": lambda n: ngettext(
        "AIS %(grade)s cannot improve by %(count)s grade",
        "AIS %(grade)s cannot improve by %(count)s grades",
        n,
    ),
    "injury-day-unknown": lambda n: gettext(
        "the time from the injury to the baseline exam is unknown, and every table depends on it"
    ),
    "exam-before-injury": lambda n: gettext("the baseline exam is dated before the injury"),
    "level-not-known": lambda n: gettext(
        "not used, because the level is not known to be within this group (%(population)s): "
        "%(source)s"
    ),
    "acute-recovery-spontaneous": lambda n: gettext(
        "in the first weeks and months much of the recovery happens by itself: an improvement "
        "without a comparison group cannot be credited to a treatment"
    ),
    "ais-b-pooled-missing": lambda n: gettext(
        "a pooled table for AIS B at all levels (%(pooled)s) could not be checked; "
        "%(first)s and %(second)s are used instead"
    ),
    "no-figure": lambda n: ngettext(
        "no figure in the evidence data gives %(outcome)s for baseline AIS %(grade)s, "
        "%(where)s, baseline exam %(count)s day after injury",
        "no figure in the evidence data gives %(outcome)s for baseline AIS %(grade)s, "
        "%(where)s, baseline exam %(count)s days after injury",
        n,
    ),
    "no-figure-in-gap": lambda n: ngettext(
        "no figure in the evidence data gives %(outcome)s for baseline AIS %(grade)s, "
        "%(where)s, baseline exam %(count)s day after injury (the published studies have no "
        "AIS figure for a baseline exam 31 to 365 days after injury)",
        "no figure in the evidence data gives %(outcome)s for baseline AIS %(grade)s, "
        "%(where)s, baseline exam %(count)s days after injury (the published studies have no "
        "AIS figure for a baseline exam 31 to 365 days after injury)",
        n,
    ),
    "walking-rule-outside-window": lambda n: ngettext(
        "exam %(count)s day after injury: the rule was made from exams within %(window)s days "
        "of injury (one Spanish study also found it valid from 3 to 90 days, %(source)s), so "
        "it is not applied",
        "exam %(count)s days after injury: the rule was made from exams within %(window)s days "
        "of injury (one Spanish study also found it valid from 3 to 90 days, %(source)s), so "
        "it is not applied",
        n,
    ),
    "walking-rule-inside-window": lambda n: ngettext(
        "exam %(count)s day after injury, within the rule's %(window)s-day window",
        "exam %(count)s days after injury, within the rule's %(window)s-day window",
        n,
    ),
    "proportional-motor-gain": lambda n: gettext(
        "expected gain in total motor score = %(share)s × (100 − baseline score)"
    ),
}


def _param(name: str, value: Any) -> SafeString:
    if name in _CITED:
        return format_html('<cite lang="en">{}</cite>', value)
    if name in _PHRASED:
        return phrase_text(str(value)).__html__()
    return conditional_escape(str(value))


def said_text(said: Said) -> Words:
    """An engine sentence in the reader's language (HTML: citations marked), or its English."""
    sentence = SENTENCES.get(said.code)
    if english_page() or sentence is None:
        return Words(said.english, True)
    count = int(said.params.get("count", 0))
    template = sentence(count)
    with override("en"):
        if template == sentence(count):  # the catalog has no translation
            return Words(said.english, True)
    params = {k: _param(k, v) for k, v in said.params.items()}
    return Words(mark_safe(conditional_escape(template) % params), False)


def words(value: Said | str | None) -> Words | str:
    """:func:`said_text` of a sentence, :func:`phrase_text` of a phrase; "" for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, Said):
        return said_text(value)
    return phrase_text(str(value))
