"""Cells of delimited text straight into value codes (cordtrack.isncsci.batch.delimited)."""

from __future__ import annotations

import importlib

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cordtrack.isncsci.batch.codes import BINARY_VALUES, INVALID, MOTOR_VALUES
from cordtrack.isncsci.batch.delimited import keys, split, unicode_keys
from cordtrack.isncsci.exam import NON_KEY_LEVELS

encode_module = importlib.import_module("cordtrack.isncsci.batch.encode")
CELL = {v: i for i, v in enumerate(MOTOR_VALUES)}
BINARY = {v: i for i, v in enumerate(BINARY_VALUES)}
NON_KEY = {"": encode_module.NO_NON_KEY} | {
    v: encode_module.RESULT_LEVELS.index(v) for v in NON_KEY_LEVELS
}
KNOWN = sorted({*CELL, *BINARY, *NON_KEY})
CELLS = st.one_of(
    st.sampled_from(KNOWN),
    st.text(st.sampled_from(list("NT*012345CYesNo é\x00\t\x7f;")), max_size=6),
    st.binary(max_size=5).map(lambda b: b.decode("latin-1")),
)


def expected(table: dict[str, int], value: str) -> int:
    return table.get(value, INVALID)


def coded(values: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = "".join(",".join(row) + "\n" for row in values).encode("utf-8", "surrogatepass")
    cells = split(data, len(values[0]), b",", b"\n")
    every = keys(data, cells.starts, cells.lengths)
    return (
        encode_module.cell_codes(every),
        encode_module.binary_codes(every),
        encode_module.non_key_key_codes(every),
    )


@given(
    st.lists(
        st.lists(CELLS.filter(lambda v: not set(v) & {",", "\n"}), min_size=3, max_size=3),
        min_size=1,
        max_size=20,
    )
)
def test_a_cell_has_the_code_of_its_value_exactly_as_written(values: list[list[str]]) -> None:
    cell, binary, non_key = coded(values)
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            assert cell[r, c] == expected(CELL, value)
            assert binary[r, c] == expected(BINARY, value)
            bad_non_key = encode_module._BAD_NON_KEY
            assert non_key[r, c] == NON_KEY.get(value, bad_non_key)


def test_every_known_value_is_coded_and_a_longer_or_padded_one_is_not() -> None:
    values = [list(CELL), [v + " " for v in CELL], [" " + v for v in CELL]]
    cell, _, _ = coded(values)
    assert cell[0].tolist() == list(CELL.values())
    assert (cell[1:] == INVALID).all()


def test_rows_of_another_width_are_counted_but_not_split() -> None:
    cells = split(b"a,b,c\nd,e\nf,g,h,i\nj,k,l\n", 3, b",", b"\n")

    assert cells.counts.tolist() == [3, 2, 4, 3]
    assert cells.well_formed.tolist() == [True, False, False, True]
    assert cells.starts.tolist() == [[0, 2, 4], [18, 20, 22]]
    assert cells.lengths.tolist() == [[1, 1, 1], [1, 1, 1]]


def test_picked_columns_keep_the_codes_of_their_longer_cells() -> None:
    data = b"NT*,1,No\n0**,Yes,2\n"
    cells = split(data, 3, b",", b"\n")
    every = keys(data, cells.starts, cells.lengths)

    assert encode_module.cell_codes(every.pick([0, 1])).tolist() == [
        [CELL["NT*"], CELL["0**"]],
        [CELL["1"], INVALID],
    ]
    assert encode_module.binary_codes(every.pick([2, 1])).tolist() == [
        [BINARY["No"], INVALID],
        [INVALID, BINARY["Yes"]],
    ]


@given(st.lists(CELLS, min_size=1, max_size=30))
def test_numpy_strings_are_coded_like_delimited_cells(values: list[str]) -> None:
    values = [v.rstrip("\x00") for v in values]  # NumPy drops trailing NULs
    codes = encode_module.cell_codes(unicode_keys(np.array(values, dtype=np.str_)))
    assert codes.tolist() == [expected(CELL, v) for v in values]
