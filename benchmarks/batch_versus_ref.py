"""The batch engine of this tree against the batch engine of an earlier commit, on the same exams.

Issue 18 asks that the batch engine stay at or above the throughput it had before the exactness
work (commit ``5b3a908``). The machine this runs on is shared, so the two engines are measured
side by side rather than hours apart: ``git archive`` exports the commit's ``src`` into a
temporary folder (nothing of it is kept), and two worker processes, one importing each tree, load
the same generated exams (default 10^5, the generator's default rates), encode them with their own
encoder and warm up. Then the runs alternate, old then new then new then old..., each one
``classify_batch(arrays, workers=1)`` (classify only, one thread); it prints the best and the
median of the wall-clock and CPU times of each engine, their ratio (this tree over the commit: above
1 is faster) and the load average before and after. A commit that is not in this clone, or no git,
prints why and measures nothing.

    .venv/bin/python benchmarks/batch_versus_ref.py [--ref 5b3a908] [--exams 100000] [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The worker: imports the cordtrack on its PYTHONPATH, answers "run" with "wall cpu" seconds.
WORKER = """
import os, pickle, sys, time
import cordtrack
from cordtrack.isncsci.batch import classify_batch, encode
arrays, errors = encode(pickle.load(open(sys.argv[1], "rb")))
assert not errors, errors[:3]
classify_batch(arrays, workers=1)
print(os.path.dirname(cordtrack.__file__), flush=True)
for line in sys.stdin:
    wall, cpu = time.perf_counter(), time.process_time()
    classify_batch(arrays, workers=1)
    print(time.perf_counter() - wall, time.process_time() - cpu, flush=True)
"""


def export(ref: str, folder: Path) -> Path | str:
    """The commit's ``src`` in ``folder``, or why it could not be exported."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=False
        )
    except OSError as error:
        return f"git not available ({error})"
    if archive.returncode != 0:
        return f"git archive {ref} failed: {archive.stderr.decode().strip()}"
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


class Worker:
    def __init__(self, src: Path, exams: Path, cache: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(src), CORDTRACK_CACHE_DIR=str(cache))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(exams)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.package = self.readline()
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def readline(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"worker exited with {self.process.wait()}")
        return line

    def run(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        wall, cpu = map(float, self.readline().split())
        self.wall.append(wall)
        self.cpu.append(cpu)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="5b3a908", help="the earlier commit (default 5b3a908)")
    parser.add_argument("--exams", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21, help="runs of each engine")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"\nbatch engine, this tree against {args.ref}: classify only, workers=1, ", end="")
    print(f"{args.exams:,} generated exams, {args.runs} alternating runs each")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        old_src = export(args.ref, folder)
        if isinstance(old_src, str):
            print(f"  not measured: {old_src}")
            return 0
        from cordtrack.isncsci.generator import generate_exams

        exams = folder / "exams.pickle"
        with exams.open("wb") as out:
            pickle.dump(list(generate_exams(args.exams, args.seed)), out)
        old = Worker(old_src, exams, folder / "cache-old")
        new = Worker(ROOT / "src", exams, folder / "cache-new")
        if not old.package.startswith(str(old_src)):  # an installed cordtrack shadowed it
            print(f"  not measured: the worker for {args.ref} imported {old.package}")
            old.close()
            new.close()
            return 0
        print(f"  load average at start: {_load()}")
        try:
            for run in range(args.runs):
                for worker in (old, new) if run % 2 == 0 else (new, old):
                    worker.run()
        finally:
            old.close()
            new.close()
        print(f"  load average at end: {_load()}")
    print(f"  {'engine':<22} {'best exams/s':>13} {'median':>13} {'CPU best':>10} {'median':>8}")
    for label, worker in ((args.ref, old), ("this tree", new)):
        print(
            f"  {label:<22} {args.exams / min(worker.wall):>13,.0f}"
            f" {args.exams / statistics.median(worker.wall):>13,.0f}"
            f" {min(worker.cpu) * 1e3:>8.1f}ms {statistics.median(worker.cpu) * 1e3:>6.1f}ms"
        )
    print(
        f"  ratio this tree / {args.ref}: wall-clock best {min(old.wall) / min(new.wall):.2f}x,"
        f" median {statistics.median(old.wall) / statistics.median(new.wall):.2f}x;"
        f" CPU time best {min(old.cpu) / min(new.cpu):.2f}x,"
        f" median {statistics.median(old.cpu) / statistics.median(new.cpu):.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
