"""Helpers of the command-line tests: where the published cases are, and small files of them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from cordtrack.isncsci import EXAM_KEYS

REPO_ROOT = Path(__file__).resolve().parents[2]

#: A few published cases that between them have a plain complete injury (1, 2), an incomplete one
#: (10), a starred value (15), not-testable values giving ND totals (32) and a lowest non-key
#: muscle (66).
SAMPLE_IDS = (1, 2, 10, 15, 32, 66)


#: The published cases, vendored with their source and licence (tests/data/isncsci/README.md).
PUBLISHED_CASES = REPO_ROOT / "tests" / "data" / "isncsci" / "2019-published-cases.json"


def exam_row(case: Mapping[str, object], *, with_id: bool = True) -> dict[str, object]:
    """The flat exam of a published case (its id first), without the expected results."""
    row = {"id": case["id"]} if with_id else {}
    row.update((k, case[k]) for k in EXAM_KEYS if k in case)
    return row


def expected(case: Mapping[str, object]) -> dict[str, str]:
    """The case's published results, where a documented difference names one, CordTrack's."""
    from cordtrack.isncsci.published import expected as documented

    totals = case["totals"]
    assert isinstance(totals, dict)
    return {k: documented(case["id"], k, v) for k, v in totals.items()}


def write_jsonl(path: Path, rows: Iterable[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=("id", *EXAM_KEYS), restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]
