"""On SQLite (the embedded default) the audit trail refuses UPDATE and DELETE at the database
level too, as on PostgreSQL (0002). As there, only the demo-data loader, which moves a fresh
history into the past, may rewrite it: it marks its transaction by a row of
``casework_history_rewrite``, which it removes before the commit."""

from django.db import migrations

FORWARD = [
    "CREATE TABLE IF NOT EXISTS casework_history_rewrite (marker integer NOT NULL)",
    """
    CREATE TRIGGER casework_event_no_update BEFORE UPDATE ON casework_caseevent
    WHEN NOT EXISTS (SELECT 1 FROM casework_history_rewrite)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END
    """,
    """
    CREATE TRIGGER casework_event_no_delete BEFORE DELETE ON casework_caseevent
    WHEN NOT EXISTS (SELECT 1 FROM casework_history_rewrite)
    BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS casework_event_no_update",
    "DROP TRIGGER IF EXISTS casework_event_no_delete",
    "DROP TABLE IF EXISTS casework_history_rewrite",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casework", "0009_merge_candidates_index")]
    operations = [migrations.RunPython(forward, backward)]
