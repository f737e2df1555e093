"""Migration operations shared by the apps: encrypting an existing text column in place.

``encrypt_column("dossier", "contribution", "text")`` returns a ``RunPython`` that turns
every plain value of the column into ciphertext (``core.crypto``, context
``app_label.model.field`` as ``EncryptedTextField`` uses it) and back on reversal. It
works on raw SQL: the historical model's field already decrypts, so the ORM cannot read
the plain values. Values already encrypted are left alone, so it is safe to re-run.
"""

from __future__ import annotations

from django.db import migrations

from . import crypto

BATCH = 500


def _rewrite(schema_editor, table: str, column: str, convert) -> None:
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")  # noqa: S608
        rows = cursor.fetchall()
    changed = [(new, pk) for pk, value in rows if (new := convert(value)) != value]
    with connection.cursor() as cursor:
        for start in range(0, len(changed), BATCH):
            cursor.executemany(
                f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s",  # noqa: S608
                changed[start : start + BATCH],
            )


def encrypt_column(app_label: str, model_name: str, field: str) -> migrations.RunPython:
    context = f"{app_label}.{model_name}.{field}"

    def table(apps):
        return apps.get_model(app_label, model_name)._meta.db_table

    def forwards(apps, schema_editor):
        _rewrite(
            schema_editor,
            table(apps),
            field,
            lambda v: v if crypto.is_encrypted(v) else crypto.encrypt(v, context=context),
        )

    def backwards(apps, schema_editor):
        _rewrite(
            schema_editor,
            table(apps),
            field,
            lambda v: crypto.decrypt(v, context=context) if crypto.is_encrypted(v) else v,
        )

    return migrations.RunPython(forwards, backwards, elidable=False)
