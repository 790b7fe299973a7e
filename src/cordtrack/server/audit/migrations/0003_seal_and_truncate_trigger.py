"""Seal every entry with the audit key (HMAC of its hash, ADR 0029), and on PostgreSQL refuse
TRUNCATE of the trail and any move of its head backwards.

Entries already in the database are sealed here, with the key configured when the migration runs:
the seal vouches for the trail as it stands at the upgrade (``audit verify`` still checks their
hashes and links), and its head starts the anchors file. Row triggers do not fire on TRUNCATE, so migration 0002's trigger let it
through; a statement trigger refuses it now. The head may only move forward: removing the newest
entries and moving the head back is refused, and the anchors file finds it when done by someone
who disabled the triggers.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.seq >= OLD.seq THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'audit_audithead only moves forward: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead;
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
"""


def seal_existing(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from cordtrack.server.audit import keys

    entry_model = apps.get_model("audit", "AuditEntry")
    unsealed = entry_model.objects.filter(mac="").order_by("seq")
    if not unsealed.exists():
        return
    key_id, key = keys.current()
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    batch = []
    for entry in unsealed.iterator(chunk_size=2000):
        entry.key_id, entry.mac = key_id, keys.seal(entry.hash, key)
        batch.append(entry)
        if len(batch) == 2000:
            entry_model.objects.bulk_update(batch, ["key_id", "mac"])
            batch = []
    entry_model.objects.bulk_update(batch, ["key_id", "mac"])
    if postgresql:
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    _first_anchor(entry_model.objects.order_by("seq").last())


def _first_anchor(last: Any) -> None:
    """Start the anchors file at the upgrade, so the plain `audit verify` passes on the trail as
    it was sealed (never over an existing file: that would paper over one removed later)."""
    from django.utils import timezone

    from cordtrack.server.audit import anchoring

    path = anchoring.anchors_file()
    if last is None or path is None or path.exists():
        return
    at = timezone.now().isoformat(timespec="seconds")
    anchoring.write_line(anchoring.Anchor(last.seq, last.hash, at), path, sync=True)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]
