"""The evidence data files: versioned, cited, consistent with the guides, nothing unconfirmed."""

from __future__ import annotations

from importlib import resources

import pytest

from cordtrack.clinical import evidence, evidence_files
from cordtrack.clinical.evidence import (
    adverse_event_rates,
    change_thresholds,
    natural_history,
    rule_of_three_upper_bound,
    sources,
    thresholds_for,
)

DATA_FILES = sorted(evidence_files.manifest()["files"])


def test_the_files_agree_with_their_manifest_and_carry_a_version() -> None:
    assert evidence_files.problems() == []
    assert evidence_files.manifest()["version"] == evidence.EVIDENCE_VERSION
    assert evidence.EVIDENCE_VERSION


def test_the_files_ship_as_package_data() -> None:
    folder = resources.files("cordtrack.clinical") / "data"
    for name in [*DATA_FILES, "manifest.json"]:
        assert (folder / name).is_file(), name


def test_a_changed_figure_is_caught_by_the_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    real = evidence_files._digest
    monkeypatch.setattr(
        evidence_files, "_digest", lambda p: "0" if p.name == "ais_conversion.csv" else real(p)
    )
    assert evidence_files.problems() == [
        "ais_conversion.csv: changed since manifest.json was written (bump the version)"
    ]


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_row_cites_a_known_source_with_an_address(name: str) -> None:
    known = sources()
    for row in evidence_files.read_table(name):
        if name in ("sources.csv", "gaps.csv") or (
            name == "change_thresholds.csv" and not row["source"]
        ):
            continue
        assert row["source"] in known, (name, row["id"])
        assert known[row["source"]].url.startswith("http"), row["source"]


def test_nothing_marked_unconfirmed_is_encoded_as_a_figure() -> None:
    for name in DATA_FILES:
        if name == "gaps.csv":
            continue
        text = (evidence_files.DATA_DIR / name).read_text(encoding="utf-8")
        assert "UNCONFIRMED" not in text.upper(), name
    # figures the guides mark [UNCONFIRMED] (clinical-evidence.md 2.1, 10): the AUC point estimates
    rules = (evidence_files.DATA_DIR / "prediction_rules.csv").read_text(encoding="utf-8")
    assert "0.956" not in rules
    assert "0.967" not in rules
    assert len(evidence.gaps()) >= 10


def test_every_figure_says_whom_when_and_how_many() -> None:
    for figure in natural_history():
        assert figure.population, figure.id
        assert figure.baseline.text, figure.id
        assert figure.follow_up, figure.id
        assert (
            figure.n is not None or "not reported" in figure.note.lower() or not figure.natural
        ), figure.id
        assert figure.citation


def test_table_2_splits_add_up_to_the_conversion_within_rounding() -> None:
    by_id = {f.id: f.value for f in natural_history()}
    for study in ("marino1999", "burns2003", "fawcett2007", "spiess2009", "kirshblum2016"):
        total = by_id[f"t2-{study}-b"] + by_id[f"t2-{study}-cd"]
        assert total == pytest.approx(by_id[f"t2-{study}-conv"], abs=0.11), study


def test_ais_c_to_d_or_e_shares_match_the_summary_table_t1() -> None:
    by_id = {f.id: f.value for f in natural_history()}
    assert by_id["t6-marino1999-c-ge1"] == 70.5  # 66.7 + 3.8
    assert by_id["t6-spiess2009-c-ge1"] == 84.8
    assert by_id["t6-vanmiddendorp2009-c-ge1"] == 74.4
    assert by_id["t6-kirshblum2016-c-ge1"] == 72.5
    assert by_id["t6-marino2011-c-ge1"] == 82.5  # the sheet 1.4: 82.5% improved to D or E
    assert by_id["t6-marino2011-d-ge1"] == 14.1


def test_derived_figures_say_their_arithmetic_and_it_holds() -> None:
    by_id = {f.id: f for f in natural_history()}
    assert by_id["marino2020-tetraplegia-conv"].value == pytest.approx(100 - 71.4)
    assert by_id["marino2011-b-cd"].value == 67
    assert "30 (to C) + 37 (to D)" in by_id["marino2011-b-cd"].derived
    assert by_id["marino2011-a-cd"].value == pytest.approx(8 + 7.1)
    for figure in natural_history():
        if figure.derived.startswith("sum of the grade shares"):
            parts = [float(p.split(" (")[0]) for p in figure.derived.split(": ")[-1]
                     .removeprefix("sum of the grade shares ").split(" + ")]  # fmt: skip
            assert sum(parts) == pytest.approx(figure.value, abs=0.06), figure.id


def test_placebo_pooled_and_rehabilitation_figures_are_data_but_not_natural_history() -> None:
    kinds = {f.id: f.kind for f in natural_history()}
    assert kinds["khorasanizadeh2019-a"] == "pooled, includes treated arms"
    assert kinds["maynard2023-uems"] == "placebo arm"
    assert kinds["harness2008-exercise"] == "rehabilitation"
    assert kinds["fisher2005-tetra-tms"] == "remained complete only"


def test_scim_total_thresholds_are_4_10_and_anchor_range_12_to_45_3() -> None:
    rows = thresholds_for("scim_iii_total")
    assert [r.value for r in rows] == [4, 10, 12]
    assert rows[2].upper == 45.3


def test_measures_without_a_confirmed_threshold_have_no_value() -> None:
    none = {t.measure for t in change_thresholds() if t.value is None}
    assert none == {"mas", "psfs", "nbd", "uems_lems_tms_lt_pp"}


def test_fever_rate_is_22_2_percent_in_li_et_al() -> None:
    fever = [r for r in adverse_event_rates() if r.event == "fever"]
    assert [(r.percent, r.at_least) for r in fever] == [(22.2, False)]


def test_rule_of_three_for_0_events_in_10_patients_is_30_percent() -> None:
    assert rule_of_three_upper_bound(10) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="positive"):
        rule_of_three_upper_bound(0)
