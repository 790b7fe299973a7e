"""The evidence coverage table: computed from the data, and the docs page kept equal to it."""

from __future__ import annotations

from pathlib import Path

from cordtrack.outcomes.coverage import coverage, markdown
from cordtrack.outcomes.groups import LevelGroup

DOCS = Path(__file__).resolve().parents[3] / "docs" / "evidence-coverage.md"


def test_the_docs_page_is_the_generated_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown() + "\n", (
        "regenerate: cordtrack evidence coverage > docs/evidence-coverage.md"
    )


def test_covered_and_uncovered_cells_follow_the_data() -> None:
    cells = {(c.outcome, c.grade, c.group): c for c in coverage()}
    c_t1_t9 = cells[("≥1 AIS grade at 12 months", "C", LevelGroup.T1_T9)]
    # Kirshblum 2016 by level (natural-history.md E1): T1-T9, baseline <=30 d, 63.6%, N 11
    assert [(s.first_day, s.last_day, s.figure.id) for s in c_t1_t9.spans] == [
        (0, 30, "e1-kirshblum2016-t1-t9-c-ge1")
    ]
    assert {f.source.key for f in c_t1_t9.partial} >= {"lee2016", "harrop2011"}
    # no UEMS mean change for thoracic or incomplete injuries (natural-history.md gaps 5)
    assert not cells[("UEMS change at 12 months", "C", LevelGroup.CERVICAL)].covered
    assert not cells[("≥2 AIS grades at 12 months", "D", LevelGroup.T1_T9)].covered
    # a 1-month exam in incomplete paraplegia: Waters 1994 LEMS +11.9
    lems = cells[("LEMS change at 12 months", "C", LevelGroup.T10_AND_BELOW)]
    assert [(s.first_day, s.last_day) for s in lems.spans] == [(21, 45)]
