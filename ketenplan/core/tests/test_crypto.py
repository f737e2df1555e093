"""Encryption of sensitive fields at rest: AES-GCM, tamper detection, key rotation."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test.utils import isolate_apps

from ketenplan.core import crypto
from ketenplan.core.fields import EncryptedTextField

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
KEY_C = base64.urlsafe_b64encode(bytes(range(200, 232))).decode()


def tamper(value: str) -> str:
    """Flip one bit of the ciphertext body."""
    prefix, kid, body = value.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{prefix}:{kid}:{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


# --- The primitives -------------------------------------------------------------------


def test_round_trip_and_fresh_nonces(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    text = "Schuiladres: Kerkstraat 1, 9000 Gent — niet delen"
    first = crypto.encrypt(text, context="persons.address.line")
    second = crypto.encrypt(text, context="persons.address.line")
    assert first != second  # a fresh nonce every time
    assert "Kerkstraat" not in first
    assert first.startswith(f"kpenc1:{crypto.key_id(b'A' * 32)}:")
    assert crypto.decrypt(first, context="persons.address.line") == text
    assert crypto.decrypt(crypto.encrypt("", context="x"), context="x") == ""


def test_any_change_to_a_stored_value_is_an_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, KEY_B]
    value = crypto.encrypt("secret", context="dossier.contribution.text")
    prefix, kid, body = value.split(":")
    other_kid = crypto.key_id(b"B" * 32)
    for broken in (
        tamper(value),  # a flipped bit
        f"{prefix}:{kid}:{body[:-4]}",  # truncated (tag damaged)
        f"{prefix}:{kid}:{body[:10]}",  # too short to hold a nonce and a tag
        f"{prefix}:{other_kid}:{body}",  # claims another key
        f"{prefix}:{kid}:{body}!!",  # not base64
        "secret",  # plaintext put in its place
    ):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(broken, context="dossier.contribution.text")
    # Moved to another column: the context no longer matches.
    with pytest.raises(crypto.DecryptionError, match="altered or moved"):
        crypto.decrypt(value, context="persons.person.notes")


def test_rotation_with_two_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    old = crypto.encrypt("text", context="c")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # new key first, old one still there
    assert crypto.decrypt(old, context="c") == "text"
    new = crypto.encrypt("text", context="c")
    assert crypto.key_id_of(new) == crypto.key_id(b"B" * 32)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # old key dropped
    assert crypto.decrypt(new, context="c") == "text"
    with pytest.raises(crypto.DecryptionError, match="not in FIELD_ENCRYPTION_KEYS"):
        crypto.decrypt(old, context="c")


def test_url_safe_keys_are_accepted_and_bad_keys_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_C]
    assert crypto.decrypt(crypto.encrypt("x"), context="") == "x"
    from django.core.exceptions import ImproperlyConfigured

    for bad in (["c2hvcnQ="], [KEY_A, KEY_A], []):
        settings.FIELD_ENCRYPTION_KEYS = bad
        with pytest.raises(ImproperlyConfigured):
            crypto.encrypt("x")


# --- The model field ------------------------------------------------------------------


FIELD_TESTS = pytest.mark.django_db(transaction=True)


@pytest.fixture
def note_model():
    """A throw-away model with two encrypted fields, and its table (created outside a
    transaction, hence the tests that use it commit: ``FIELD_TESTS``)."""
    with isolate_apps("ketenplan.core"):

        class Note(models.Model):
            title = models.CharField(max_length=50, default="")
            body = EncryptedTextField(blank=True)
            address = EncryptedTextField(null=True, blank=True, context="persons.address.text")

            class Meta:
                app_label = "core"

            def __str__(self):
                return self.title

        with connection.schema_editor() as editor:
            editor.create_model(Note)
        try:
            yield Note
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Note)


def stored(model, pk, column="body") -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@FIELD_TESTS
def test_the_field_stores_ciphertext_and_reads_plaintext(note_model, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    note = note_model.objects.create(title="n", body="Slachtoffer verblijft bij zus", address=None)
    raw = stored(note_model, note.pk)
    assert raw.startswith("kpenc1:") and "zus" not in raw
    assert stored(note_model, note.pk, "address") is None
    fresh = note_model.objects.get(pk=note.pk)
    assert fresh.body == "Slachtoffer verblijft bij zus"
    assert fresh.address is None
    assert list(note_model.objects.values_list("body", flat=True)) == ["Slachtoffer verblijft bij zus"]
    assert note_model.objects.filter(address__isnull=True).count() == 1
    with pytest.raises(FieldError):
        note_model.objects.filter(body="Slachtoffer verblijft bij zus").count()
    with pytest.raises(FieldError):
        note_model.objects.filter(body__icontains="zus").count()


@FIELD_TESTS
def test_the_field_binds_its_column(note_model):
    assert note_model._meta.get_field("body").context == "core.note.body"
    assert note_model._meta.get_field("address").context == "persons.address.text"
    kwargs = note_model._meta.get_field("address").deconstruct()[3]
    assert kwargs["context"] == "persons.address.text"
    assert "context" not in note_model._meta.get_field("body").deconstruct()[3]


@FIELD_TESTS
def test_tampering_in_the_database_is_an_error_on_read(note_model, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    note = note_model.objects.create(body="original", address="Kerkstraat 1")
    with connection.cursor() as cursor:
        table = note_model._meta.db_table
        broken = tamper(stored(note_model, note.pk))
        cursor.execute(f"UPDATE {table} SET body = %s WHERE id = %s", [broken, note.pk])
    with pytest.raises(crypto.DecryptionError):
        note_model.objects.get(pk=note.pk)
    # A ciphertext copied from another column does not decrypt either.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body = address WHERE id = %s", [note.pk])
    with pytest.raises(crypto.DecryptionError):
        note_model.objects.get(pk=note.pk)


@FIELD_TESTS
def test_rotate_field_keys_re_encrypts_everything_with_the_first_key(note_model, settings, monkeypatch):
    monkeypatch.setattr(crypto, "encrypted_fields", lambda models=None: [
        note_model._meta.get_field("body"), note_model._meta.get_field("address")])  # fmt: skip
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    notes = [note_model.objects.create(body=f"note {i}", address=f"street {i}" if i % 2 else None)
             for i in range(7)]  # fmt: skip
    key_a, key_b = crypto.key_id(b"A" * 32), crypto.key_id(b"B" * 32)
    assert crypto.key_id_of(stored(note_model, notes[0].pk)) == key_a

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    note_model.objects.create(body="written after the switch")  # already under B
    out = StringIO()
    call_command("rotate_field_keys", "--batch-size", "3", stdout=out)
    assert "re-encrypted 10 value(s) under key " + key_b in out.getvalue()  # 7 bodies + 3 addresses
    assert "1 already under it" in out.getvalue()
    for note in note_model.objects.all():
        assert crypto.key_id_of(stored(note_model, note.pk)) == key_b
    # The old key can go now.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert sorted(note_model.objects.values_list("body", flat=True))[:2] == ["note 0", "note 1"]
    assert note_model.objects.get(pk=notes[1].pk).address == "street 1"
    # Running it again changes nothing.
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "re-encrypted 0 value(s)" in out.getvalue()
    # The rotation is on the audit trail.
    from ketenplan.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="crypto.field_keys_rotated").count() == 2


@FIELD_TESTS
def test_rotate_field_keys_adopts_plaintext_only_when_asked(note_model, settings, monkeypatch):
    monkeypatch.setattr(crypto, "encrypted_fields", lambda models=None: [note_model._meta.get_field("body")])
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    note = note_model.objects.create(body="x")
    with connection.cursor() as cursor:
        table = note_model._meta.db_table
        cursor.execute(f"UPDATE {table} SET body = 'legacy text' WHERE id = %s", [note.pk])
    with pytest.raises(CommandError, match="is not encrypted"):
        call_command("rotate_field_keys", stdout=StringIO())
    out = StringIO()
    call_command("rotate_field_keys", "--adopt-plaintext", stdout=out)
    assert "encrypted 1 plaintext value(s)" in out.getvalue()
    assert note_model.objects.get(pk=note.pk).body == "legacy text"
    assert stored(note_model, note.pk).startswith("kpenc1:")


def test_encrypted_fields_finds_fields_on_installed_models():
    # No installed model uses the field yet (the apps adopt it one by one); the discovery
    # runs over all of them without error.
    assert all(isinstance(f, EncryptedTextField) for f in crypto.encrypted_fields())


# --- Settings -------------------------------------------------------------------------


def _start(env_changes: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEYS", "DATABASE_URL"}}
    env.update({"KETENPLAN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.update(env_changes)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(len(settings.FIELD_ENCRYPTION_KEYS))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True,
        cwd=django_settings.BASE_DIR, timeout=60, check=False,
    )  # fmt: skip


PRODUCTION = {"KETENPLAN_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "x"}


def test_production_refuses_to_start_without_a_key(tmp_path):
    result = _start(PRODUCTION, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert not (tmp_path / "field_encryption_key").exists()


def test_production_refuses_a_malformed_key(tmp_path):
    result = _start({**PRODUCTION, "FIELD_ENCRYPTION_KEYS": f"{KEY_A},not-a-key"}, tmp_path)
    assert result.returncode != 0
    assert "key 2 is not a base64-encoded 32-byte key" in result.stderr


def test_production_starts_with_keys(tmp_path):
    result = _start({**PRODUCTION, "FIELD_ENCRYPTION_KEYS": f"{KEY_B}, {KEY_A}"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_development_generates_and_keeps_a_key_in_var(tmp_path):
    first = _start({"KETENPLAN_ENV": "development"}, tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "field_encryption_key"
    key = key_file.read_text()
    assert len(base64.b64decode(key)) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _start({"KETENPLAN_ENV": "development"}, tmp_path).returncode == 0
    assert key_file.read_text() == key
