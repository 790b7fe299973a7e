"""Medications classified by WHO ATC code, from their name or an entered code."""

from __future__ import annotations

import pytest

from cordtrack.clinical import medications


@pytest.mark.parametrize(
    ("name", "atc"),
    [
        ("Apixaban", "B01AF02"),
        ("ELIQUIS 5mg bd", "B01AF02"),
        ("Warfarin (from Hospital X)", "B01AA03"),
        ("enoxaparin 40 mg s.c.", "B01AB05"),
        ("Mycophenolate mofetil 1 g", "L04AA06"),
        ("tacrolimus", "L04AD02"),
        ("Ciclosporin", "L04AD01"),
        ("cyclosporine", "L04AD01"),
    ],
)
def test_a_medication_is_identified_by_name_or_synonym(name: str, atc: str) -> None:
    found = medications.identify(name)
    assert found is not None
    assert found.atc == atc


def test_only_whole_words_match() -> None:
    assert medications.identify("Basalt tablets") is None  # "asa" is inside a word
    assert medications.identify("Heparinoid cream") is None


def test_classes_come_from_the_atc_prefix() -> None:
    assert medications.classify("Rivaroxaban")[1] == {"anticoagulant", "antithrombotic"}
    assert medications.classify("Clopidogrel")[1] == {"antiplatelet", "antithrombotic"}
    assert medications.classify("Azathioprine")[1] == {"immunosuppressant"}
    assert medications.classify("Baclofen") == ("M03BX01", frozenset())
    assert medications.classify("Unknown herbal tea") == ("", frozenset())


def test_an_entered_atc_code_wins_over_the_name() -> None:
    assert medications.classify("Trial drug", "l04ax99") == (
        "L04AX99",
        frozenset({"immunosuppressant"}),
    )


def test_the_list_names_its_source_and_version() -> None:
    src = medications.source()
    assert "ATC/DDD Index" in src["source"]
    assert "2023" in src["version"]
    assert all(medications.ATC_PATTERN.fullmatch(c) for cls in medications.classes().values()
               for c in cls.atc)  # fmt: skip


def test_every_substance_code_is_a_full_atc_code() -> None:
    data = medications._data()
    for row in data["substances"]:
        assert len(row["atc"]) == 7, row
        assert medications.ATC_PATTERN.fullmatch(row["atc"]), row
