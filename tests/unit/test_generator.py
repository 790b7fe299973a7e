"""The synthetic exam generator: valid, plausible, reproducible exams."""

from __future__ import annotations

import collections
import csv
import json
from pathlib import Path

import pytest

from cordtrack.isncsci import EXAM_KEYS, classify, parse_exam
from cordtrack.isncsci.exam import MOTOR_CELLS, NON_KEY_LEVELS, SENSORY_CELLS
from cordtrack.isncsci.generator import FIELDNAMES, generate_exams, write_exams
from cordtrack.isncsci.types import KEY_MUSCLE_LEVELS, NON_KEY_KEYS, Binary, Modality

NOISY = {"nt_rate": 0.05, "star_rate": 0.05}


def test_generated_exams_parse_and_have_id_first_then_every_exam_key() -> None:
    exams = list(generate_exams(2000, seed=1, **NOISY))

    for exam in exams:
        assert tuple(exam) == FIELDNAMES == ("id", *EXAM_KEYS)
        parse_exam(exam)
    assert len({exam["id"] for exam in exams}) == 2000


def test_same_seed_gives_the_same_exams_and_another_seed_others() -> None:
    assert list(generate_exams(200, seed=5, **NOISY)) == list(generate_exams(200, seed=5, **NOISY))
    assert list(generate_exams(200, seed=5)) != list(generate_exams(200, seed=6))


def test_values_come_from_the_2019_value_sets_with_full_scores_never_starred() -> None:
    seen: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for exam in generate_exams(3000, seed=2, **NOISY):
        for key, value in exam.items():
            kind = next((m.value for m in Modality if key.endswith(m.value)), key)
            seen[kind][value] += 1

    # The engine's value tables have no starred full score (2*, 5**...).
    assert set(seen["Touch"]) | set(seen["Prick"]) <= set(SENSORY_CELLS)
    assert set(seen["Motor"]) <= set(MOTOR_CELLS)
    for key in ("analContraction", "analSensation"):
        assert set(seen[key]) == {b.value for b in Binary}
    for key in NON_KEY_KEYS.values():
        assert set(seen[key]) - {""} <= set(KEY_MUSCLE_LEVELS) <= NON_KEY_LEVELS


def test_nt_and_starred_values_appear_at_about_the_requested_rates() -> None:
    counts: collections.Counter[str] = collections.Counter()
    for exam in generate_exams(1000, seed=3, nt_rate=0.02, star_rate=0.01):
        for key in EXAM_KEYS[2:-2]:
            value = exam[key]
            counts["cells"] += 1
            counts["NT"] += value.startswith("NT")
            counts["*"] += value.endswith("*") and not value.endswith("**")
            counts["**"] += value.endswith("**")

    assert 0.015 < counts["NT"] / counts["cells"] < 0.025
    # Stars fall on cells that are not full scores only, about half of all cells.
    assert 0.002 < (counts["*"] + counts["**"]) / counts["cells"] < 0.01
    assert counts["*"] > 0
    assert counts["**"] > 0


def test_without_noise_there_are_no_nt_or_starred_values() -> None:
    for exam in generate_exams(500, seed=4, nt_rate=0.0, star_rate=0.0):
        assert not any(v.startswith("NT") or v.endswith("*") for v in exam.values())


def test_exams_span_the_grades_and_levels_of_real_injuries() -> None:
    exams = generate_exams(600, seed=8, nt_rate=0.0, star_rate=0.0)
    results = [classify(parse_exam(exam)).to_flat() for exam in exams]

    grades = collections.Counter(r["asiaImpairmentScale"] for r in results)
    assert {"A", "B", "C", "D", "E"} <= set(grades)
    assert grades["A"] > grades["E"]
    regions = collections.Counter(r["neurologicalLevelOfInjury"][0] for r in results)
    assert {"C", "T", "L"} <= set(regions)
    assert regions["C"] > regions["L"]


@pytest.mark.parametrize("name", ["exams.jsonl", "exams.csv"])
def test_written_exams_read_back_as_generated(tmp_path: Path, name: str) -> None:
    exams = list(generate_exams(50, seed=9, **NOISY))

    assert write_exams(tmp_path / name, exams) == 50

    with (tmp_path / name).open(encoding="utf-8", newline="") as f:
        back = list(csv.DictReader(f)) if name.endswith(".csv") else [json.loads(x) for x in f]
    assert back == exams


def test_a_rate_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="nt_rate"):
        generate_exams(1, nt_rate=1.5)
