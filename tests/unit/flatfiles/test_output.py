"""Result lines of the flat-file writers: the bytes of orjson and of the csv module."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from exam_strategies import flat_exams
from hypothesis import given
from hypothesis import strategies as st

from cordtrack.flatfiles import CSV_COLUMNS, MISSING, Csv, JsonLines, output
from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import classify_batch, encode
from cordtrack.isncsci.generator import generate_exams

IDS = st.one_of(
    st.just(MISSING),
    st.text(max_size=8),
    st.from_regex(r"syn-[0-9]{1,5}", fullmatch=True),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
    st.booleans(),
)


def records(exams: list[dict[str, str]], ids: list[object]) -> list[dict[str, object]]:
    out = []
    for exam, id_ in zip(exams, ids, strict=True):
        flat = classify(parse_exam(exam)).to_flat()
        out.append(flat if id_ is MISSING else {"id": id_, **flat})
    return out


@given(st.lists(st.tuples(flat_exams(), IDS), min_size=1, max_size=12))
def test_result_lines_are_what_orjson_and_the_csv_module_write(
    rows: list[tuple[dict[str, str], object]],
) -> None:
    exams, ids = [e for e, _ in rows], [i for _, i in rows]
    result = classify_batch(encode(exams)[0])
    expected = records(exams, ids)

    jsonl = JsonLines()
    assert b"".join(jsonl.results(result, ids)) == b"".join(
        orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in expected
    )
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([r.get(c, "") for c in CSV_COLUMNS] for r in expected)
    out = Csv()
    assert out.header() + b"".join(out.results(result, ids)) == text.getvalue().encode()


PLAIN_IDS = st.one_of(
    st.just(MISSING), st.text(max_size=12), st.from_regex(r"[a-z]{0,3}-[0-9]{1,9}")
)


@given(
    st.lists(
        st.lists(st.tuples(flat_exams(), PLAIN_IDS), min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_a_block_built_as_one_array_has_the_bytes_of_its_lines(
    blocks: list[list[tuple[dict[str, str], object]]],
) -> None:
    # One writer over several blocks: values met in an earlier block are found again, new ones
    # (some longer than any before) are added.
    writers = (JsonLines(), Csv()), (JsonLines(), Csv())
    for rows in blocks:
        exams, ids = [e for e, _ in rows], [i for _, i in rows]
        result = classify_batch(encode(exams)[0])
        for by_line, as_array in zip(*writers, strict=True):
            assert as_array.lines(result, ids) == b"".join(by_line.results(result, ids))


def test_a_writer_that_forgets_its_values_when_it_has_kept_too_many_still_writes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(output, "_KEPT", 5)
    writer, reference = Csv(), Csv()
    for seed in range(4):
        exams = list(generate_exams(30, seed=seed, nt_rate=0.1))
        result = classify_batch(encode(exams)[0])
        ids = [str(i) for i in range(30)]
        assert writer.lines(result, ids) == b"".join(reference.results(result, ids))


def test_ids_that_need_quoting_or_escaping_give_the_same_bytes_as_line_by_line() -> None:
    exams = list(generate_exams(2, seed=1))
    result = classify_batch(encode(exams)[0])
    for ids in (["a,b", "c"], ['say "hi"', "x"], ["new\nline", "y"], ["nul\x00", "z"], [7, "q"]):
        for writer in (JsonLines(), Csv()):
            assert writer.lines(result, list(ids)) == b"".join(writer.results(result, list(ids)))
