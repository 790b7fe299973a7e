"""The evidence data's phrases and the engines' sentences reach patients in their language.

Every phrase of the shipped data that a patient's page can show is listed for the catalogs (a new
CSV row without a translation fails here), every coded sentence of the engines has its wording,
and each shipped language translates both; English pages keep the engines' English exactly.
"""

from __future__ import annotations

import polib
import pytest
from django.template import Context, Template
from django.utils.translation import override

from cordtrack.clinical.evidence import (
    adverse_event_rates,
    cell_therapy_evidence,
    change_thresholds,
    natural_history,
    walking_and_function,
)
from cordtrack.outcomes import (
    ComparatorProfile,
    LevelGroup,
    ReferenceOutcome,
    Said,
    walking_prognosis,
)
from cordtrack.outcomes import natural_history as compare
from cordtrack.server import catalogs
from cordtrack.server.evidence_phrases import PHRASES
from cordtrack.server.evidence_words import SENTENCES, phrase_text, said_text, words

SHIPPED = ("ar", "es", "hi", "th")


def shown_phrases() -> dict[str, set[str]]:
    """The data's phrases that the outcome report, the charts and what-to-expect show."""
    figures = [f for f in natural_history() if f.natural]
    walking = [w for w in walking_and_function() if w.measure == "walking"]
    cells = cell_therapy_evidence().values()
    return {
        "description": {f.description for f in figures},
        "population": {f.population for f in figures} | {w.population for w in walking},
        "baseline window": {f.baseline.text for f in figures}
        | {w.baseline_window for w in walking},
        "follow-up": {f.follow_up for f in figures} | {w.follow_up for w in walking},
        "walking outcome": {w.outcome for w in walking},
        "adverse event": {a.event for a in adverse_event_rates()},
        "cell therapy": {c.outcome for c in cells} | {c.design for c in cells},
        "unit": {t.unit for t in change_thresholds()} | {c.unit for c in cells} - {"%"},
        "method": {t.method for t in change_thresholds()},
        "engine": {o.value for o in ReferenceOutcome} | {g.value for g in LevelGroup},
    }


def test_every_phrase_of_the_shipped_data_a_patient_sees_is_listed_for_translation() -> None:
    missing = {field: sorted(found - PHRASES) for field, found in shown_phrases().items()}
    assert not any(missing.values()), f"add to evidence_phrases.py and the catalogs: {missing}"


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_catalog_translates_every_listed_phrase(code: str) -> None:
    po = polib.pofile(str(catalogs.catalog_path(code)))
    translated = {e.msgid for e in po if e.translated()}
    assert not sorted(PHRASES - translated)


def every_said() -> list[Said]:
    """The sentences the comparator and the walking rule say, for a spread of patients."""
    found: list[Said] = []
    profiles = [
        ComparatorProfile("A", 3, nli="C5", age_years=70),
        ComparatorProfile("B", 3, nli="T4"),
        ComparatorProfile("C", 3, level_group=LevelGroup.T1_T9),
        ComparatorProfile(None, 3),
        ComparatorProfile("C,D", 3),
        ComparatorProfile("A", None),
        ComparatorProfile("A", -2),
        ComparatorProfile("A", 100, nli="C5"),
        ComparatorProfile("A", 1000, nli="C5"),
    ]
    for profile in profiles:
        for outcome in ReferenceOutcome:
            history = compare(profile, outcome)
            found.extend([*history.said_caveats, *([history.why] if history.why else [])])
    found.append(compare(ComparatorProfile("E", 3), ReferenceOutcome.AIS_IMPROVEMENT).why)  # type: ignore[arg-type]
    for days in (3, 40):
        prognosis = walking_prognosis(days, 40, l3_motor=(3, 3), s1_motor=(2, 2),
                                      l3_light_touch=(1, 1), s1_light_touch=(1, 1))  # fmt: skip
        assert prognosis.why is not None
        found.append(prognosis.why)
    return found


def test_the_engines_coded_sentences_keep_their_english_and_each_code_has_a_wording() -> None:
    said = every_said()
    history = compare(ComparatorProfile("A", 3, nli="C5", age_years=70))
    assert history.caveats == tuple(s.english for s in history.said_caveats)
    assert {s.code for s in said} <= set(SENTENCES)
    wanted = {"no-figure", "no-figure-in-gap", "ais-cannot-improve", "level-not-known",
              "walking-rule-outside-window", "walking-rule-inside-window"}  # fmt: skip
    assert wanted <= {s.code for s in said}


@pytest.mark.parametrize("code", SHIPPED)
def test_every_engine_sentence_reads_in_each_shipped_language_with_citations_as_published(
    code: str,
) -> None:
    with override(code):
        for said in every_said():
            text = said_text(said)
            assert not text.english, (code, said.code)
            assert said.english != str(text)
            for name in ("source", "pooled", "first", "second"):
                if name in said.params:
                    assert f'<cite lang="en">{said.params[name]}</cite>' in str(text)


def test_an_arabic_reader_gets_the_day_count_in_its_plural_form_and_the_grade_as_is() -> None:
    params = {"outcome": "UEMS gain", "grade": "A", "where": "cervical"}
    with override("ar"):
        two = str(said_text(Said("no-figure", "x", {**params, "count": 2})))
        many = str(said_text(Said("no-figure", "x", {**params, "count": 40})))
    assert "يومين" in two  # the dual
    assert "AIS الأساسية A" in two
    assert "زيادة UEMS" in two  # the outcome and the level group are phrases, translated
    assert "عنقية" in two
    assert "40 يومًا" in many


def test_english_pages_keep_the_engines_english_marked_and_unknown_phrases_stay_english() -> None:
    said = compare(ComparatorProfile("A", None)).why
    assert said is not None
    with override("en"):
        assert said_text(said).text == said.english
        assert said_text(said).english
        assert phrase_text("tetraplegia").english
    with override("es"):
        assert str(phrase_text("tetraplegia")) == "tetraplejia"
        assert not phrase_text("T1-T9").english  # level codes: the same in every language
        assert not phrase_text("cervical").english  # Spanish as written
        own = phrase_text("a deployment's own method")
        assert own.english
        assert own.text == "a deployment's own method"
        rendered = Template("{% load evidence %}{{ x|evidence }}").render(Context({"x": own.text}))
        assert rendered == (
            '<span lang="en" dir="ltr" class="evidence-en">a deployment&#x27;s own method</span>'
        )
        assert words(None) == ""


def test_a_sentence_the_catalog_lacks_falls_back_to_the_engines_english() -> None:
    with override("ar"):
        found = said_text(Said("a-code-with-no-wording", "the engine's English"))
    assert found.english
    assert found.text == "the engine's English"
