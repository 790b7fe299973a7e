"""What ``make bench-web`` says of the host it ran on, and the upkeep it gives its database.

Two things decide its figures besides the code, and neither shows in a load average:

* **The speed of a CPU.** These machines are virtual: on 2026-12-07 the same pure-Python loop
  took 0.45 s of CPU time and, five minutes later, 1.16 s (ADR 0062), and every request's cost
  moves with it.
  :func:`reference_seconds` times one fixed loop (the fastest of five) before and after the
  figures. It tells a slow host from slow code only roughly: a loop that fits in a CPU's cache
  does not feel what a shared host's caches and memory do to a web server's requests (on
  2026-12-07 the loop took 0.39-0.41 s during runs whose per-request CPU was 1.6 to 2.4 times
  that of a run two hours earlier on the same code, ADR 0062).
* **Dead rows.** PostgreSQL's default is ``autovacuum = on``: a table's dead row versions are
  reclaimed about a minute after enough accumulate (``autovacuum_naptime`` 1 min, threshold 50 +
  20 % of the table). The PostgreSQL on these machines runs with it off, so a benchmark on it
  measures ever-growing tables of dead rows (the chained staged audit entries, ADR 0060) and
  index-only scans that must visit the heap. :func:`upkeep` stands in for it: after a bulk load
  a ``VACUUM ANALYZE`` of the whole database (PostgreSQL's manual, "Populating a Database",
  14.4), and before each measured scenario a ``VACUUM`` of the tables that hold dead rows,
  only when the server's autovacuum is off (the output says so).
"""

from __future__ import annotations

import time

import psycopg

LOOP = 10_000_000


def reference_seconds(runs: int = 5) -> float:
    """The CPU time of one fixed pure-Python loop on this host (the fastest of ``runs``)."""
    best = float("inf")
    for _ in range(runs):
        began = time.process_time()
        total = 0
        for i in range(LOOP):
            total += i
        best = min(best, time.process_time() - began)
    assert total == LOOP * (LOOP - 1) // 2
    return best


def autovacuum_on(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
    return row is not None and row[0] == "on"


def vacuum_after_load(url: str) -> None:
    """``VACUUM ANALYZE`` of the whole database: the visibility map set and the planner's
    statistics taken, as autovacuum would soon after a bulk load."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def upkeep(url: str) -> int:
    """``VACUUM`` each table holding dead rows when the server's autovacuum is off (what it would
    have done by now); the number of tables vacuumed (0 when autovacuum is on)."""
    if autovacuum_on(url):
        return 0
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables "
            "WHERE n_dead_tup > 0 ORDER BY relname"
        )]  # fmt: skip
        for table in tables:
            conn.execute(f"VACUUM {table}")  # a name PostgreSQL itself quoted (format %I)
    return len(tables)
