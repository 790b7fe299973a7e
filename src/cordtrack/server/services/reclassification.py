"""Reclassifying every stored ISNCSCI exam with the batch engine, in bulk, audited.

After an engine update (:data:`cordtrack.isncsci.ENGINE_VERSION` bumped), a registry recomputes
every stored exam. :func:`reclassify_exams` reads the exams in primary-key order, a chunk at a
time (keyset pagination: memory is bounded by the chunk, whatever the number of exams), classifies
each chunk at once with :mod:`cordtrack.isncsci.batch`, and compares the 25 result keys and the
indexed columns (NLI, AIS, UEMS, LEMS) with what is stored. For every exam whose result changed,
one transaction per chunk writes the new classification, indexed columns, engine version and time
with one parameterised ``UPDATE`` run for all of them (``executemany``) and appends one audit
entry per changed exam (``{field: [old, new]}`` of the changed result keys and columns, reason
``engine update to <version>``) through :func:`~cordtrack.server.audit.chain.append_many`, which
links them into the chain as :func:`~cordtrack.server.audit.chain.append` does, with one head
update and batched inserts; the chunk's rows are locked (``SELECT ... FOR UPDATE``; SQLite
serialises writers) so that an exam amended meanwhile is not overwritten with a result computed
from its old values.

An incomplete draft is reclassified as it is saved, its empty cells taken as not testable (its
provisional result). Exams whose stored raw values no longer parse are reported with the
parser's messages and left unchanged. Exams whose result is unchanged are not written at all (no
audit entry), even when their ``engine_version`` names an older engine: the stored result is
still the one the current engine gives; the report counts them (``older_version``).

Scope: this is registry maintenance, run by a data steward on the server (``cordtrack manage
recompute_exams``), over the exams of every site; there is no per-site permission check. The audit
entries name ``actor``: ``None`` is recorded as ``system`` (as for :func:`.exams.recompute_exam`),
or pass the user who runs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from cordtrack.isncsci import RESULT_KEYS
from cordtrack.isncsci.batch import classify_batch, encode

from ..audit.chain import Change, append_many
from ..audit.models import AuditAction
from ..exams.models import IsncsciExam
from .exams import engine_version, indexed_fields, provisional_values

Progress = Callable[[int], object]

#: Columns read per exam, in this order.
_READ: Final = (
    "pk", "values", "classification", "engine_version", "classified_at",
    "nli", "ais", "uems", "lems", "patient_id", "patient__site_id", "complete",
)  # fmt: skip
_INDEXED: Final = ("nli", "ais", "uems", "lems")
#: Columns written for a changed exam.
_WRITTEN: Final = ["classification", "engine_version", "classified_at", *_INDEXED]
_MODEL_LABEL: Final = IsncsciExam._meta.label_lower


@dataclass(frozen=True, slots=True)
class UnparseableExam:
    """A stored exam whose raw values the engine's parser rejects (left unchanged)."""

    exam_id: int
    message: str

    def __str__(self) -> str:
        return f"exam {self.exam_id}: {self.message}"


@dataclass
class ReclassificationReport:
    """What a reclassification found (and, unless ``check_only``, wrote).

    ``changed`` counts the exams whose stored result differs from the current engine's (with
    ``check_only``: that would be changed); ``unchanged`` those that agree (``older_version`` of
    them carry an older ``engine_version``); ``unparseable`` those whose raw values do not parse.
    ``examined == unchanged + changed + len(unparseable)``.
    """

    engine_version: str
    check_only: bool
    examined: int = 0
    unchanged: int = 0
    older_version: int = 0
    changed_ids: list[int] = field(default_factory=list)
    unparseable: list[UnparseableExam] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> int:
        return len(self.changed_ids)

    @property
    def exams_per_second(self) -> float:
        return self.examined / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        verb = "would change" if self.check_only else "changed"
        older = f" ({self.older_version} stamped by an older engine)" if self.older_version else ""
        return (
            f"{self.examined} exams examined with {self.engine_version}: "
            f"{self.unchanged} unchanged{older}, {self.changed} {verb}, "
            f"{len(self.unparseable)} unparseable; "
            f"{self.seconds:.2f} s, {self.exams_per_second:,.0f} exams/s"
        )


def reclassify_exams(
    actor: Any,
    *,
    check_only: bool = False,
    chunk: int = 5000,
    progress: Progress | None = None,
) -> ReclassificationReport:
    """Recompute every stored exam with the batch engine; write and audit those that changed.

    Parameters
    ----------
    actor : User or None
        Named in the audit entries (``None``: ``system``). Not checked against site roles: this
        runs over all sites, as registry maintenance (see the module docstring).
    check_only : bool
        Compare and report only; nothing is written.
    chunk : int
        Exams read, classified and written per transaction.
    progress : callable, optional
        Called with the number of exams examined after each chunk (e.g. ``tqdm.update``).
    """
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    started = time.perf_counter()
    report = ReclassificationReport(engine_version(), check_only)
    reason = f"engine update to {report.engine_version}"
    last_pk = 0
    while True:
        if check_only:
            rows = _read_chunk(last_pk, chunk, lock=False)
            if rows:
                _reclassify_chunk(actor, rows, report, reason, write=False)
        else:
            with transaction.atomic():
                rows = _read_chunk(last_pk, chunk, lock=True)
                if rows:
                    _reclassify_chunk(actor, rows, report, reason, write=True)
        if not rows:
            break
        last_pk = rows[-1][0]
        if progress is not None:
            progress(len(rows))
    report.seconds = time.perf_counter() - started
    return report


def _read_chunk(after_pk: int, size: int, *, lock: bool) -> list[tuple[Any, ...]]:
    """The next ``size`` exams after ``after_pk`` (keyset pagination), locked when writing."""
    exams = IsncsciExam.objects.filter(pk__gt=after_pk).order_by("pk")
    if lock:
        exams = exams.select_for_update(of=("self",))
    return list(exams.values_list(*_READ)[:size])


def _reclassify_chunk(
    actor: Any,
    rows: Sequence[tuple[Any, ...]],
    report: ReclassificationReport,
    reason: str,
    *,
    write: bool,
) -> None:
    """Classify one chunk; with ``write``, bulk-update the changed exams and audit each one."""
    # An incomplete draft is reclassified as it was classified: its empty cells taken as NT.
    arrays, errors = encode([_values(row) for row in rows])
    report.examined += len(rows)
    report.unparseable += [UnparseableExam(rows[e.row][0], e.message) for e in errors]
    columns = classify_batch(arrays).columns()
    now = timezone.now()
    updated: list[tuple[int, list[Any]]] = []  # (pk, values of the _WRITTEN columns)
    audited: list[Change] = []
    results = zip(*(columns[k] for k in RESULT_KEYS), strict=True)
    for i, new_values in zip(arrays.rows.tolist(), results, strict=True):
        pk, _, stored, stored_version, classified_at, *stored_indexed, patient_id, site_id, _ = (
            rows[i]
        )
        new = dict(zip(RESULT_KEYS, new_values, strict=True))
        indexed = indexed_fields(new)
        old_indexed = dict(zip(_INDEXED, stored_indexed, strict=True))
        if stored == new and old_indexed == indexed:
            report.unchanged += 1
            report.older_version += stored_version != report.engine_version
            continue
        report.changed_ids.append(pk)
        if not write:
            continue
        old = stored if isinstance(stored, dict) else {}
        changes: dict[str, list[Any]] = {
            f"classification.{k}": [old.get(k), new.get(k)]
            for k in sorted(set(old) | set(new), key=_result_order)
            if old.get(k) != new.get(k)
        }
        if stored is not None and not isinstance(stored, dict):  # not a classification at all
            changes["classification"] = [stored, new]
        changes.update({k: [old_indexed[k], v] for k, v in indexed.items() if old_indexed[k] != v})
        if stored_version != report.engine_version:
            changes["engine_version"] = [stored_version, report.engine_version]
        changes["classified_at"] = [classified_at, now]
        updated.append((pk, [new, report.engine_version, now, *(indexed[k] for k in _INDEXED)]))
        audited.append(
            Change(AuditAction.UPDATE, _MODEL_LABEL, pk, changes, reason, site_id, patient_id)
        )
    if updated:
        _update(updated)
        append_many(actor, audited)


def _values(row: Sequence[Any]) -> dict[str, Any]:
    """The raw values to classify: an incomplete draft's empty cells as NT (its provisional
    result); a complete exam's as stored, so that a damaged one is reported unparseable."""
    values, complete = row[1], row[-1]
    if not isinstance(values, dict):
        return {}
    return values if complete else provisional_values(values)


def _update(exams: Sequence[tuple[int, list[Any]]]) -> None:
    """Write the :data:`_WRITTEN` columns of exams given as (pk, values): one parameterised
    UPDATE run for all of them (``executemany``). ``bulk_update`` builds a CASE expression per
    object and field, which costs milliseconds an exam; the values are prepared by the fields
    themselves, as for a save."""
    meta, quote = IsncsciExam._meta, connection.ops.quote_name
    by_name = {f.name: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in _WRITTEN]
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    rows = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)] + [pk]
        for pk, values in exams
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _result_order(key: str) -> tuple[int, str]:
    """Result keys in the engine's order; unknown keys (from an older engine) after them."""
    return (RESULT_KEYS.index(key), "") if key in RESULT_KEYS else (len(RESULT_KEYS), key)
