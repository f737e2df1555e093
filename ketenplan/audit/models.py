"""The audit trail: one append-only row for every read and write of personal data and
every security event.

Each row carries a SHA-256 hash of its own content at insert time. Rows are linked into a
tamper-evident chain (``prev_hash`` → ``chain_hash``) by ``audit.services.seal_pending``,
which runs in the background so that concurrent requests never queue behind one another
to write their audit row.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Purpose(models.TextChoices):
        NORMAL = "normal", _("Normal work")
        EMERGENCY = "emergency", _("Emergency access")
        MEETING = "meeting", _("Meeting preparation")
        SECURITY = "security", _("Security")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.NORMAL
    )
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def compute_content_hash(self) -> str:
        payload = {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "organisation": self.organisation_id,
            "roles": self.roles,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "ip": self.ip,
            "detail": self.detail,
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_sealing", False):
            raise ValueError("Audit events are append-only.")
        if not self.content_hash:
            self.content_hash = self.compute_content_hash()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
