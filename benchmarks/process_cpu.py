"""CPU time of the processes a benchmark runs (Linux ``/proc``): the server's process tree and
the PostgreSQL backends serving one database.

With closed-loop clients on a machine whose cores are all busy, the requests per second are
bounded by the cores divided by the CPU each request costs in every process (client, server,
database); unlike a rate, that cost is barely moved by what else the machine runs, so
``make bench-web`` prints it beside the figures (ADR 0057).
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_of(pid: int) -> float:
    """Seconds of CPU (user and system) the process has used; 0 when it is gone or unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / _TICK


def tree(root: int) -> list[int]:
    """``root`` and every process below it (gunicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def backends(url: str) -> list[int]:
    """The PostgreSQL backends connected to the database of ``url`` (other than this query's)."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


class Snapshot:
    """CPU seconds per process of the server tree and of the database's backends, at one time;
    ``since(earlier)`` the CPU used between the two, per side (a process started in between
    counts from zero)."""

    def __init__(self, server_pid: int | None, url: str) -> None:
        self.server = {p: cpu_of(p) for p in tree(server_pid)} if server_pid else {}
        self.database = {p: cpu_of(p) for p in backends(url)}

    def since(self, earlier: Snapshot) -> tuple[float, float]:
        def used(now: dict[int, float], before: dict[int, float]) -> float:
            return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in now.items())

        return used(self.server, earlier.server), used(self.database, earlier.database)
