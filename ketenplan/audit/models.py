"""The audit trail: one append-only row for every read and write of personal data and
every security event.

Each row carries a SHA-256 hash of its own content, computed at insert. Rows are linked
into a tamper-evident chain (``chain_seq``, ``prev_hash`` → ``chain_hash``) afterwards by
``audit.services.seal_pending``, which runs in the background, so concurrent requests
never queue behind one another to write their audit row. See
``docs/adr/0001-audit-chain.md``.

The application cannot change or remove a row: the model and its queryset refuse, and
database triggers (``audit.guards``) refuse raw SQL too. The only change a row ever sees is
its sealing (empty chain columns filled in once), and the only removal is retention
pruning of a sealed prefix already covered by an ``AuditCheckpoint``.

If you add a column to ``AuditEvent``: include it in ``hashing.content_digest`` (and the
verifier's column list), and note that on SQLite the guard triggers are recreated after
every ``migrate`` by ``apps.AuditConfig``.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import hashing


class AppendOnlyError(ValueError):
    """An attempt to change or remove an audit row through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.prepare_for_insert()
        return super().bulk_create(objs, *args, **kwargs)

    def unsealed(self):
        return self.filter(chain_hash="")

    def sealed(self):
        return self.exclude(chain_hash="")


class AuditEvent(models.Model):
    class Purpose(models.TextChoices):
        NORMAL = "normal", _("Normal work")
        EMERGENCY = "emergency", _("Emergency access")
        MEETING = "meeting", _("Meeting preparation")
        SECURITY = "security", _("Security")
        PRIVACY = "privacy", _("Data protection (access request, review)")

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
    # Filled in once, by the sealer: the position in the chain and the links.
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            # The sealer's work list: small, whatever the size of the table.
            models.Index(
                fields=["id"], name="audit_unsealed_idx", condition=models.Q(chain_hash="")
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chain_seq"], name="audit_chain_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        self.prepare_for_insert()
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    @property
    def is_sealed(self) -> bool:
        return bool(self.chain_hash)

    def detail_json(self) -> str:
        encoder = self._meta.get_field("detail").encoder
        return json.dumps(self.detail, cls=encoder)

    def compute_content_hash(self) -> str:
        return hashing.content_digest(
            at=self.at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            organisation_id=self.organisation_id,
            roles=self.roles,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            purpose=self.purpose,
            ip=self.ip,
            detail_json=self.detail_json(),
        )

    def prepare_for_insert(self) -> None:
        """Normalise the values as the database will hand them back, and hash them."""
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        if self.at is not None and timezone.is_aware(self.at):
            self.at = self.at.astimezone(UTC)
        self.ip = normalise_ip(self.ip)
        self.chain_seq = None
        self.prev_hash = ""
        self.chain_hash = ""
        # Always computed here, never taken from the caller.
        self.content_hash = self.compute_content_hash()



def normalise_ip(value: str | None) -> str | None:
    """A valid IP address in its standard text form, or ``None``.

    A garbled ``X-Forwarded-For`` must not break the action being recorded (PostgreSQL's
    ``inet`` would refuse it), so anything that is not an address is dropped, and so is
    an IPv6 zone (``%eth0``), which ``inet`` does not take either.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).strip().split("%", 1)[0])
    except ValueError:
        return None
    return str(address)


class AuditChainHead(models.Model):
    """The one row that says where the sealed chain ends. The sealer locks it, so sealing
    is serialised while writers of audit rows never touch it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=hashing.GENESIS_HASH)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"chain head at {self.seq}"


class AuditCheckpoint(models.Model):
    """Retention removed every event up to ``through_seq``; this is where the chain stood.

    The first remaining event's ``prev_hash`` must equal ``chain_hash``, so the chain
    still verifies from here on. Checkpoints are insert-only and never removed.
    """

    through_seq = models.PositiveBigIntegerField(unique=True)
    through_event_id = models.BigIntegerField()
    through_at = models.DateTimeField()
    chain_hash = models.CharField(max_length=64)
    retention_days = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit checkpoint")
        ordering = ["through_seq"]

    def __str__(self) -> str:
        return f"pruned through {self.through_seq}"
