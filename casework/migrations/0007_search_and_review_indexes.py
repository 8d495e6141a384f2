"""Indexes for the officers' lists at scale, on PostgreSQL only.

* the queue's text search (``q``: a case-insensitive "contains" on the case number and
  title, which Django writes as ``UPPER(col::text) LIKE UPPER(%q%)``): trigram indexes on
  exactly those expressions. ANALYZE afterwards gives the planner statistics on the
  expressions, so it can tell a common word (walk the queue in order) from a rare one
  (look the cases up by trigram);
* the supervisor's escalation list (escalations, not reminders, newest first): a partial
  index in that order, so its count and its pages stop after the rows they need.

SQLite (the embedded database of ``make run`` and of small installations) gets none of this:
its lists are small, and it has no trigram indexes. The indexes are not part of the model
state, so ``makemigrations`` leaves them alone.
"""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on any other database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_overdue_index"),
    ]

    operations = [
        PostgreSQLOnly(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            # the extension may serve other indexes; leave it installed
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgreSQLOnly(
            "CREATE INDEX IF NOT EXISTS case_title_trgm ON casework_case "
            "USING gin (UPPER(title::text) gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS case_title_trgm",
        ),
        PostgreSQLOnly(
            "CREATE INDEX IF NOT EXISTS case_number_trgm ON casework_case "
            "USING gin (UPPER(number::text) gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS case_number_trgm",
        ),
        PostgreSQLOnly(
            "CREATE INDEX IF NOT EXISTS escalation_review ON casework_escalation "
            "(created_at DESC, id DESC) WHERE kind = 'escalation'",
            reverse_sql="DROP INDEX IF EXISTS escalation_review",
        ),
        PostgreSQLOnly("ANALYZE casework_case", reverse_sql=migrations.RunSQL.noop),
    ]
