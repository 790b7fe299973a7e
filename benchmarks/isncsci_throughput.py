"""Throughput and peak memory of ISNCSCI classification, in process and by `cordtrack classify`.

For each size (default 10^4 and 10^5 synthetic exams, written to a temporary folder) it prints:

- parse+classify in process: ``parse_exam`` then ``classify`` on exams already in memory
  (generated in chunks that are not timed), and the tracemalloc peak of that loop above its input;
- the console script end to end, JSON Lines in and out, and CSV in and out: wall-clock time of a
  subprocess, its peak RSS (``os.wait4`` in a small launcher: the largest process's) and the
  peak of the summed RSS of it and its reader processes (sampled every 10 ms from /proc); on up
  to 10^4 exams every command (the reference's too) runs three times and the fastest counts;
- when node and the reference package are installed (``make test-reference`` installs them), the
  published JavaScript reference on the same JSON Lines (``tests/reference/classify.cjs``), the
  ratio of CordTrack's throughput to it, and how many exams the two classify alike.

Then `cordtrack classify` on the largest files repeated ``--repeat`` times (default 10: 10^6
exams), against the reference's rate on the largest size.

    .venv/bin/python benchmarks/isncsci_throughput.py [--sizes 10000 100000] [--seed 0]
        [--nt-rate 0.01] [--star-rate 0.005] [--repeat 10]

The engine reads an exam without NT or starred values directly, and explores the readings an NT
or starred value allows otherwise: the rates of those values weigh on the figures.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cordtrack.isncsci import classify, parse_exam
from cordtrack.isncsci.generator import generate_exams, write_exams

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
CHUNK = 10_000  # exams held in memory at once by the in-process measure
TRACED = 20_000  # tracemalloc slows the engine several times: trace this many exams at most
SMALL, SMALL_RUNS = 10_000, 3  # every command, the reference's too, runs this often on small files

Exams = Callable[[int], Iterator[dict[str, str]]]  # n -> n synthetic exams, the same each call


@dataclass(frozen=True)
class Measure:
    label: str
    exams: int
    seconds: float
    memory: str = ""
    note: str = ""

    @property
    def rate(self) -> float:
        return self.exams / self.seconds


def in_process(n: int, make: Exams) -> Measure:
    seconds = 0.0
    exams = make(n)
    while chunk := list(itertools.islice(exams, CHUNK)):
        start = time.perf_counter()
        for flat in chunk:
            classify(parse_exam(flat))
        seconds += time.perf_counter() - start
    traced = f"tracemalloc peak {traced_peak(n, make)}"
    return Measure("parse+classify in process", n, seconds, traced)


def traced_peak(n: int, make: Exams) -> str:
    """Peak memory the parse+classify loop allocates above its input chunk, and what it keeps."""
    traced = min(n, TRACED)
    exams = make(traced)
    peak = kept = 0
    tracemalloc.start()
    try:
        while chunk := list(itertools.islice(exams, CHUNK)):
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            for flat in chunk:
                classify(parse_exam(flat))
            current, chunk_peak = tracemalloc.get_traced_memory()
            peak, kept = max(peak, chunk_peak - base), kept + current - base
            del chunk
    finally:
        tracemalloc.stop()
    first = "" if traced == n else f", first {traced:,} exams"
    return f"{size(peak)}, kept {size(kept)}{first}"


# Runs a command and reports its wall-clock time and peak RSS. Linux keeps a process's peak RSS
# across exec, so a command forked from this process (large after generating 10^5 exams) would
# report at least this process's RSS: the command is forked from this small launcher instead.
_LAUNCHER = """
import os, sys, threading, time
report, args = sys.argv[1], sys.argv[2:]
peak = [0]


def tree_rss(pid):
    # The resident memory of a process and its descendants (Linux /proc), in bytes.
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            pass
    return total


def sample(pid, done):
    while not done.wait(0.01):
        peak[0] = max(peak[0], tree_rss(pid))


start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(args[0], args)
    finally:
        os._exit(127)
done = threading.Event()
sampler = threading.Thread(target=sample, args=(pid, done), daemon=True)
sampler.start()
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
done.set()
sampler.join()
with open(report, "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss * 1024} {peak[0]}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def subprocess_run(
    label: str, n: int, args: list[str], stdin: Path | None, stdout: Path
) -> Measure:
    """Run ``args`` with stdin and stdout redirected to files, :func:`runs` times; the fastest
    run's time and peak RSS (``label`` says how many runs)."""
    times = runs(n)
    measures = [_run_once(label, n, args, stdin, stdout) for _ in range(times)]
    fastest = min(measures, key=lambda m: (bool(m.note), m.seconds))
    failed = next((m for m in measures if m.note), None)
    label = label if times == 1 else f"{label} (best of {times})"
    note = failed.note if failed else ""
    return Measure(label, n, fastest.seconds, fastest.memory, note)


def runs(n: int) -> int:
    """Runs of each command on ``n`` exams: a few on small files, where a second-long command
    meets this machine's swings of speed whole; one on large ones (minutes for the reference)."""
    return SMALL_RUNS if n <= SMALL else 1


def _run_once(label: str, n: int, args: list[str], stdin: Path | None, stdout: Path) -> Measure:
    with tempfile.TemporaryDirectory() as folder, (stdin or Path(os.devnull)).open("rb") as fin:
        report = Path(folder) / "report"
        with stdout.open("wb") as fout:
            done = subprocess.run(
                [sys.executable, "-S", "-c", _LAUNCHER, str(report), *args],
                stdin=fin, stdout=fout, stderr=subprocess.PIPE, check=False,
            )  # fmt: skip
        seconds, rss, tree = (float(x) for x in report.read_text().split())
    err = done.stderr.decode(errors="replace").strip()
    note = "" if done.returncode == 0 else f"exit status {done.returncode}: {err[-300:]}"
    # ru_maxrss is the largest single process's peak; the sampled sum covers the command's
    # reader processes too (pages they share after fork are counted in each).
    memory = f"{size(rss)} RSS" + (f", all processes {size(tree)}" if tree else "")
    return Measure(label, n, seconds, memory, note)


def agreement(ours: Path, theirs: Path) -> str:
    """How many records of two JSON Lines result files are equal, line by line."""
    same = total = 0
    with ours.open("rb") as a, theirs.open("rb") as b:
        for x, y in itertools.zip_longest(a, b):
            total += 1
            same += x is not None and y is not None and json.loads(x) == json.loads(y)
    return f"{same:,}/{total:,} exams classified alike"


def reference_command() -> list[str] | None:
    node = shutil.which("node")
    installed = (REFERENCE / "node_modules" / "isncsci" / "package.json").exists()
    return [node, str(REFERENCE / "classify.cjs")] if node and installed else None


def bench(
    n: int, make: Exams, folder: Path, cordtrack: str, our_start: float, ref_start: float
) -> list[Measure | str]:
    jsonl, csv = folder / f"exams-{n}.jsonl", folder / f"exams-{n}.csv"
    start = time.perf_counter()
    write_exams(jsonl, make(n))
    write_exams(csv, make(n))
    rows: list[Measure | str] = [f"generated in {time.perf_counter() - start:.1f} s (not timed)"]
    engine = in_process(n, make)
    rows.append(engine)
    out = folder / "out.jsonl"
    cli_jsonl = subprocess_run(
        "cordtrack classify, JSONL", n, [cordtrack, "classify", str(jsonl), "-o", str(out)],
        None, Path(os.devnull),
    )  # fmt: skip
    cli_csv = subprocess_run(
        "cordtrack classify, CSV", n,
        [cordtrack, "classify", str(csv), "-o", str(folder / "out.csv")], None, Path(os.devnull),
    )  # fmt: skip
    scalar_out = folder / "out-scalar.jsonl"
    cli_scalar = subprocess_run(
        "classify --engine scalar, JSONL", n,
        [cordtrack, "classify", str(jsonl), "-o", str(scalar_out), "--engine", "scalar"],
        None, Path(os.devnull),
    )  # fmt: skip
    rows += [cli_jsonl, cli_csv, cli_scalar]
    same = out.read_bytes() == scalar_out.read_bytes()
    rows.append(f"batch and scalar outputs identical: {'yes' if same else 'NO'}")
    reference = reference_command()
    if reference is None:
        rows.append("reference: not installed (make test-reference installs node's isncsci)")
        return rows
    ref_out = folder / "ref.jsonl"
    ref = subprocess_run("reference (npm isncsci), JSONL", n, reference, jsonl, ref_out)
    rows += [
        ref,
        # The reference reads JSON Lines only; both of CordTrack's inputs are set against that.
        f"ratio CordTrack / reference, end to end: JSONL {cli_jsonl.rate / ref.rate:.2f}x"
        f" (issue 7: >= 5x), CSV {cli_csv.rate / ref.rate:.2f}x (issue 7: >= 20x);"
        f" scalar engine JSONL {cli_scalar.rate / ref.rate:.2f}x",
        # The targets are throughput on registry-sized files; on small ones the fixed start-up
        # (Python, NumPy, the engine's tables) is much of the time, and is shown as such.
        f"share of the time that is start-up: JSONL {our_start / cli_jsonl.seconds:.0%},"
        f" CSV {our_start / cli_csv.seconds:.0%}, reference {ref_start / ref.seconds:.0%}",
        f"agreement with the reference: {agreement(out, ref_out)}",
    ]
    return rows


def start_up(make: Exams, folder: Path, cordtrack: str) -> tuple[float, float]:
    """What `cordtrack classify` and the reference cost whatever the file's size: each on one
    exam, fastest of three runs (printed; 0.0 for a reference not installed)."""
    one = folder / "one.jsonl"
    write_exams(one, make(1))
    ours = subprocess_run("", 1, [cordtrack, "classify", str(one)], None, Path(os.devnull))
    reference = reference_command()
    theirs = subprocess_run("", 1, reference, one, Path(os.devnull)).seconds if reference else 0.0
    print(
        f"start-up, one exam, fastest of {runs(1)} runs: cordtrack classify {ours.seconds:.2f} s"
        + (f", the reference {theirs:.2f} s" if reference else "")
    )
    return ours.seconds, theirs


def size(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB" if nbytes >= 2**20 else f"{nbytes / 2**10:,.0f} KiB"


def print_table(n: int, rows: Sequence[Measure | str]) -> None:
    print(f"\n{n:,} exams")
    print(f"  {'measure':<44} {'exams/s':>10} {'seconds':>9}  peak memory")
    for row in rows:
        if isinstance(row, str):
            print(f"  {row}")
            continue
        print(f"  {row.label:<44} {row.rate:>10,.0f} {row.seconds:>9.2f}  {row.memory}")
        if row.note:
            print(f"    {row.note}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nt-rate", type=float, default=0.01, help="share of NT cells")
    parser.add_argument("--star-rate", type=float, default=0.005, help="share of starred cells")
    parser.add_argument(
        "--repeat", type=int, default=10,
        help="then classify the largest files this many times over (1: not)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    cordtrack = Path(sys.executable).with_name("cordtrack")
    if not cordtrack.exists():
        print(f"{cordtrack} not found: run make install", file=sys.stderr)
        return 2
    print(
        f"ISNCSCI throughput: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"synthetic exams (seed {args.seed}, NT rate {args.nt_rate}, star rate {args.star_rate})"
    )
    make = functools.partial(
        generate_exams, seed=args.seed, nt_rate=args.nt_rate, star_rate=args.star_rate
    )
    with tempfile.TemporaryDirectory(prefix="cordtrack-bench-") as folder:
        starts = start_up(make, Path(folder), str(cordtrack))
        rows: list[Measure | str] = []
        for n in args.sizes:
            rows = bench(n, make, Path(folder), str(cordtrack), *starts)
            print_table(n, rows)
        if args.repeat > 1:
            reference = [r for r in rows if isinstance(r, Measure) and r.label.startswith("ref")]
            n = args.sizes[-1]
            print_table(
                n * args.repeat,
                repeated(n, args.repeat, Path(folder), str(cordtrack), reference[:1]),
            )
    return 0


def repeated(
    n: int, times: int, folder: Path, cordtrack: str, reference: list[Measure]
) -> list[Measure | str]:
    """`cordtrack classify` on the files of ``n`` exams repeated ``times`` times (generating
    10^6 exams takes minutes), against the reference's rate on ``n`` exams (it has no start-up
    cost worth the name, so its rate does not depend on the size)."""
    rows: list[Measure | str] = [f"the {n:,}-exam files {times} times over (ids repeat)"]
    for suffix, header in (("jsonl", 0), ("csv", 1)):
        source, big = folder / f"exams-{n}.{suffix}", folder / f"repeated.{suffix}"
        with source.open("rb") as f, big.open("wb") as out:
            lines = f.readlines()
            out.writelines(lines[:header])
            for _ in range(times):
                out.writelines(lines[header:])
        measure = subprocess_run(
            f"cordtrack classify, {suffix.upper()}", n * times,
            [cordtrack, "classify", str(big), "-o", str(folder / f"out-repeated.{suffix}")],
            None, Path(os.devnull),
        )  # fmt: skip
        rows.append(measure)
        if reference:
            ratio = measure.rate / reference[0].rate
            rows.append(f"ratio to the reference's rate on {n:,} exams: {ratio:.2f}x")
        big.unlink()
    return rows


if __name__ == "__main__":
    sys.exit(main())
