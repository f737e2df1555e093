"""Writing to the audit trail, sealing it into a chain, and pruning it after retention.

``audit_record`` is called by every service inside its own transaction, so the audit row
commits and rolls back with the action it records. It takes no lock: it inserts one row
carrying the hash of its content.

``seal_pending`` links committed, unsealed rows into the chain, in batches, under the one
lock on ``AuditChainHead``. Only the sealer waits for that lock. See
``docs/adr/0001-audit-chain.md``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from . import hashing, reads
from .models import AuditChainHead, AuditCheckpoint, AuditEvent

logger = logging.getLogger("ketenplan.audit")

# Rows sealed per transaction. On SQLite, with one writer at a time, a request that
# writes while the sealer holds the lock waits for at most one batch (a few ms at 250).
# On PostgreSQL writers never wait for the sealer; bigger batches only mean fewer commits.
SEAL_BATCH_SIZE = {"sqlite": 250}
SEAL_BATCH_SIZE_DEFAULT = 1000
PRUNE_BATCH_SIZE = 5000


class ChainError(RuntimeError):
    """The chain cannot be sealed or pruned safely; ``verify_audit`` says why."""


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the (trusted) reverse proxy or the socket reports it."""
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _who(*, actor, request: HttpRequest | None, actor_label: str = "") -> dict:
    """The fields of an audit row that say who acted and from where."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return {
        "actor": actor,
        "actor_label": actor_label or (actor.email if actor else ""),
        "organisation_id": getattr(actor, "organisation_id", None),
        "roles": ",".join(sorted(actor.roles)) if actor else "",
        "ip": client_ip(request),
    }


def audit_record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = AuditEvent.Purpose.NORMAL,
    detail: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent(
        **_who(actor=actor, request=request, actor_label=actor_label),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        purpose=purpose,
        detail=detail or {},
    )
    event.save()
    reads.mark_audited()
    return event


def audit_record_many(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    object_type: str,
    object_ids: list,
    purpose: str = AuditEvent.Purpose.NORMAL,
    detail: dict | None = None,
) -> list[AuditEvent]:
    """One row per object, as ``audit_record`` writes it, in one insert (a packet that
    shows a hundred cases). Each row is hashed on its own (``bulk_create`` prepares it),
    takes no lock and is sealed later, like any other."""
    who = _who(actor=actor, request=request)
    events = [
        AuditEvent(
            **who,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            purpose=purpose,
            detail=dict(detail or {}),
        )
        for object_id in object_ids
    ]
    if events:
        AuditEvent.objects.bulk_create(events)
        reads.mark_audited()
    return events


# --- Sealing --------------------------------------------------------------------------


@dataclass(frozen=True)
class SealResult:
    sealed: int
    head_seq: int
    head_hash: str


def _lock_head() -> AuditChainHead:
    """The chain head, locked until the end of the caller's transaction."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEvent.objects.sealed().exists():
            raise ChainError(
                "The audit chain head is missing while sealed events exist; "
                "run `manage.py verify_audit`."
            )
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def _write_seals(rows: list[tuple[int, str, str, int]]) -> None:
    """Fill in the chain columns of unsealed events: ``(seq, prev, chain, id)`` rows.

    The one update an audit event allows (the model refuses any other; the database
    triggers check it is exactly this).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET chain_seq = %s, prev_hash = %s, chain_hash = %s "  # noqa: S608
            "WHERE id = %s AND chain_hash = ''",
            rows,
        )


def _seal_batch(batch_size: int) -> tuple[int, AuditChainHead]:
    with transaction.atomic():
        head = _lock_head()
        pending = list(
            AuditEvent.objects.unsealed()
            .order_by("id")
            .values_list("id", "content_hash")[:batch_size]
        )
        if not pending:
            return 0, head
        seq, prev = head.seq, head.chain_hash
        rows = []
        for event_id, content_hash in pending:
            seq += 1
            chain = hashing.link_digest(prev, content_hash, event_id)
            rows.append((seq, prev, chain, event_id))
            prev = chain
        _write_seals(rows)
        head.seq, head.chain_hash, head.last_event_id = seq, prev, pending[-1][0]
        head.sealed_at = timezone.now()
        head.save(update_fields=["seq", "chain_hash", "last_event_id", "sealed_at"])
        return len(rows), head


def seal_pending(*, batch_size: int | None = None, max_batches: int | None = None) -> SealResult:
    """Link every committed, unsealed audit event into the chain, in id order.

    The chain order is the order of sealing, kept in ``chain_seq``: a row whose
    transaction commits late (after rows with higher ids were sealed) is simply sealed in
    a later batch, so no row is ever skipped or waited for. Safe to run concurrently:
    sealers take turns on the lock of the chain head; each batch is its own short
    transaction, so writers (on SQLite, which has one writer at a time) wait at most one
    batch.
    """
    if batch_size is None:
        batch_size = SEAL_BATCH_SIZE.get(connection.vendor, SEAL_BATCH_SIZE_DEFAULT)
    total = 0
    batches = 0
    head = None
    while max_batches is None or batches < max_batches:
        sealed, head = _seal_batch(batch_size)
        total += sealed
        batches += 1
        if sealed < batch_size:
            break
    if head is None:
        head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead()
    if total:
        # The anchor: ship this line off the host (log collector) so that even a rewrite
        # of the whole chain by a database superuser shows (``verify_audit --anchor``).
        logger.info("audit chain sealed %d events; head %d:%s", total, head.seq, head.chain_hash)
    return SealResult(sealed=total, head_seq=head.seq, head_hash=head.chain_hash)


# --- Retention ------------------------------------------------------------------------


@dataclass(frozen=True)
class PruneResult:
    pruned: int
    checkpoint: AuditCheckpoint | None
    cutoff: datetime


def retention_cutoff(*, retention_days: int | None = None, now: datetime | None = None) -> datetime:
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    return (now or timezone.now()) - timedelta(days=days)


def _prunable_prefix(*, after_seq: int, head_seq: int, cutoff: datetime):
    """The last event of the longest sealed run after ``after_seq`` that is entirely older
    than ``cutoff``: ``(seq, id, at, chain_hash)`` or ``None``."""
    through = None
    rows = (
        AuditEvent.objects.filter(chain_seq__gt=after_seq, chain_seq__lte=head_seq)
        .order_by("chain_seq")
        .values_list("chain_seq", "id", "at", "chain_hash")
    )
    for row in rows.iterator(chunk_size=5000):
        if row[2] >= cutoff:
            break
        through = row
    return through


def _delete_through(through_seq: int, batch_size: int) -> int:
    """Delete the sealed events up to ``through_seq`` (covered by a checkpoint), in
    batches, each its own transaction."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    deleted = 0
    while True:
        low = AuditEvent.objects.filter(chain_seq__lte=through_seq).order_by("chain_seq").values_list(
            "chain_seq", flat=True
        ).first()
        if low is None:
            return deleted
        high = min(low + batch_size - 1, through_seq)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE chain_seq >= %s AND chain_seq <= %s",  # noqa: S608
                [low, high],
            )
            deleted += cursor.rowcount


def prune_expired(
    *,
    retention_days: int | None = None,
    now: datetime | None = None,
    batch_size: int = PRUNE_BATCH_SIZE,
) -> PruneResult:
    """Remove the sealed prefix of the chain older than the retention period.

    Only a whole prefix goes, and only after it verifies: a checkpoint records where the
    chain stood (the last removed event's chain hash), so the rest still verifies, and
    pruning never launders a break. An interrupted prune is finished by the next one.
    """
    from .verification import verify_range

    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = retention_cutoff(retention_days=days, now=now)
    last = AuditCheckpoint.objects.order_by("-through_seq").first()
    after_seq = last.through_seq if last else 0
    head = AuditChainHead.objects.filter(pk=1).first()
    checkpoint = None
    if head is not None and head.seq > after_seq:
        through = _prunable_prefix(after_seq=after_seq, head_seq=head.seq, cutoff=cutoff)
        if through is not None:
            through_seq, event_id, at, chain_hash = through
            problems = verify_range(
                first_seq=after_seq + 1,
                last_seq=through_seq,
                prev_hash=last.chain_hash if last else hashing.GENESIS_HASH,
            )
            if problems:
                raise ChainError(
                    f"Refusing to prune: the audit chain is broken at event {problems[0].event_id} "
                    f"({problems[0].message}); run `manage.py verify_audit`."
                )
            with transaction.atomic():
                _lock_head()  # one prune or seal at a time
                checkpoint = AuditCheckpoint.objects.create(
                    through_seq=through_seq,
                    through_event_id=event_id,
                    through_at=at,
                    chain_hash=chain_hash,
                    retention_days=days,
                    created_at=timezone.now(),
                )
    covered = checkpoint.through_seq if checkpoint else after_seq
    pruned = _delete_through(covered, batch_size) if covered else 0
    if pruned:
        logger.info("audit trail: pruned %d events through seq %d", pruned, covered)
    return PruneResult(pruned=pruned, checkpoint=checkpoint, cutoff=cutoff)
