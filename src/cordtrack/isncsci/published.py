"""The 128 published ISNCSCI 2019 test cases shipped with the package, and the fields where
CordTrack lists a different value, each with the reason.

The cases (``data/published-cases-2019.json``: praxis-isncsci/algorithm ``specs/2019.json``,
Apache-2.0, Praxis Spinal Cord Institute; see ``data/README.md``) carry the results of the
published reference. In two of them the reference lists an AIS grade that no reading of the exam
gives; CordTrack lists exactly the grades some reading gives (docs/isncsci.md, "What the engine
promises"), so those two fields differ, by design. :data:`DIFFERENCES` names them; the golden
tests prove each by enumeration and require every other field to agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_DATA: Final = Path(__file__).resolve().parent / "data"
#: The published cases file (a JSON array of flat exams with their expected ``totals``).
PUBLISHED_CASES: Final = _DATA / "published-cases-2019.json"


@dataclass(frozen=True)
class Difference:
    """A published expected value that CordTrack does not give, and why."""

    id: int
    field: str
    published: str
    cordtrack: str
    reason: str


def _differences() -> tuple[Difference, ...]:
    rows = json.loads((_DATA / "published-differences.json").read_text(encoding="utf-8"))
    return tuple(Difference(**row) for row in rows)


#: The documented differences from the published cases' expected results.
DIFFERENCES: Final = _differences()


def expected(case_id: object, field: str, published: str) -> str:
    """The value CordTrack gives for a published case's field: the published one, unless a
    documented difference names it."""
    for d in DIFFERENCES:
        if d.id == case_id and d.field == field and d.published == published:
            return d.cordtrack
    return published
