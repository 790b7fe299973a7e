"""The load client of ``make bench-web`` (benchmarks/web_throughput.py): closed-loop clients.

Each client is a thread with its own ``httpx.Client`` (one keep-alive connection, as a browser
or an integration keeps); it sends its next request as soon as the previous answer is read, for a
fixed time after a short warm-up. Clients are spread over a few processes so that at 32 clients
the client's own interpreter lock does not queue requests that the server has already answered.
A request counts when its answer has the expected status; any other answer is counted as an
error and printed (a benchmark that measures error pages measures nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg

from cordtrack.isncsci.generator import generate_exams
from process_cpu import Snapshot

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Target:
    """Where and as whom the clients talk: the server, a bearer token, a user to sign in as, and
    the patients exams are recorded for."""

    base: str
    token: str
    username: str
    password: str
    patient_ids: tuple[int, ...]
    site: str
    timeout: float = 120.0  # seconds a request may take before it counts as failed


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)
    answered: int = 0  # every expected answer, warm-up included (for the CPU per request)
    cpu: float = 0.0  # seconds of CPU the client process used for them

    def add(self, other: Outcome) -> None:
        self.latencies += other.latencies
        self.answered += other.answered
        self.cpu += other.cpu
        for key, count in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + count


def sign_in(client: httpx.Client, target: Target) -> None:
    """A session as a browser gets one: the login form's CSRF token, then the form posted."""
    page = client.get("/accounts/login/")
    found = _CSRF.search(page.content)
    if found is None:
        raise RuntimeError(f"no CSRF token on the login page ({page.status_code})")
    answer = client.post(
        "/accounts/login/",
        data={"username": target.username, "password": target.password,
              "csrfmiddlewaretoken": found.group(1).decode()},
        headers={"Referer": f"{target.base}/accounts/login/"},
    )  # fmt: skip
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {target.username} failed ({answer.status_code})")


#: Complete exams to send (the engine's own generator: plausible injuries, some cells not
#: testable or starred), the same on every run.
EXAMS = [{k: v for k, v in e.items() if k != "id"} for e in generate_exams(500, seed=16)]


def _exam_payload(rng: random.Random, target: Target) -> dict[str, Any]:
    values = rng.choice(EXAMS)
    day = dt.date.today()  # never before the patient's injury (an earlier date may be refused)
    return {"patient_id": rng.choice(target.patient_ids), "exam_date": day.isoformat(),
            "values": values}  # fmt: skip


#: scenario -> (needs a session, expected status, one request)
Request = Callable[[httpx.Client, random.Random, Target], httpx.Response]
SCENARIOS: dict[str, tuple[bool, int, Request]] = {
    "exam_save": (
        False,
        201,
        lambda c, r, t: c.post("/api/v1/exams", json=_exam_payload(r, t)),
    ),
    "patient_list_page": (True, 200, lambda c, r, t: c.get("/patients/")),
    "patient_list_api": (
        False,
        200,
        lambda c, r, t: c.get("/api/v1/patients?limit=50"),
    ),
    "dashboard": (True, 200, lambda c, r, t: c.get("/dashboard/")),
    "cohort_report": (
        True,
        200,
        lambda c, r, t: c.get(f"/reports/cohort/?site={t.site}"),
    ),
}


def _client(target: Target, session: bool) -> httpx.Client:
    headers = {} if session else {"Authorization": f"Bearer {target.token}"}
    client = httpx.Client(base_url=target.base, headers=headers, timeout=target.timeout)
    if session:
        sign_in(client, target)
    return client


def _process(scenario: str, target: Target, threads: int, warmup: float, seconds: float,
             seed: int) -> Outcome:  # fmt: skip
    """``threads`` clients in this process; the outcome of the timed part."""
    began_cpu = time.process_time()
    session, expected, request = SCENARIOS[scenario]
    clients = [_client(target, session) for _ in range(threads)]
    outcomes = [Outcome() for _ in range(threads)]
    clock: dict[str, float] = {}

    def started() -> None:
        now = time.monotonic()
        clock.update(measure_from=now + warmup, stop=now + warmup + seconds)

    # Every client signed in and answered once (a worker's first request loads what it needs,
    # seconds on a busy machine) before the clock starts.
    ready = threading.Barrier(threads, action=started)

    def run(index: int) -> None:
        client, outcome = clients[index], outcomes[index]
        rng = random.Random(seed * 1000 + index)
        with contextlib.suppress(httpx.HTTPError):
            outcome.answered += request(client, rng, target).status_code == expected
        ready.wait()
        measure_from, stop = clock["measure_from"], clock["stop"]
        while (began := time.monotonic()) < stop:
            try:
                response = request(client, rng, target)
                status = str(response.status_code)
                ok = response.status_code == expected
            except httpx.HTTPError as exc:
                status, ok = type(exc).__name__, False
            ended = time.monotonic()
            outcome.answered += ok
            if began >= measure_from and ended <= stop:
                if ok:
                    outcome.latencies.append(ended - began)
                else:
                    outcome.errors[status] = outcome.errors.get(status, 0) + 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for c in clients:
        c.close()
    total = Outcome()
    for o in outcomes:
        total.add(o)
    total.cpu = time.process_time() - began_cpu
    return total


class LockSampler:
    """Samples PostgreSQL's sessions of the benchmark's database ten times a second while a
    measurement runs: how many queries are running and how many wait for a lock held by another
    transaction (row locks show as ``transactionid``/``tuple``: writers queued behind the audit
    trail's head row, for one)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.1):
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE state = 'active'), "
                    "count(*) FILTER (WHERE wait_event_type = 'Lock') "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                ).fetchone()
                if row is not None:
                    self.samples.append((int(row[0]), int(row[1])))

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def waiting(self) -> float:
        """Mean number of sessions waiting for a lock."""
        return statistics.fmean(w for _, w in self.samples) if self.samples else 0.0

    @property
    def active(self) -> float:
        return statistics.fmean(a for a, _ in self.samples) if self.samples else 0.0


@dataclass(frozen=True)
class Measured:
    scenario: str
    clients: int
    seconds: float
    count: int
    errors: dict[str, int]
    p50: float
    p95: float
    p99: float
    active: float = 0.0  # mean queries running in PostgreSQL
    waiting: float = 0.0  # mean of them waiting for a lock
    answered: int = 0  # every expected answer, warm-up included
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # seconds: client, server, PostgreSQL

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def cpu_line(self) -> str:
        """CPU per answered request in each side, and the rate the machine's cores allow."""
        if not self.answered:
            return "CPU per request: nothing answered"
        client, server, database = (1000 * c / self.answered for c in self.cpu)
        total = client + server + database
        cores = len(os.sched_getaffinity(0))
        bound = f"; {cores} CPUs allow at most {1000 * cores / total:.0f}/s" if total else ""
        return (f"CPU per request: server {server:.1f} ms, PostgreSQL {database:.1f} ms, client "
                f"{client:.1f} ms, total {total:.1f} ms{bound}")  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation (``statistics.quantiles``)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 10) - 1]


def measure(scenario: str, target: Target, clients: int, *, warmup: float, seconds: float,
            database: str, processes: int = 4,
            server_pid: int | None = None) -> Measured:  # fmt: skip
    """``clients`` concurrent clients of ``scenario`` for ``seconds`` after ``warmup``; with
    ``server_pid``, the CPU the server's processes and the database's backends used too."""
    procs = max(1, min(processes, clients))
    shares = [clients // procs + (i < clients % procs) for i in range(procs)]
    total = Outcome()
    before = Snapshot(server_pid, database)
    with ProcessPoolExecutor(max_workers=procs) as pool, LockSampler(database) as locks:
        futures = [pool.submit(_process, scenario, target, n, warmup, seconds, i + 1)
                   for i, n in enumerate(shares)]  # fmt: skip
        for f in futures:
            total.add(f.result())
    server, backends = Snapshot(server_pid, database).since(before)
    ms = sorted(total.latencies)
    p50, p95, p99 = (percentile(ms, q) for q in (50, 95, 99))
    return Measured(scenario, clients, seconds, len(ms), total.errors, p50, p95, p99,
                    locks.active, locks.waiting, total.answered,
                    (total.cpu, server, backends))  # fmt: skip


def time_once(scenario: str, target: Target, runs: int = 3) -> tuple[float, list[float]]:
    """The median and every time of ``runs`` requests one after another (after one warm-up)."""
    session, expected, request = SCENARIOS[scenario]
    rng = random.Random(0)
    client = _client(target, session)
    try:
        request(client, rng, target)
        times = []
        for _ in range(runs):
            began = time.monotonic()
            response = request(client, rng, target)
            times.append(time.monotonic() - began)
            if response.status_code != expected:
                raise RuntimeError(f"{scenario}: answered {response.status_code}")
    finally:
        client.close()
    return statistics.median(times), times
