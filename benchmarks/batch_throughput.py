"""Throughput and peak memory of the batch ISNCSCI engine (cordtrack.isncsci.batch).

For each size (default 10^4, 10^5 and 10^6 synthetic exams from ``generate_exams`` at its default
rates: about three exams in four have a not-testable or starred value) it prints:

- encode: flat dicts -> code arrays (``encode``), timed on its own, chunk by chunk as generated;
- classify only: ``classify_batch`` on the encoded arrays with its default worker threads, the best
  and the median of as many runs as fill about a second (at least 3, at most 60: 60 at 10^4, 3 at
  10^6), with the tracemalloc peak of that call above its input, and what the result itself
  holds; then the same with ``workers=1`` (one chunk after another; the runs alternate);
- render: ``BatchResult.to_flat_rows`` (the 25 strings per exam, as ``Classification.to_flat``).

Then, when node and the published JavaScript reference are installed (``make test-reference``
installs npm isncsci in tests/reference), the reference's classify-only throughput on the first
exams of the same generated set (default 2x10^4; its cost per exam does not depend on how many):
``tests/reference/throughput.cjs`` builds its input objects outside the timed loop and times only
``new ISNCSCI(...)`` and reading the classification and totals, best of 3. The ratio batch /
reference, classify only, is printed per size.

Then, on a sample of the same exams (default 2x10^4), the scalar engine (``classify`` on parsed
exams) against the batch engine, classify only and encode/parse + classify, their ratio, and how
many exams the two classify alike (all must). Peak RSS of the process closes the table.

    .venv/bin/python benchmarks/batch_throughput.py [--sizes 10000 100000 1000000] [--sample N]
        [--reference-sample N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.batch import CHUNK, ExamArrays, classify_batch, concatenate, encode
from cordtrack.isncsci.batch.classification import default_workers
from cordtrack.isncsci.generator import generate_exams

GENERATE_CHUNK = 50_000  # exams held as dicts at once while encoding
# Classify-only runs per size: enough to fill about RUN_SECONDS per measure (a run of 10^4 exams
# lasts about 12 ms, and this machine's speed swings over seconds: five runs often fall within one
# slow spell), at least MIN_RUNS and at most MAX_RUNS.
RUN_SECONDS, MIN_RUNS, MAX_RUNS = 1.0, 3, 60
REFERENCE = Path(__file__).resolve().parent.parent / "tests" / "reference"


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


def bench_size(n: int, seed: int) -> tuple[float, float]:
    """Print the figures of n exams; returns the classify-only rates (default workers, one)."""
    arrays, encode_seconds = encode_generated(n, seed)
    first = timed(lambda: classify_batch(arrays))  # warm-up: first-touch page faults, caches
    runs = min(MAX_RUNS, max(MIN_RUNS, math.ceil(RUN_SECONDS / first)))
    # Threaded and one-worker runs alternate, so that both meet the same load from elsewhere.
    threaded, serial = [], []
    for _ in range(runs):
        threaded.append(timed(lambda: classify_batch(arrays)))
        serial.append(timed(lambda: classify_batch(arrays, workers=1)))
    classify_seconds, serial_seconds = min(threaded), min(serial)
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
    row("  median of the same runs", n, statistics.median(threaded), f"{runs} runs")
    row("classify only, workers=1", n, serial_seconds)
    row("  median of the same runs", n, statistics.median(serial))
    row("render (to_flat_rows)", n, render_seconds)
    return n / classify_seconds, n / serial_seconds


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


def reference_rate(sample: int, seed: int) -> tuple[float, str] | str:
    """The published reference's classify-only exams/s on the first ``sample`` generated exams,
    and node's version; or why it was not measured."""
    node = shutil.which("node")
    if node is None or not (REFERENCE / "node_modules" / "isncsci" / "package.json").exists():
        return "not installed (make test-reference installs node's isncsci)"
    with tempfile.TemporaryDirectory() as folder:
        exams = Path(folder) / "exams.jsonl"
        with exams.open("w") as out:
            out.writelines(json.dumps(e) + "\n" for e in generate_exams(sample, seed))
        done = subprocess.run(
            [node, str(REFERENCE / "throughput.cjs"), str(exams), "3"],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return float(json.loads(done.stdout)["exams_per_second"]), version.stdout.strip()


def compare_reference(sample: int, seed: int, rates: dict[int, tuple[float, float]]) -> None:
    print(f"\npublished JavaScript reference (npm isncsci), classify only, first {sample:,} exams")
    measured = reference_rate(sample, seed)
    if isinstance(measured, str):
        print(f"  reference: {measured}")
        return
    rate, version = measured
    print(f"  {'measure':<34} {'exams/s':>12} {'seconds':>9}")
    row("reference classify only (node)", sample, sample / rate, f"node {version}, best of 3")
    for n, (threaded, serial) in rates.items():
        print(
            f"  ratio batch/reference, classify only, {n:,} exams: {threaded / rate:.0f}x"
            f" (workers=1: {serial / rate:.0f}x)"
        )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reference-sample", type=int, default=20_000, help="exams for the reference; 0: skip it"
    )
    args = parser.parse_args(argv)
    blas = " ".join(f"{k}={v}" for k, v in os.environ.items() if k.startswith("OPENBLAS"))
    print(
        f"batch engine: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, chunk {CHUNK:,} exams, {default_workers()} worker threads; "
        + (f"{blas} (no effect here: elementwise work, no BLAS)" if blas else "no OPENBLAS_* set")
    )
    print(f"load average at start: {_load()} (other processes share the CPUs)")
    rates = {n: bench_size(n, args.seed) for n in args.sizes}
    if args.reference_sample > 0:
        compare_reference(args.reference_sample, args.seed, rates)
    compare(args.sample, args.seed)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\npeak RSS of this process (generation included): {size(peak_rss)}")
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
