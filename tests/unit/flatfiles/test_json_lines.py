"""JSON Lines blocks: the fast rows (msgspec structs) read like every line through orjson."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cordtrack.flatfiles.json_lines import jsonl_blocks
from cordtrack.isncsci.generator import generate_exams

EXAMS = list(generate_exams(40, seed=3, nt_rate=0.05))
#: Lines that are not fast rows, each for another reason.
ODD_LINES = [
    b"",  # blank: skipped, but counted
    b"{not json",
    b"[1, 2]",
    b'{"id": 123456789012345678901234, "c2RightTouch": "2"}',  # an id beyond 64 bits
    b'{"id": "x", "note": "an extra key"}',
    b'{"id": "y", "c5RightMotor": " 2"}',  # a value outside the known literals
    b'{"id": 1e400}',  # a number beyond the float range
]


@given(st.lists(st.one_of(st.sampled_from(range(len(EXAMS))), st.sampled_from(ODD_LINES))))
def test_fast_rows_among_odd_lines_read_like_every_line_through_orjson(
    picks: list[int | bytes],
) -> None:
    lines = [(json.dumps(EXAMS[p]).encode() if isinstance(p, int) else p) + b"\n" for p in picks]
    fast = list(jsonl_blocks(lines, 64))
    plain = list(jsonl_blocks(lines, 64, fast=False))

    assert len(fast) == len(plain)
    for a, b in zip(fast, plain, strict=True):
        assert (a.numbers, a.problems, a.exams, a.ids) == (b.numbers, b.problems, b.exams, b.ids)
        for x, y in zip(a.codes, b.codes, strict=True):
            np.testing.assert_array_equal(x, y)
        assert [a.flat(i) for i in range(len(a.exams))] == [b.flat(i) for i in range(len(b.exams))]
