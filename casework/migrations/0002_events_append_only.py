"""On PostgreSQL the audit trail refuses UPDATE and DELETE at the database level too."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION casework_event_append_only() RETURNS trigger AS $$
BEGIN
    -- only the demo-data loader, which moves a fresh history into the past, may rewrite
    IF current_setting('aspirasi.rewrite_history', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'case events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_event_append_only
    BEFORE UPDATE OR DELETE ON casework_caseevent
    FOR EACH ROW EXECUTE FUNCTION casework_event_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS casework_event_append_only ON casework_caseevent;
DROP FUNCTION IF EXISTS casework_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
