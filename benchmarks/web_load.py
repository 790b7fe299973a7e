"""The load client of ``make bench-web`` (benchmarks/web_throughput.py): closed-loop clients.

Each client is a thread with its own keep-alive connection (as a browser or an integration keeps
one); it sends its next request as soon as the previous answer is read, for a fixed time after a
short warm-up. The connection is the standard library's ``http.client`` with the request bodies
encoded before the clock starts: the client shares the machine's two CPUs with the server and
the database, and httpx spent about 2 ms of CPU per request that the server then did not get
(ADR 0060). Signing in (a form with its CSRF token, cookies) still goes through httpx. Clients
are spread over a few processes so that at 32 clients the client's own interpreter lock does
not queue requests that the server has already answered; every process's clients are signed in
before any clock starts. A request counts when its answer has the expected status; any other
answer is counted as an error and printed (a benchmark that measures error pages measures
nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import Manager
from typing import Any
from urllib.parse import urlsplit

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
    answered: int = 0  # every expected answer once the clocks started, warm-up included
    cpu: float = 0.0  # seconds of CPU the client process used for them (no sign-in)

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
#: Their ``values`` encoded once: a request only puts the patient and the date around one.
_ENCODED = [json.dumps(values, separators=(",", ":")).encode() for values in EXAMS]


def _exam_payload(rng: random.Random, target: Target) -> bytes:
    values = rng.choice(_ENCODED)
    day = dt.date.today()  # never before the patient's injury (an earlier date may be refused)
    head = f'{{"patient_id":{rng.choice(target.patient_ids)},"exam_date":"{day.isoformat()}",'
    return head.encode() + b'"values":' + values + b"}"


class Wire:
    """One client's keep-alive connection: a request, its status, its body read whole. A
    connection the server closed while idle (gunicorn's keep-alive is 5 s) is opened again once
    for the same request; any other failure is the request's."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float) -> None:
        where = urlsplit(base)
        self.host, self.port = where.hostname or "127.0.0.1", where.port or 80
        self.headers = {"Host": f"{self.host}:{self.port}", **headers}
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None) -> int:
        headers = self.headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                answer = self.conn.getresponse()
                answer.read()
                return answer.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # reopened by the next request
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> int:
        return self.request("GET", path)

    def post(self, path: str, body: bytes) -> int:
        return self.request("POST", path, body)

    def close(self) -> None:
        self.conn.close()


#: What a failed request raises (a timeout, a refused or broken connection, a bad answer).
FAILURES = (OSError, http.client.HTTPException)

#: scenario -> (needs a session, expected status, one request: its status)
Request = Callable[[Wire, random.Random, Target], int]
SCENARIOS: dict[str, tuple[bool, int, Request]] = {
    "exam_save": (
        False,
        201,
        lambda c, r, t: c.post("/api/v1/exams", _exam_payload(r, t)),
    ),
    "patient_list_page": (True, 200, lambda c, r, t: c.get("/patients/")),
    "patient_list_api": (
        False,
        200,
        lambda c, r, t: c.get("/api/v1/patients?limit=50"),
    ),
    "dashboard": (True, 200, lambda c, r, t: c.get("/dashboard/")),
    # No target: a signed-in page with the site's chrome and no patient data (the reports'
    # index), what every page costs before its own work (ADR 0063).
    "signed_in_floor": (True, 200, lambda c, r, t: c.get("/reports/")),
    "cohort_report": (
        True,
        200,
        lambda c, r, t: c.get(f"/reports/cohort/?site={t.site}"),
    ),
}


def _client(target: Target, session: bool) -> Wire:
    """A client's connection: with a bearer token, or with the cookies of a session signed in
    as a browser signs in."""
    if not session:
        return Wire(target.base, {"Authorization": f"Bearer {target.token}"}, target.timeout)
    with httpx.Client(base_url=target.base, timeout=target.timeout) as browser:
        sign_in(browser, target)
        cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    return Wire(target.base, {"Cookie": cookies}, target.timeout)


def _process(scenario: str, target: Target, threads: int, warmup: float, seconds: float,
             seed: int, everyone: Any, all_in: Any) -> Outcome:  # fmt: skip
    """``threads`` clients in this process; the outcome of the timed part. ``everyone`` is a
    barrier of all the client processes and ``all_in`` an event set once all have passed it."""
    session, expected, request = SCENARIOS[scenario]
    clients = [_client(target, session) for _ in range(threads)]
    outcomes = [Outcome() for _ in range(threads)]
    clock: dict[str, float] = {}

    def started() -> None:
        # Every process's clients are ready before any clock starts: a sign-in costs the server
        # a password hash (Argon2), tens of milliseconds of CPU, which would otherwise be
        # measured in the latencies of the processes that were ready first.
        if everyone.wait() == 0:
            all_in.set()
        now = time.monotonic()
        clock.update(measure_from=now + warmup, stop=now + warmup + seconds,
                     cpu=time.process_time())  # fmt: skip

    # Every client signed in and answered once (a worker's first request loads what it needs,
    # seconds on a busy machine) before the clock starts; that request is not counted.
    ready = threading.Barrier(threads, action=started)

    def run(index: int) -> None:
        client, outcome = clients[index], outcomes[index]
        rng = random.Random(seed * 1000 + index)
        with contextlib.suppress(*FAILURES):
            request(client, rng, target)
        ready.wait()
        measure_from, stop = clock["measure_from"], clock["stop"]
        while (began := time.monotonic()) < stop:
            try:
                answer = request(client, rng, target)
                status, ok = str(answer), answer == expected
            except FAILURES as exc:
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
    total.cpu = time.process_time() - clock["cpu"]
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
    answered: int = 0  # every expected answer once the clocks started, warm-up included
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
    with Manager() as manager, ProcessPoolExecutor(max_workers=procs) as pool:
        everyone, all_in = manager.Barrier(procs), manager.Event()
        futures = [pool.submit(_process, scenario, target, n, warmup, seconds, i + 1,
                               everyone, all_in)
                   for i, n in enumerate(shares)]  # fmt: skip
        # The CPU counted from when every client is signed in (the clocks start then).
        while not all_in.wait(0.5):
            if any(f.done() for f in futures):  # a process failed before the barrier
                for f in futures:
                    f.result()
        before = Snapshot(server_pid, database)
        with LockSampler(database) as locks:
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
            answer = request(client, rng, target)
            times.append(time.monotonic() - began)
            if answer != expected:
                raise RuntimeError(f"{scenario}: answered {answer}")
    finally:
        client.close()
    return statistics.median(times), times
