# SQL is built from model metadata (table and column names), never from input.
# ruff: noqa: S608
"""Bulk writing for the generator: COPY on PostgreSQL, batched executemany on SQLite.

Rows are plain tuples in the order of the given field names. Every value goes through the
model field's ``get_db_prep_save`` when the field needs it (JSON, encrypted text, dates on
SQLite), so a field that becomes encrypted tomorrow keeps working here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5_000


def _needs_prep(field: models.Field, vendor: str) -> bool:
    if vendor != "postgresql":
        return True
    if isinstance(field, models.JSONField):
        return True
    # Our own field classes (EncryptedTextField ...) transform values in Python.
    return not type(field).__module__.startswith("django.")


class Sink:
    def __init__(self):
        self.vendor = connection.vendor
        self.counts: dict[str, int] = {}
        self.touched: list[type[models.Model]] = []

    def next_id(self, model: type[models.Model]) -> int:
        top = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
        return (top or 0) + 1

    def write(self, model: type[models.Model], names: list[str], rows: Iterable[tuple]) -> int:
        fields = [model._meta.get_field(n) for n in names]
        columns = [f.column for f in fields]
        preps = [
            (i, f) for i, f in enumerate(fields) if _needs_prep(f, self.vendor)
        ]
        table = model._meta.db_table
        qn = connection.ops.quote_name
        count = 0

        def prepared(row):
            if not preps:
                return row
            row = list(row)
            for i, f in preps:
                row[i] = f.get_db_prep_save(row[i], connection)
            return row

        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
                # Rows are drawn (and prepared) before each COPY opens: a row generator
                # or a field's preparation that queries the database on this connection
                # while a COPY is open would wait for itself forever.
                for chunk in copy_chunks(prepared(row) for row in rows):
                    with cursor.cursor.copy(sql) as copy:
                        for row in chunk:
                            copy.write_row(row)
                    count += len(chunk)
            else:
                sql = (
                    f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})"
                )
                batch = []
                for row in rows:
                    batch.append(prepared(row))
                    if len(batch) >= BATCH:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.counts[table] = self.counts.get(table, 0) + count
        if model not in self.touched:
            self.touched.append(model)
        return count

    def reset_sequences(self) -> None:
        """Explicit ids bypass PostgreSQL's sequences: move them past the new rows."""
        if self.vendor != "postgresql" or not self.touched:
            return
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.touched):
                cursor.execute(statement)


COPY_CHUNK = 50_000


class BulkLoad:
    """PostgreSQL: the tables to be filled lose their foreign keys and secondary indexes
    for the load, and get them back afterwards, in the same transaction (as pg_restore
    does: data first, then indexes, then constraints).

    Loading millions of rows into indexed tables costs a random B-tree insertion per row
    and index, and Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``, so every
    row would queue a check that runs one by one at commit. Built afterwards, an index is
    one sort, and a foreign key is validated by one join. Primary keys and the indexes
    behind unique constraints or referenced by a foreign key stay (uniqueness is checked
    as rows arrive). The audit guard triggers fire on UPDATE, DELETE and TRUNCATE only, so
    they stay installed and enabled throughout. Nothing to do on SQLite.
    """

    def __init__(self, models_: Iterable[type[models.Model]]):
        self.tables = sorted({m._meta.db_table for m in models_})
        self.indexes: list[tuple[str, str]] = []  # (name, CREATE INDEX ...)
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)

    def drop(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # Rows written through the ORM before the load (organisations, professionals)
            # have their deferred checks run now: a table with pending checks cannot be
            # altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [self.tables],
            )
            self.foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            qn = connection.ops.quote_name
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore_indexes(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # One sort per index, in memory where it fits, with PostgreSQL's parallel workers.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)

    def restore_foreign_keys(self) -> None:
        if connection.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for table, name, definition in self.foreign_keys:
                # Validated here, by one query over the table (not NOT VALID).
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")


def copy_chunks(rows: Iterable, size: int = COPY_CHUNK):
    """``rows`` in lists of ``size``, each drawn completely before it is written."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
