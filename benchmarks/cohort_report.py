"""The cohort report of one site, timed in process: each step, both outcome engines, the page.

    .venv/bin/python benchmarks/cohort_report.py --site SYA [--repeat 3] [--definition ais1_12m]
        [--reference] [--page] [--profile FILE]

Reads the database named by DATABASE_URL (a registry made by ``cordtrack demo --patients 20000
--sites 2`` has two sites of 10,000 patients). Prints, best of ``--repeat``:

1. reading the cohort's courses (``reports.figures.cohort_courses``: the columnar reader);
2. the outcome figures by the column engine (``outcomes.batch.summarise``) and, with
   ``--reference``, by the reference engine (``outcomes.summary.summarise``), their ratio, and
   whether the two are equal (they must be: it exits 1 if not);
3. with ``--page``, ``GET /reports/cohort/?site=CODE`` through Django's test client as the site's
   clinician (reading, figures, template, read audit: all but the network and the server);
   its size in bytes.

``--profile FILE`` writes a cProfile of one page request (or of the figures without ``--page``).
The figures depend on everything else the machine runs: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from collections.abc import Callable
from typing import Any


def _best(repeat: int, step: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - began)
    return min(times), result


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--definition", default="ais1_12m")
    parser.add_argument("--reference", action="store_true", help="time the reference engine too")
    parser.add_argument("--page", action="store_true", help="time the report page too")
    parser.add_argument("--profile", help="write a cProfile of one run here")
    args = parser.parse_args()

    from cordtrack.commands import setup_django

    setup_django()
    from django.test import Client

    from cordtrack.outcomes import batch, summary
    from cordtrack.server.accounts.models import User
    from cordtrack.server.reports import figures

    print(f"{_load()} before", flush=True)
    filters = figures.CohortFilters((args.site,))
    definition = figures.definition_for(args.definition)
    read, cohort = _best(args.repeat, lambda: figures.cohort_courses(filters))
    courses = list(cohort.courses)
    print(f"site {args.site}: {len(courses)} treated patients with a baseline exam "
          f"({len(cohort.without_baseline)} without); definition {args.definition}")  # fmt: skip
    print(f"reading the courses:           {read:8.3f} s")
    fast, found = _best(args.repeat, lambda: batch.summarise(courses, definition))
    print(f"figures, column engine:        {fast:8.3f} s")
    if args.reference:
        slow, expected = _best(args.repeat, lambda: summary.summarise(courses, definition))
        same = expected == found
        print(f"figures, reference engine:     {slow:8.3f} s  ({slow / fast:.1f}x the column "
              f"engine's time); equal: {same}")  # fmt: skip
        if not same:
            return 1
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host (not "testserver")
    if args.page:
        user = User.objects.get(username=f"clinician@{args.site.lower()}")
        client.force_login(user)

        def page() -> int:
            response = client.get(f"/reports/cohort/?site={args.site}")
            assert response.status_code == 200, response.status_code
            return len(response.content)

        took, size = _best(args.repeat, page)
        print(f"report page (test client):     {took:8.3f} s  ({size} bytes)")
    if args.profile:
        profiler = cProfile.Profile()
        if args.page:
            profiler.runcall(client.get, f"/reports/cohort/?site={args.site}")
        else:
            profiler.runcall(batch.summarise, courses, definition)
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")
    print(f"{_load()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
