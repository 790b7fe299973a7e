"""The table of the "shared" cache (``settings.CACHES``, ADR 0056): Django's database cache.

Created by ``createcachetable`` (Django builds the table for its cache backend), here so that
every database that is migrated has it: ``make run``, ``cordtrack manage migrate`` after an
upgrade or a restore, the test databases. The name is fixed here, not read from the settings,
so the migration means the same wherever it runs.
"""

from typing import Any

from django.core.management import call_command
from django.db import migrations

TABLE = "cordtrack_cache"


def create(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_workers_periodic_runs_and_jobs")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
