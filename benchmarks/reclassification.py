"""Registry reclassification throughput: every stored exam through the batch engine, audited.

Builds a scratch registry (SQLite in a temporary folder, or the database named by
``BENCH_DATABASE_URL``, which must be an empty scratch database: its tables are created and the
exams are left there) with N synthetic exams stored without a classification, then times
:func:`~cordtrack.server.services.reclassification.reclassify_exams`:

- first run: every exam changes, so each is written (``bulk_update``) and gets an audit entry
  (``append_many``), and the hash chain is verified afterwards;
- second run: nothing changes, nothing is written (the registry's routine check).

    .venv/bin/python benchmarks/reclassification.py [--exams 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exams", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
        )
        os.environ["CORDTRACK_VAR_DIR"] = folder
        os.environ["CORDTRACK_SECRET_KEY"] = secrets.token_urlsafe(48)  # not DEBUG: it logs SQL
        os.environ["CORDTRACK_AUDIT_KEY"] = secrets.token_urlsafe(48)
        os.environ["DJANGO_SETTINGS_MODULE"] = "cordtrack.server.settings"
        import django

        django.setup()
        return run(args.exams)


def run(n: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    from cordtrack.isncsci import EXAM_KEYS
    from cordtrack.isncsci.generator import generate_exams
    from cordtrack.server.accounts.models import Site, User
    from cordtrack.server.audit.chain import verify
    from cordtrack.server.audit.models import AuditEntry
    from cordtrack.server.exams.models import IsncsciExam
    from cordtrack.server.patients.models import Patient
    from cordtrack.server.services.reclassification import reclassify_exams

    call_command("migrate", verbosity=0)
    site = Site.objects.create(code="BEN", name="Benchmark site")
    examiner = User.objects.create(username="examiner")
    patients = Patient.objects.bulk_create(
        Patient(site=site, study_id=f"BEN-{i:06d}", year_of_birth=1980, sex="F")
        for i in range(max(1, n // 4))
    )
    exams = [
        IsncsciExam(
            patient=patients[i % len(patients)],
            examiner=examiner,
            exam_date=dt.date(2026, 1, 1),
            values={k: v for k, v in values.items() if k in EXAM_KEYS},
        )
        for i, values in enumerate(generate_exams(n, seed=11))
    ]
    IsncsciExam.objects.bulk_create(exams, batch_size=2000)
    print(
        f"registry reclassification: {n:,} synthetic exams, {connection.vendor}, "
        f"Python {sys.version.split()[0]}"
    )
    for label in ("every exam changed (written, audited)", "nothing changed (check only)"):
        start = time.perf_counter()
        report = reclassify_exams(None)
        seconds = time.perf_counter() - start
        print(
            f"  {label:40s} {n / seconds:10,.0f} exams/s  {seconds:7.2f} s  "
            f"changed {len(report.changed_ids):,}"
        )
    entries = AuditEntry.objects.count()
    problems = list(verify())
    print(f"  audit entries {entries:,}; chain verified: {problems or 'intact'}")
    return 0 if not problems and entries == n else 1


if __name__ == "__main__":
    sys.exit(main())
