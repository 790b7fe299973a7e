"""Throughput and peak memory of the batch ISNCSCI engine (cordtrack.isncsci.batch).

For each size (default 10^4, 10^5 and 10^6 synthetic exams from ``generate_exams`` at its default
rates: about three exams in four have a not-testable or starred value) it prints:

- encode: flat dicts -> code arrays (``encode``), timed on its own, chunk by chunk as generated;
- classify only: ``classify_batch`` on the encoded arrays (best of a few runs below 10^6), with the
  tracemalloc peak of that call above its input, and what the result itself holds;
- render: ``BatchResult.to_flat_rows`` (the 25 strings per exam, as ``Classification.to_flat``).

Then, on a sample of the same exams (default 2x10^4), the scalar engine (``classify`` on parsed
exams) against the batch engine, classify only and encode/parse + classify, their ratio, and how
many exams the two classify alike (all must). Peak RSS of the process closes the table.

    .venv/bin/python benchmarks/batch_throughput.py [--sizes 10000 100000 1000000] [--sample N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence

import numpy as np

from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import CHUNK, ExamArrays, classify_batch, concatenate, encode
from cordtrack.isncsci.generator import generate_exams

GENERATE_CHUNK = 50_000  # exams held as dicts at once while encoding


def size(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if nbytes < 1024 or unit == "GiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError


def best(seconds: Callable[[], float], runs: int) -> float:
    return min(seconds() for _ in range(runs))


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def encode_generated(n: int, seed: int) -> tuple[ExamArrays, float]:
    parts, seconds = [], 0.0
    exams = generate_exams(n, seed)
    first = 0
    while chunk := list(itertools.islice(exams, GENERATE_CHUNK)):
        start = time.perf_counter()
        arrays, errors = encode(chunk, first_row=first)
        seconds += time.perf_counter() - start
        assert not errors
        parts.append(arrays)
        first += len(chunk)
    return (concatenate(parts) if len(parts) > 1 else parts[0]), seconds


def traced_peak(arrays: ExamArrays) -> tuple[int, int]:
    """Peak bytes allocated by classify_batch above its input, and the bytes of its result."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = classify_batch(arrays)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - base, current - base


def row(label: str, n: int, seconds: float, note: str = "") -> None:
    print(f"  {label:<34} {n / seconds:>12,.0f} {seconds:>9.3f}  {note}")


def bench_size(n: int, seed: int) -> None:
    arrays, encode_seconds = encode_generated(n, seed)
    runs = 3 if n <= 100_000 else 2
    classify_batch(arrays)  # warm-up: first-touch page faults, caches
    classify_seconds = best(lambda: timed(lambda: classify_batch(arrays)), runs)
    peak, kept = traced_peak(arrays)
    result = classify_batch(arrays)
    render_seconds = timed(result.to_flat_rows)
    print(f"\n{n:,} exams")
    print(f"  {'measure':<34} {'exams/s':>12} {'seconds':>9}  memory")
    row("encode (dicts -> arrays)", n, encode_seconds, f"arrays {size(_nbytes(arrays))}")
    row(
        "classify only (classify_batch)",
        n,
        classify_seconds,
        f"tracemalloc peak {size(peak)} (result {size(kept)})",
    )
    row("render (to_flat_rows)", n, render_seconds)


def _nbytes(arrays: ExamArrays) -> int:
    return sum(
        a.nbytes
        for a in (arrays.touch, arrays.prick, arrays.motor, arrays.vac, arrays.dap, arrays.non_key)
    )


def compare(sample: int, seed: int) -> None:
    flats = list(generate_exams(sample, seed + 1))
    exams = [parse_exam(flat) for flat in flats]
    scalar_classify = best(lambda: timed(lambda: [classify(e) for e in exams]), 2)
    scalar_all = timed(lambda: [classify(parse_exam(f)) for f in flats])
    arrays, _ = encode(flats)
    classify_batch(arrays)
    batch_classify = best(lambda: timed(lambda: classify_batch(arrays)), 3)
    batch_all = timed(lambda: classify_batch(encode(flats)[0]))
    rows = classify_batch(arrays).to_flat_rows()
    alike = sum(r == classify(e).to_flat() for r, e in zip(rows, exams, strict=True))
    print(f"\nscalar vs batch on the same {sample:,} exams")
    print(f"  {'measure':<34} {'exams/s':>12} {'seconds':>9}")
    row("scalar classify (parsed exams)", sample, scalar_classify)
    row("batch classify (encoded arrays)", sample, batch_classify)
    row("scalar parse + classify", sample, scalar_all)
    row("batch encode + classify", sample, batch_all)
    print(f"  ratio batch/scalar, classify only: {scalar_classify / batch_classify:.1f}x")
    print(f"  ratio batch/scalar, with parsing:  {scalar_all / batch_all:.1f}x")
    print(f"  identical results: {alike:,} of {sample:,}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    blas = " ".join(f"{k}={v}" for k, v in os.environ.items() if k.startswith("OPENBLAS"))
    print(
        f"batch engine: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, chunk {CHUNK:,} exams; "
        + (f"{blas} (no effect here: elementwise work, no BLAS)" if blas else "no OPENBLAS_* set")
    )
    print(f"load average at start: {_load()} (other processes share the CPUs)")
    for n in args.sizes:
        bench_size(n, args.seed)
    compare(args.sample, args.seed)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\npeak RSS of this process (generation included): {size(peak_rss)}")
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
