"""Blocks coded in pieces and merged read as the block coded whole."""

from __future__ import annotations

import io

import numpy as np

from cordtrack.flatfiles import csv_file
from cordtrack.flatfiles.block import Block, merged
from cordtrack.isncsci.generator import generate_exams, write_exams


def csv_bytes(n: int, tmp_path: object) -> bytes:
    path = f"{tmp_path}/exams.csv"
    write_exams(path, generate_exams(n, seed=3))
    with open(path, "rb") as f:
        return f.read()


def blocks(data: bytes, pieces: int) -> list[Block]:
    old = csv_file.PIECE_ROWS
    csv_file.PIECE_ROWS = pieces
    try:
        return list(csv_file.csv_blocks(io.BytesIO(data), 7))
    finally:
        csv_file.PIECE_ROWS = old


def test_a_csv_block_coded_in_pieces_equals_the_block_coded_whole(tmp_path: object) -> None:
    lines = csv_bytes(16, tmp_path).split(b"\n")
    # A bad value in the piece after the first, a row of too many cells (once the blank line is
    # in, the sixth row of the second block), and a blank line.
    lines[12] = lines[12].replace(b",", b",9,", 1)
    lines[4] = lines[4].replace(b",0,", b",6,", 1)
    lines.insert(6, b"")
    data = b"\n".join(lines)
    whole, pieced = blocks(data, 1000), blocks(data, 2)
    assert len(whole) == len(pieced) == 3
    for a, b in zip(whole, pieced, strict=True):
        assert (a.numbers, a.problems, a.exams, a.ids) == (b.numbers, b.problems, b.exams, b.ids)
        for x, y in zip(a.codes, b.codes, strict=True):
            np.testing.assert_array_equal(x, y)
        assert [a.flat(i) for i in range(len(a.exams))] == [b.flat(i) for i in range(len(b.exams))]
    assert [list(b.problems) for b in pieced] == [[], [5], []]


def test_merging_one_block_returns_it() -> None:
    block = Block([2], {}, [0], ["x"], (np.zeros((1, 1), np.int16),) * 3, lambda i: None)
    assert merged([block]) is block
