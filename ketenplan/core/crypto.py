"""Encryption of sensitive fields at rest: AES-256-GCM under keys from the environment.

``FIELD_ENCRYPTION_KEYS`` lists base64-encoded 32-byte keys. The first one encrypts; every
one of them decrypts, so a key can be rotated without downtime (docs/deployment.md):
put the new key first, keep the old one behind it, run ``manage.py rotate_field_keys``,
then drop the old key.

A stored value reads ``kpenc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``:

* the key id is a fingerprint of the key (not the key), so decryption picks the right key
  and rotation can tell which values still use an old one;
* the nonce is 96 random bits, fresh for every encryption;
* the associated data authenticates the header and the value's *context* (by default
  ``app_label.model.field``), so a ciphertext copied into another column, or given
  another key id, does not decrypt: any change to a stored value is an error, never
  silently different text.

Ciphertext length follows plaintext length; that much is not hidden.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "kpenc1"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value that cannot be decrypted: altered, moved, or under an unknown key."""


def decode_key(text: str) -> bytes:
    """A key from its base64 text (standard or URL-safe alphabet)."""
    try:
        raw = base64.b64decode(text.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS: every key must be base64 of 32 bytes.")
    return raw


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key."""
    return hashlib.sha256(b"ketenplan field encryption key:" + key).hexdigest()[:12]


@dataclass(frozen=True)
class KeyRing:
    primary_id: str
    ciphers: dict[str, AESGCM]

    @property
    def primary(self) -> AESGCM:
        return self.ciphers[self.primary_id]


@lru_cache(maxsize=4)
def _key_ring(keys: tuple[str, ...]) -> KeyRing:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    ciphers: dict[str, AESGCM] = {}
    order = []
    for text in keys:
        key = decode_key(text)
        kid = key_id(key)
        if kid in ciphers:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS lists the same key twice.")
        ciphers[kid] = AESGCM(key)
        order.append(kid)
    return KeyRing(primary_id=order[0], ciphers=ciphers)


def key_ring() -> KeyRing:
    """The keys of the current settings (read on each call, cached per key list)."""
    return _key_ring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _associated_data(kid: str, context: str) -> bytes:
    return f"{PREFIX}:{kid}:{context}".encode()


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def key_id_of(value: str) -> str | None:
    """The key id a stored value was encrypted under (``None`` if not encrypted)."""
    if not is_encrypted(value):
        return None
    parts = value.split(":", 2)
    return parts[1] if len(parts) == 3 else None


def encrypt(plaintext: str, *, context: str = "") -> str:
    """Encrypt ``plaintext`` under the current (first) key."""
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.primary.encrypt(
        nonce, plaintext.encode("utf-8"), _associated_data(ring.primary_id, context)
    )
    return f"{PREFIX}:{ring.primary_id}:{_b64encode(nonce + sealed)}"


def decrypt(value: str, *, context: str = "") -> str:
    """The plaintext of a stored value; ``DecryptionError`` if it is not exactly what
    ``encrypt`` produced for this context under one of the configured keys."""
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("The stored value is not an encrypted value.")
    _, kid, body = parts
    cipher = key_ring().ciphers.get(kid)
    if cipher is None:
        raise DecryptionError(
            f"The stored value was encrypted under key {kid}, which is not in FIELD_ENCRYPTION_KEYS."
        )
    try:
        blob = _b64decode(body)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The stored value is damaged.") from exc
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("The stored value is damaged.")
    try:
        plaintext = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _associated_data(kid, context))
    except InvalidTag as exc:
        raise DecryptionError(
            "The stored value does not authenticate: it was altered or moved from elsewhere."
        ) from exc
    return plaintext.decode("utf-8")


# --- Key rotation ---------------------------------------------------------------------


@dataclass
class RotationResult:
    fields: list[str]
    rotated: int = 0
    current: int = 0
    adopted: int = 0


def encrypted_fields(models=None) -> list:
    """Every ``EncryptedTextField`` of every concrete, managed model (or of ``models``)."""
    from django.apps import apps

    from .fields import EncryptedTextField

    found = []
    for model in models if models is not None else apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append(field)
    return found


def rotate_keys(
    *,
    models=None,
    batch_size: int = 500,
    adopt_plaintext: bool = False,
    using: str = "default",
) -> RotationResult:
    """Re-encrypt every encrypted value that is not under the current key.

    Batches of ``batch_size`` rows, each in its own transaction with the rows locked
    (``SELECT ... FOR UPDATE``), so a concurrent edit is neither lost nor overwritten. The
    rows are updated with ``QuerySet.update``: no ``save()``, no signals, no change of
    modification times. With ``adopt_plaintext`` a value that was never encrypted (data
    from before a column became an ``EncryptedTextField``) is encrypted; without it such
    a value is an error.
    """
    from django.db import transaction
    from django.db.models import ExpressionWrapper, F, QuerySet, TextField

    fields = encrypted_fields(models)
    result = RotationResult(fields=[f"{f.model._meta.label}.{f.name}" for f in fields])
    current = key_ring().primary_id
    for field in fields:
        model, name = field.model, field.attname
        rows = QuerySet(model=model).using(using).filter(**{f"{name}__isnull": False})
        stored = ExpressionWrapper(F(name), output_field=TextField())
        last_pk = None
        while True:
            with transaction.atomic(using=using):
                page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
                batch = list(page.select_for_update().order_by("pk").values_list("pk", stored)[:batch_size])
                for pk, value in batch:
                    kid = key_id_of(value)
                    if kid == current:
                        result.current += 1
                        continue
                    if kid is None:
                        if not adopt_plaintext:
                            raise DecryptionError(
                                f"{model._meta.label}.{name} of row {pk} is not encrypted; run "
                                "with --adopt-plaintext if it predates the encryption."
                            )
                        plaintext = value
                        result.adopted += 1
                    else:
                        plaintext = decrypt(value, context=field.context)
                        result.rotated += 1
                    # ``update`` runs the field's get_prep_value: encrypted with the
                    # current key.
                    QuerySet(model=model).using(using).filter(pk=pk).update(**{name: plaintext})
            if len(batch) < batch_size:
                break
            last_pk = batch[-1][0]
    return result
