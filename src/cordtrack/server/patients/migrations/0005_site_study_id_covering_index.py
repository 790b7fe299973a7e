# ADR 0058: on PostgreSQL, a page of a site's patients chosen by id first (paging.rows_at) reads
# its ids from this index alone (an index-only scan), however deep the page: the index of 0004
# has no id, so a deep page made PostgreSQL visit each skipped row or sort the site's patients.
# SQLite keeps 0004's index (its tables are clustered by id: every index already holds it).

from django.db import migrations

NAME = "patient_site_study_id_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON patients_patient (site_id, study_id) INCLUDE (id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0004_site_study_id_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
