"""Retention: whole sealed prefixes go, a checkpoint keeps the rest verifiable."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ketenplan.audit import services
from ketenplan.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from ketenplan.audit.services import ChainError, prune_expired, seal_pending
from ketenplan.audit.verification import verify

from .conftest import EVENTS, guards_off, run_verify, sql

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=365)


def old_and_new(old: int = 4, new: int = 3, *, age=11 * YEAR):
    """``old`` events from ``age`` ago, then ``new`` recent ones, all sealed."""
    now = timezone.now()
    olds = []
    for i in range(old):
        event = AuditEvent(at=now - age + timedelta(seconds=i), action="case.viewed", object_id=str(i))
        event.save()
        olds.append(event)
    seal_pending()
    news = []
    for i in range(new):
        event = AuditEvent(action="case.viewed", object_id=f"new{i}")
        event.save()
        news.append(event)
    seal_pending()
    return olds, news


def test_prune_removes_the_old_prefix_and_verification_stays_green(settings):
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    olds, news = old_and_new()
    result = prune_expired()
    assert result.pruned == 4
    checkpoint = result.checkpoint
    assert (checkpoint.through_seq, checkpoint.through_event_id) == (4, olds[-1].pk)
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {e.pk for e in news}
    assert AuditEvent.objects.get(chain_seq=5).prev_hash == checkpoint.chain_hash

    passed, output = run_verify()
    assert passed, output
    assert "seq 5..7, 1 retention checkpoint(s)" in output

    # Nothing more to prune; new events chain on; still green.
    assert prune_expired().pruned == 0
    AuditEvent(action="case.viewed").save()
    seal_pending()
    assert verify().ok


def test_prune_keeps_everything_younger_than_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 12 * 365
    old_and_new()
    assert prune_expired().pruned == 0
    assert not AuditCheckpoint.objects.exists()


def test_prune_stops_at_the_first_young_event_in_chain_order(settings):
    """Only a whole prefix: an old event sealed after a young one stays."""
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    old_and_new(old=2, new=1)
    late_old = AuditEvent(at=timezone.now() - 11 * YEAR, action="late")
    late_old.save()
    seal_pending()
    assert prune_expired().pruned == 2
    assert AuditEvent.objects.filter(pk=late_old.pk).exists()


def test_everything_pruned_still_verifies_and_chains_on(settings):
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    old_and_new(old=3, new=0)
    assert prune_expired().pruned == 3
    assert not AuditEvent.objects.exists()
    assert verify().ok
    AuditEvent(action="case.viewed").save()
    seal_pending()
    assert AuditEvent.objects.get().chain_seq == 4
    assert verify().ok


def test_an_interrupted_prune_is_finished_by_the_next(settings):
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    old_and_new()
    with mock.patch.object(services, "_delete_through", return_value=0):
        prune_expired()
    assert AuditCheckpoint.objects.count() == 1
    assert AuditEvent.objects.count() == 7
    assert verify().ok  # rows already covered by a checkpoint, still there: fine
    assert prune_expired(batch_size=1).pruned == 4
    assert verify().ok


def test_prune_refuses_to_launder_a_broken_prefix(settings):
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    olds, _ = old_and_new()
    with guards_off():
        sql(f"UPDATE {EVENTS} SET action = 'forged' WHERE id = %s", [olds[1].pk])
    with pytest.raises(ChainError, match=f"broken at event {olds[1].pk}"):
        prune_expired()
    assert AuditEvent.objects.count() == 7
    assert not AuditCheckpoint.objects.exists()


def test_the_database_refuses_to_delete_what_no_checkpoint_covers(settings):
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    _, news = old_and_new()
    prune_expired()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(f"DELETE FROM {EVENTS} WHERE id = %s", [news[0].pk])
    checkpoint = AuditCheckpoint.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE audit_auditcheckpoint SET through_seq = 6 WHERE id = %s", [checkpoint.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("DELETE FROM audit_auditcheckpoint")
    # A checkpoint that does not match a sealed event is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditCheckpoint.objects.create(
            through_seq=6, through_event_id=news[1].pk, through_at=news[1].at,
            chain_hash="0" * 64, retention_days=1,
        )  # fmt: skip


def test_premature_pruning_through_the_application_connection_is_caught(settings):
    """Someone with the application's database access writes a matching checkpoint for
    recent events and deletes them: the triggers let it through, verify_audit does not."""
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    _, news = old_and_new()
    victim = AuditEvent.objects.get(pk=news[1].pk)
    AuditCheckpoint.objects.create(
        through_seq=victim.chain_seq, through_event_id=victim.pk, through_at=victim.at,
        chain_hash=victim.chain_hash, retention_days=1,
    )  # fmt: skip
    sql(f"DELETE FROM {EVENTS} WHERE chain_seq <= %s", [victim.chain_seq])
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {victim.pk}, seq {victim.chain_seq}: retention checkpoint" in output
    assert "younger than the retention period of 3650 days" in output


def test_prune_command(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.AUDIT_RETENTION_DAYS = 10 * 365
    old_and_new()
    out = StringIO()
    call_command("prune_audit", stdout=out)
    assert "Pruned 4 audit event(s) through seq 4" in out.getvalue()
    assert AuditChainHead.objects.get().seq == 7
