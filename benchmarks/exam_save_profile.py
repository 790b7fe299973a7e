"""One exam save, in process: its cost, its queries and (optionally) its profile.

    .venv/bin/python benchmarks/exam_save_profile.py [--database URL] [--saves 300]
        [--patients 300] [--profile 25] [--queries] [--via wsgi|client]

The request ``make bench-web`` sends (``POST /api/v1/exams`` with a bearer token, a complete exam
from the engine's generator) through Django's whole stack (every middleware, the read audit,
django-ninja, the service, the audit trail), in this process, without a server or a network:
what one save costs the CPU, and how many queries it makes. By default the request is handed to
the WSGI application as gunicorn hands it (the environ of httpx's request, the body read from
``wsgi.input``, the answer's iterable joined and closed, so ``request_started`` and
``request_finished`` run), with the request's JSON log line formatted as the server formats it
(into ``os.devnull``); ``--via client`` uses Django's test client instead, as the figures of ADRs
0054 and 0057 did (it adds its own work: signal receivers connected per request, the answer's
cookies and context). Then the parts alone: the service
function (``record_exam``) and the classification. ``--profile N`` adds cProfile's N most
expensive functions (cumulative) over the saves; ``--queries`` prints the SQL of one save.

The database (default: SQLite in var/bench-profile/; ``--database postgres://...`` a PostgreSQL
database of yours, created when missing) is migrated and filled once with ``--patients``
synthetic patients at one site (``cordtrack demo``); later runs reuse it and add exams to it.
The figures depend on everything else the machine runs: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process_cpu import cpu_of
from web_load import EXAMS, percentile

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench-profile"
SITE = "SYA"


def _env(url: str) -> dict[str, str]:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "profile.env"
    if not path.exists():
        path.write_text(
            f"CORDTRACK_SECRET_KEY={secrets.token_urlsafe(48)}\n"
            f"CORDTRACK_AUDIT_KEY={secrets.token_urlsafe(48)}\n"
        )
    return {"CORDTRACK_ENV_FILE": str(path), "DATABASE_URL": url, "CORDTRACK_VAR_DIR": str(VAR),
            "CORDTRACK_DEBUG": "0", "CORDTRACK_DEMO": "0", "CORDTRACK_SECURE_COOKIES": "0",
            "CORDTRACK_AUDIT_ANCHORS_FILE": str(VAR / "audit-anchors.jsonl"),
            "DJANGO_SETTINGS_MODULE": "cordtrack.server.settings"}  # fmt: skip


def _prepare(url: str, env: dict[str, str], patients: int) -> None:
    """Create (PostgreSQL), migrate and fill the database once."""
    if url.startswith("postgres"):
        import psycopg

        name = str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])
        admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    full = {**os.environ, **env}
    cordtrack = str(BIN / "cordtrack")
    subprocess.run([cordtrack, "manage", "migrate", "--noinput", "--verbosity", "0"], env=full,
                   check=True)  # fmt: skip
    probe = "from cordtrack.server.patients.models import Patient; print(Patient.objects.count())"
    held = subprocess.run([cordtrack, "manage", "shell", "-c", probe], env=full, check=True,
                          text=True, stdout=subprocess.PIPE).stdout.split()  # fmt: skip
    if held[-1:] == ["0"]:
        print(f"generating {patients} synthetic patients at {SITE} ...", flush=True)
        subprocess.run([cordtrack, "demo", "--patients", str(patients), "--sites", SITE, "--seed",
                        "1"], env={**full, "CORDTRACK_DEMO": "1"}, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def _ms(values: list[float]) -> str:
    median, mean, p95 = (1000 * statistics.median(values), 1000 * statistics.fmean(values),
                         1000 * percentile(values, 95))  # fmt: skip
    return f"median {median:.2f} ms, mean {mean:.2f} ms, p95 {p95:.2f} ms"


def _backend_pid(connection: Any) -> int | None:
    """The PostgreSQL backend serving this thread's connection (on this machine), if open."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    return int(connection.connection.info.backend_pid)


def _quiet_request_log() -> None:
    """The request's log line formatted as the server formats it (its cost is the server's), but
    written into ``os.devnull``: a line per save on the terminal otherwise."""
    import logging

    logger = logging.getLogger("cordtrack.request")
    for shown in list(logger.handlers):
        if isinstance(shown, logging.StreamHandler):
            kept = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 (process-long)
            kept.setFormatter(shown.formatter)
            for f in shown.filters:
                kept.addFilter(f)
            logger.removeHandler(shown)
            logger.addHandler(kept)


def _wsgi_post(application: Any, token: str, body: bytes) -> tuple[int, bytes]:
    """``POST /api/v1/exams`` handed to the WSGI application as gunicorn hands it: the headers
    httpx sends, the body to read from ``wsgi.input``, the answer joined and closed."""
    environ = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": "/api/v1/exams",
        "QUERY_STRING": "", "RAW_URI": "/api/v1/exams", "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8100", "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8100",
        "HTTP_ACCEPT": "*/*", "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_CONNECTION": "keep-alive", "HTTP_USER_AGENT": "python-httpx/0.28.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }  # fmt: skip
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(line)
        return lambda data: None

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()  # request_finished, as the server's worker does
    return int(status[0].split()[0]), content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = f"sqlite:///{VAR / 'profile.sqlite3'}"
    parser.add_argument("--database", default=default, help=f"default {default}")
    parser.add_argument("--saves", type=int, default=300, help="timed saves (default 300)")
    parser.add_argument("--patients", type=int, default=300, help="when the database is empty")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="print cProfile's N most expensive functions")  # fmt: skip
    parser.add_argument("--queries", action="store_true", help="print the SQL of one save")
    parser.add_argument("--profile-out", metavar="FILE", help="with --profile: also write the "
                        "raw profile (pstats) to FILE")  # fmt: skip
    parser.add_argument("--via", choices=("wsgi", "client"), default="wsgi",
                        help="the WSGI application as gunicorn calls it (default), or Django's "
                        "test client")  # fmt: skip
    args = parser.parse_args()
    if "cordtrack_bench" in args.database:
        parser.error("cordtrack_bench is make bench-web's database: name another")
    env = _env(args.database)
    _prepare(args.database, env, args.patients)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cordtrack.server.accounts.models import User
    from cordtrack.server.patients.models import Patient
    from cordtrack.server.services import api_tokens
    from cordtrack.server.services import exams as exam_services
    from web_throughput import load, machine

    user = User.objects.get(username=f"clinician@{SITE.lower()}")
    _, token = api_tokens.create_token(user, name="exam-save-profile")
    ids = list(Patient.objects.filter(site__code=SITE, consent_status="consented")
               .order_by("pk").values_list("pk", flat=True)[:2000])  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    application = get_wsgi_application()  # sets up Django (and its logging) again
    _quiet_request_log()
    rng = random.Random(16)
    today = time.strftime("%Y-%m-%d")

    def save() -> Any:
        body = {"patient_id": rng.choice(ids), "exam_date": today, "values": rng.choice(EXAMS)}
        if args.via == "client":
            response = client.post("/api/v1/exams", body, content_type="application/json")
            status, content = response.status_code, response.content
        else:
            status, content = _wsgi_post(application, token, json.dumps(body).encode())
        if status != 201:
            sys.exit(f"POST /api/v1/exams answered {status}: {content!r}")
        return content

    print(f"machine: {machine()}; {load()}")
    print(f"database: {connection.vendor}, {Patient.objects.count()} patients; "
          f"{len(ids)} consented at {SITE}", flush=True)  # fmt: skip
    for _ in range(20):  # warm-up: imports, caches, the first connection
        save()
    times, cpu, database = [], [], 0.0
    for _ in range(args.saves):
        backend = _backend_pid(connection)
        backend_cpu = cpu_of(backend) if backend else 0.0
        began, began_cpu = time.perf_counter(), time.thread_time()
        save()
        cpu.append(time.thread_time() - began_cpu)
        times.append(time.perf_counter() - began)
        after = _backend_pid(connection)
        # A new backend (the connection renewed after CONN_MAX_AGE) counts from zero.
        database += cpu_of(after) - (backend_cpu if after == backend else 0.0) if after else 0.0
    print(f"POST /api/v1/exams in process (via {args.via}), {args.saves} saves: {_ms(times)}")
    print(f"  CPU of this thread per save: {_ms(cpu)}")
    if connection.vendor == "postgresql":
        print(
            f"  CPU of the PostgreSQL backend per save (mean, clock ticks of "
            f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms): {database / args.saves * 1000:.2f} ms"
        )

    counts, last = [], []
    for _ in range(20):
        with CaptureQueriesContext(connection) as captured:
            save()
        counts.append(len(captured.captured_queries))
        last = captured.captured_queries
    print(f"queries per save: {min(counts)} to {max(counts)} (20 saves)")
    if args.queries:
        for q in last:
            print(f"  {q['sql'][:180]}")

    patients = list(Patient.objects.filter(pk__in=ids[:200]))
    service, service_cpu = [], []
    for _ in range(min(args.saves, 200)):
        patient = rng.choice(patients)
        values = rng.choice(EXAMS)
        began, began_cpu = time.perf_counter(), time.thread_time()
        exam_services.record_exam(user, patient, values, exam_date=dt.date.today())
        service_cpu.append(time.thread_time() - began_cpu)
        service.append(time.perf_counter() - began)
    print(f"record_exam (the service alone), {len(service)} saves: {_ms(service)}")
    print(f"  CPU of this thread per save: {_ms(service_cpu)}")
    classify = []
    for values in EXAMS[:200]:
        began = time.thread_time()
        exam_services.classify_flat(values)
        classify.append(time.thread_time() - began)
    print(f"classify_flat (the engine alone), CPU per exam of {len(classify)}: {_ms(classify)}")

    if args.profile:
        profiler = cProfile.Profile(time.thread_time)  # CPU, not waits
        profiler.enable()
        for _ in range(min(args.saves, 200)):
            save()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        if args.profile_out:
            stats.dump_stats(args.profile_out)
        profiled = min(args.saves, 200)
        # Not slowed by the machine's load, unlike the times: a steady measure of the work.
        print(f"Python function calls per save: {stats.total_calls / profiled:.0f}")
        stats.sort_stats("cumulative").print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)
    print(f"machine: {machine()}; {load()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
