"""Rendering the batch result's packed values (cordtrack.isncsci.batch.result)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cordtrack.isncsci.batch.result import DOMAINS, TOTAL_TEXTS, render, texts
from cordtrack.isncsci.types import TOTAL_KEYS


@st.composite
def packed_values(draw: st.DrawFn) -> tuple[str, list[int]]:
    key = draw(st.sampled_from(sorted(DOMAINS)))
    bits = [bit for bit, _ in DOMAINS[key]]
    values = []
    for _ in range(draw(st.integers(0, 30))):
        reached = draw(st.sets(st.sampled_from(bits), min_size=1))
        starred = draw(st.sets(st.sampled_from(sorted(reached))))
        values.append(sum(1 << b for b in reached) | sum(1 << b for b in starred) << 32)
    return key, values


@given(packed_values())
def test_set_valued_results_render_in_bulk_as_one_by_one(case: tuple[str, list[int]]) -> None:
    key, values = case
    domain = DOMAINS[key]
    assert texts(key, values) == [render(domain, v & 0xFFFFFFFF, v >> 32) for v in values]


def test_totals_render_as_their_text_with_nd_first() -> None:
    assert (
        texts(TOTAL_KEYS[0], [0, 1, 113])
        == ["ND", "0", "112"]
        == [TOTAL_TEXTS[i] for i in (0, 1, 113)]
    )
