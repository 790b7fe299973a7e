"""``make bench-web``: the production server on PostgreSQL with a synthetic registry, under load.

    .venv/bin/python benchmarks/web_throughput.py [--patients 100000] [--sites 10]
        [--database postgres://postgres@127.0.0.1:5432/cordtrack_bench] [--port 8100]
        [--clients 1,8,32] [--seconds 15] [--warmup 3] [--workers N] [--threads N] [--fresh]
        [--scenarios exam_save,...]   (--scenarios "": only the cohort report is timed)

1. The database (created when missing) is migrated and filled by the bulk generator
   (``cordtrack demo --patients N --sites K --seed 1``: 10 sites of 10,000 patients at 100,000).
   A database that already holds exactly that run is reused, so a second run measures at once;
   one that holds anything else is refused (``--fresh`` drops and recreates it). A new load
   ends with ``VACUUM ANALYZE``; when the server's autovacuum is off, the tables holding dead
   rows are vacuumed before each scenario, as autovacuum would (benchmarks/bench_host.py).
2. ``cordtrack serve`` (gunicorn, debug off, demo mode off, static files collected, JSON logs
   to var/bench/server.log) on 127.0.0.1:PORT over plain HTTP (cookies without the Secure flag,
   as behind a proxy that terminates TLS: the server's work is the same), with the settings of
   var/bench/bench.env (keys generated once for the benchmark; the audit trail is sealed with
   them).
3. For each number of concurrent clients (closed loop, benchmarks/web_load.py): exam saves
   through the API (``POST /api/v1/exams``, a complete exam classified by the engine, signed in
   with a bearer token), the patient list page (``/patients/``, a clinician's session), the
   patient list API (``/api/v1/patients``, 50 a page), the dashboard (``/dashboard/``); then the
   cohort report (``/reports/cohort/`` of the first site, 100,000 / sites patients) timed alone.
4. ``cordtrack audit verify`` on the result, and the table: each figure beside its target from
   issue 16, as a ratio, with the machine (CPUs, model, load average before and after, and
   the CPU time of a reference Python loop: virtual CPUs differ from hour to hour, ADR 0062).

The figures depend on everything else the machine runs: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_host import LOOP, autovacuum_on, reference_seconds, upkeep, vacuum_after_load
from web_load import SCENARIOS, Measured, Target, measure, time_once

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench"
SEED = 1
PASSWORD = "cordtrack-demo"  # the demo users' (cordtrack.server.demo.PASSWORD)

#: (figure, clients, target, kind) from issue 16 item 5: "min" a floor, "max" a ceiling.
TARGETS = {
    ("exam_save", "per_second"): (32, 150.0, "min", "/s"),
    ("exam_save", "p95"): (32, 0.300, "max", "s"),
    ("patient_list_page", "p95"): (32, 0.150, "max", "s"),
    ("patient_list_api", "p95"): (32, 0.150, "max", "s"),
    ("dashboard", "p95"): (32, 0.300, "max", "s"),
}
COHORT_TARGET = 2.0


def _env(url: str) -> dict[str, str]:
    """The benchmark's settings file (keys generated once), read by every command it runs."""
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "bench.env"
    if not path.exists():
        path.write_text(
            f"CORDTRACK_SECRET_KEY={secrets.token_urlsafe(48)}\n"
            f"CORDTRACK_AUDIT_KEY={secrets.token_urlsafe(48)}\n"
        )
    return {**os.environ, "CORDTRACK_ENV_FILE": str(path), "DATABASE_URL": url,
            "CORDTRACK_VAR_DIR": str(VAR), "CORDTRACK_DEBUG": "0", "CORDTRACK_DEMO": "0",
            # plain HTTP on loopback (TLS is the proxy's): the client must get its cookies back
            "CORDTRACK_SECURE_COOKIES": "0",
            "CORDTRACK_AUDIT_ANCHORS_FILE": str(VAR / "audit-anchors.jsonl")}  # fmt: skip


def _cordtrack(env: dict[str, str], *args: str, **kwargs: object) -> str:
    done = subprocess.run([str(BIN / "cordtrack"), *args], env=env, check=True, text=True,
                          stdout=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]  # fmt: skip
    return str(done.stdout)


def _database(url: str, fresh: bool) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = str(info["dbname"])
    admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _holds(url: str, patients: int, sites: list[str]) -> bool | None:
    """True: the database holds this run; False: it is empty; None: it holds something else."""
    key = f"seed {SEED} registry {','.join(sites)}"[:40]
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM patients_patient").fetchone()
        run = conn.execute("SELECT 1 FROM audit_auditentry WHERE model = 'cordtrack.synthetic' "
                           "AND object_id = %s", [key]).fetchone()  # fmt: skip
    total = count[0] if count else 0
    if total == 0:
        return False
    return True if run and total == patients else None


def _prepare(args: argparse.Namespace, env: dict[str, str], sites: list[str]) -> None:
    _database(args.database, args.fresh)
    _cordtrack(env, "manage", "migrate", "--noinput", "--verbosity", "0")
    held = _holds(args.database, args.patients, sites)
    if held is None:
        sys.exit(f"{args.database} holds other data: run again with --fresh to recreate it")
    if not held:
        print(
            f"generating {args.patients} patients over {len(sites)} sites ...",
            flush=True,
        )
        began = time.monotonic()
        demo = {**env, "CORDTRACK_DEMO": "1"}
        out = _cordtrack(
            demo,
            "demo",
            "--patients",
            str(args.patients),
            "--sites",
            ",".join(sites),
            "--seed",
            str(SEED),
        )
        print(out.strip())
        print(f"generated in {time.monotonic() - began:.0f} s", flush=True)
        vacuum_after_load(args.database)
    _cordtrack(env, "manage", "collectstatic", "--noinput", "--verbosity", "0")


def _target(env: dict[str, str], site: str, base: str) -> Target:
    user = f"clinician@{site.lower()}"
    token = _cordtrack(env, "token", "create", user, "--name", "bench-web").strip().split()[-1]
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT p.id FROM patients_patient p JOIN accounts_site s ON s.id = p.site_id "
            "WHERE s.code = %s AND p.consent_status = 'consented' ORDER BY p.id LIMIT 2000",
            [site],
        ).fetchall()
    return Target(base, token, user, PASSWORD, tuple(r[0] for r in rows), site)


def _serve(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [str(BIN / "cordtrack"), "serve", "--bind", f"127.0.0.1:{args.port}"]
    argv += ["--workers", args.workers] if args.workers else []
    argv += ["--threads", args.threads] if args.threads else []
    log = (VAR / "server.log").open("ab")
    server = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 300  # start-up imports everything once (slow on a busy machine)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=60):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server stopped (exit {server.returncode}): see {VAR}/server.log")
            time.sleep(0.5)
    server.terminate()
    sys.exit("the server did not answer /healthz within 300 s")


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def _verdict(value: float, target: float, kind: str) -> str:
    ratio = value / target if kind == "min" else target / value if value else float("inf")
    return f"{ratio:5.2f}x {'meets' if ratio >= 1 else 'MISSES'}"


def report(results: list[Measured], cohort: tuple[float, list[float]] | str, patients: int,
           site_patients: int) -> None:  # fmt: skip
    print(f"\n{'figure':<22}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'pg run':>8}{'pg lock':>8}   target (ratio: >= 1 meets it)")  # fmt: skip
    for m in results:
        notes = []
        for (scenario, figure), (clients, target, kind, unit) in TARGETS.items():
            if scenario == m.scenario and clients == m.clients:
                value = m.per_second if figure == "per_second" else getattr(m, figure)
                shown = f"{target:.0f}/s" if unit == "/s" else f"{target * 1000:.0f} ms"
                sign = ">=" if kind == "min" else "<="
                notes.append(f"{figure} {sign} {shown}: {_verdict(value, target, kind)}")
        errors = sum(m.errors.values())
        print(
            f"{m.scenario:<22}{m.clients:>8}{m.per_second:>9.1f}{m.p50 * 1000:>9.0f}"
            f"{m.p95 * 1000:>9.0f}{m.p99 * 1000:>9.0f}{errors:>8}{m.active:>8.1f}{m.waiting:>8.1f}"
            f"   {'; '.join(notes)}"
        )
        if m.errors:
            print(f"{'':<22}answers other than expected: {m.errors}")
    if isinstance(cohort, str) and cohort.startswith("not measured"):
        print(f"\ncohort report of a {site_patients}-patient site: {cohort}")
    elif isinstance(cohort, str):
        print(f"\ncohort report of a {site_patients}-patient site: {cohort} (a request may take "
              f"{Target.timeout:.0f} s); target <= {COHORT_TARGET:.0f} s: MISSES")  # fmt: skip
    else:
        median, times = cohort
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"\ncohort report of a {site_patients}-patient site: median {median:.2f} s "
              f"({shown}); target <= {COHORT_TARGET:.0f} s: "
              f"{_verdict(median, COHORT_TARGET, 'max')}")  # fmt: skip
    print(
        f"registry: {patients} synthetic patients; PostgreSQL; client, server and database on "
        "this machine; pg run / pg lock: mean PostgreSQL queries running / waiting for a lock"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/cordtrack_bench")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", help="gunicorn processes (default: cordtrack serve's)")
    parser.add_argument("--threads", help="threads per process (default: cordtrack serve's)")
    timed = ",".join(s for s in SCENARIOS if s != "cohort_report")
    parser.add_argument("--scenarios", default=timed)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--no-cohort", action="store_true", help="leave out the cohort report (pages only)"
    )
    args = parser.parse_args()
    if args.patients < 1 or not 1 <= args.sites <= 26:
        parser.error("--patients at least 1, --sites 1 to 26")
    from cordtrack.commands.demo import site_codes

    sites = site_codes(str(args.sites))
    env = _env(args.database)
    started = time.monotonic()
    print(f"machine: {machine()}; {load()}", flush=True)
    reference = reference_seconds()
    print(
        f"reference: a pure-Python loop of {LOOP:,} additions took {reference:.3f} s of CPU "
        "(the fastest of 5; a rough gauge of the host's speed, ADR 0062)",
        flush=True,
    )
    _prepare(args, env, sites)
    if not autovacuum_on(args.database):
        print(
            "PostgreSQL's autovacuum is off here: the benchmark vacuums the tables holding "
            "dead rows before each scenario, as autovacuum (on by default) would",
            flush=True,
        )
    server = _serve(args, env)
    results: list[Measured] = []
    try:
        target = _target(env, sites[0], f"http://127.0.0.1:{args.port}")
        scenarios = [s for s in args.scenarios.split(",") if s]  # "": the cohort report only
        for clients in (int(c) for c in args.clients.split(",")) if scenarios else ():
            for scenario in scenarios:
                upkeep(args.database)  # autovacuum's work, when the server's is off
                m = measure(scenario, target, clients, warmup=args.warmup, seconds=args.seconds,
                            database=args.database, server_pid=server.pid)  # fmt: skip
                results.append(m)
                print(f"  {scenario} x{clients}: {m.per_second:.1f}/s, p95 {m.p95 * 1000:.0f} ms;"
                      f" PostgreSQL: {m.active:.1f} queries running, {m.waiting:.1f} waiting for"
                      f" a lock (means of samples); {load()}\n    {m.cpu_line()}",
                      flush=True)  # fmt: skip
        cohort: tuple[float, list[float]] | str = "not measured (--no-cohort)"
        try:
            if not args.no_cohort:
                cohort = time_once("cohort_report", target)
        except (httpx.HTTPError, RuntimeError) as exc:  # the table is printed all the same
            cohort = f"failed: {type(exc).__name__} {exc}"
    finally:
        server.terminate()
        server.wait(timeout=60)
    verified = _cordtrack(env, "audit", "verify").strip().splitlines()[-1]
    per_site = args.patients // args.sites + (args.patients % args.sites > 0)
    report(results, cohort, args.patients, per_site)
    after = reference_seconds()
    print(f"machine: {machine()}; {load()} after; reference loop {reference:.3f} s before, "
          f"{after:.3f} s after; {verified}")  # fmt: skip
    print(f"bench-web took {time.monotonic() - started:.0f} s; server log: {VAR}/server.log")
    if shutil.which("uptime"):
        subprocess.run(["uptime"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
