"""A set of record ids known in Python, as one SQL parameter: ``column = ANY(array)``.

A report that has chosen its patients in Python (the cohort report's thousands of treated
patients) reads each of its tables for those patients. Asking by the queryset that chose them
repeats that selection (a join of the site's patients with their administrations and
randomisations) as a subquery in every table's query; asking by ``pk__in=[...]`` sends one
parameter per id, which PostgreSQL parses and plans afresh at every size (seconds at 7,000,
ADR 0055). :func:`among` sends the ids as one parameter: an array on PostgreSQL
(``= ANY(%s)``, planned like a short ``IN`` list: an index scan or a hashed lookup), a JSON array
read by ``json_each`` on SQLite (``IN (SELECT value FROM json_each(%s))``), so neither database
meets a limit on the number of parameters (ADR 0058).

Use: ``Exam.objects.filter(idsets.among("patient_id", ids))``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Lookup


class _Among(Lookup):  # type: ignore[type-arg]
    """``lhs`` is one of the ids in ``rhs`` (a tuple of ints); used as an expression, never
    registered as a lookup name."""

    lookup_name = "among"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(i) for i in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(ids)]


def among(column: str, ids: Iterable[int]) -> _Among:
    """A condition for ``QuerySet.filter``: ``column`` (a field name or path, e.g.
    ``"patient_id"``) is one of ``ids``. An empty ``ids`` matches nothing."""
    return _Among(F(column), tuple(sorted({int(i) for i in ids})))
