"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with AES-256-GCM (``core.crypto``); plain text in Python.

    Use it for confidential addresses and free text about persons. The database holds
    only ciphertext, so it cannot search, sort or compare these values: the only lookup
    is ``__isnull``. A value that was altered in the database, or copied from another
    column, raises ``crypto.DecryptionError`` when read, never shows different text.

    The ciphertext is bound to its column by the *context*, ``app_label.model.field`` by
    default. If you rename the model or the field, pass the old name as ``context=`` (or
    the existing values no longer decrypt). For the same reason, copy values between
    columns through Python (read, then assign), never with ``F()`` in SQL.

    Turning an existing text column into an ``EncryptedTextField`` needs no schema change,
    but its rows hold plaintext until ``manage.py rotate_field_keys --adopt-plaintext``
    has run; reading such a row before that raises ``DecryptionError``.
    """

    description = _("Text (encrypted at rest)")

    def __init__(self, *args, context: str | None = None, **kwargs):
        self._explicit_context = context
        self.context = context or ""
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if self._explicit_context is None:
            self.context = f"{cls._meta.label_lower}.{name}"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self._explicit_context is not None:
            kwargs["context"] = self._explicit_context
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value, context=self.context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt(value, context=self.context)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        return None
