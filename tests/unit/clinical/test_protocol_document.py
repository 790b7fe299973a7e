"""A protocol version document: every bad field named by its path, and diffs row by row."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cordtrack.clinical.protocol_document import check_document, diff_documents
from cordtrack.server.intake.protocols import DEMO_RANDOMISED, DEMO_UNCONTROLLED

CELLS = ("bm_msc", "uc_msc", "ad_msc")
ROUTES = ("intrathecal", "intravenous")


def problems(doc: object) -> dict[str, list[str]]:
    return check_document(doc, cell_types=CELLS, routes=ROUTES)


def doc(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(DEMO_RANDOMISED)
    d.update(changes)
    return d


def test_the_demo_protocols_are_valid_documents() -> None:
    assert problems(DEMO_UNCONTROLLED) == {}
    assert problems(DEMO_RANDOMISED) == {}


def test_a_document_must_be_a_mapping() -> None:
    assert problems(["not", "a", "mapping"]) == {
        "document": ["must be an object (JSON or YAML mapping)"]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"version": "x" * 11}, "version"),
        ({"design": "observational"}, "design"),
        ({"colour": "blue"}, "colour"),
        ({"arms": [{"name": "MSC-IT"}]}, "arms"),
        ({"arms": [{"name": "A B"}, {"name": "C"}]}, "arms[0].name"),
        ({"arms": [{"name": "A"}, {"name": "A"}]}, "arms[1].name"),
        ({"randomisation": {"factors": {"sex": ["F"]}, "block_sizes": [4]}},
         "randomisation.factors.sex"),
        ({"randomisation": {"factors": {"ais": ["E"]}, "block_sizes": [4]}},
         "randomisation.factors.ais"),
        ({"randomisation": {"factors": {}, "block_sizes": [3]}}, "randomisation.block_sizes"),
        ({"randomisation": {"factors": {}, "block_sizes": [4], "seed": 1}}, "randomisation.seed"),
        ({"instruments": {"m99": ["pain_nrs"]}}, "instruments.m99"),
        ({"instruments": {"m1": ["iq_test"]}}, "instruments.m1"),
        ({"treatment_plan": {"routes": ["oral"]}}, "treatment_plan.routes"),
        ({"treatment_plan": {"dose_total_cells": {"min": 10, "max": 1}}},
         "treatment_plan.dose_total_cells"),
    ],
)  # fmt: skip
def test_each_bad_field_is_named_by_its_path(changes: dict[str, Any], field: str) -> None:
    assert field in problems(doc(**changes))


def test_bad_criteria_and_schedule_rows_are_named_inside_the_document() -> None:
    d = doc()
    d["criteria"] = [*d["criteria"][:1], {**d["criteria"][1], "params": {"grades": ["Z"]}}]
    d["schedule"] = {**d["schedule"], "visits": [{"code": "d0", "target_day": "soon"}]}
    got = problems(d)
    assert "criteria[completeness].grades" in got
    assert got["schedule.visits[0].target_day"] == ["must be an integer"]


def test_an_uncontrolled_protocol_cannot_carry_a_randomisation() -> None:
    d = copy.deepcopy(DEMO_UNCONTROLLED)
    d["randomisation"] = {"factors": {}, "block_sizes": [2]}
    assert problems(d) == {"randomisation": ["only a randomised design has one"]}


def test_diff_names_one_changed_criterion_and_one_added_visit() -> None:
    new = copy.deepcopy(DEMO_UNCONTROLLED)
    new["version"] = "2"
    new["criteria"][1]["params"]["grades"] = ["A", "B", "C", "D"]
    new["schedule"]["visits"].append(
        {"code": "m24", "target_day": 730, "window_minus": 30, "window_plus": 30,
         "label": "Month 24"}
    )  # fmt: skip
    changes = [c.to_dict() for c in diff_documents(DEMO_UNCONTROLLED, new)]
    assert changes == [
        {"path": "version", "kind": "changed", "old": "1", "new": "2"},
        {"path": "criteria[completeness].params.grades", "kind": "changed",
         "old": ["A", "B", "C"], "new": ["A", "B", "C", "D"]},
        {"path": "schedule.visits[m24]", "kind": "added", "old": None,
         "new": new["schedule"]["visits"][-1]},
    ]  # fmt: skip


def test_diff_of_a_document_with_itself_is_empty_and_removals_are_listed() -> None:
    assert diff_documents(DEMO_RANDOMISED, copy.deepcopy(DEMO_RANDOMISED)) == []
    new = copy.deepcopy(DEMO_RANDOMISED)
    del new["criteria"][0]
    (change,) = diff_documents(DEMO_RANDOMISED, new)
    assert (change.path, change.kind) == ("criteria[level]", "removed")
