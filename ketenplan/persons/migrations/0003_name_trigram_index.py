"""PostgreSQL only: pg_trgm and a GIN trigram index on the name keys, for the typing slips
in duplicate-person search (``selectors.match_shortlist``). Nothing on SQLite.

Not in ``Person.Meta.indexes`` on purpose: a GIN index cannot be created on SQLite, so it
lives here, guarded by the database vendor.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "person_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON persons_person "
        "USING gin (name_key gin_trgm_ops, given_name_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("persons", "0002_encrypt_free_text")]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; skipped on SQLite
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
