"""Similar open cases: PostgreSQL's trigram extension and two indexes, one on the cases'
text as the ``indonesian`` text search configuration reads it, one on the titles' trigrams.
Nothing on SQLite (the Python scorer of ``casework/web/similar.py`` serves it).

The indexes are built CONCURRENTLY (outside a transaction): on a kabupaten's million cases a
plain CREATE INDEX would hold up every intake while it runs."""

from django.db import migrations

# the expression the similar-cases query searches (casework.selectors.CASE_TEXT_VECTOR)
VECTOR = (
    "to_tsvector('indonesian'::regconfig, coalesce(title, '') || ' ' || coalesce(description, ''))"
)
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_text_search ON casework_case"
    f" USING gin ({VECTOR})",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_title_trgm ON casework_case"
    " USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS case_title_trgm",
    "DROP INDEX CONCURRENTLY IF EXISTS case_text_search",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction
    dependencies = [("casework", "0011_intake_received")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
