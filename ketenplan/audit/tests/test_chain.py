"""The audit chain: recording, sealing, and verify_audit catching every kind of tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ketenplan.audit import hashing
from ketenplan.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from ketenplan.audit.services import audit_record, seal_pending
from ketenplan.audit.verification import verify

from .conftest import EVENTS, guards_off, record, run_verify, sql

pytestmark = pytest.mark.django_db


def chain_rows():
    return list(
        AuditEvent.objects.order_by("chain_seq").values_list(
            "id", "chain_seq", "prev_hash", "chain_hash", "content_hash"
        )
    )


# --- Recording and sealing ------------------------------------------------------------


def test_recorded_events_are_hashed_but_not_yet_sealed():
    event = audit_record(action="case.viewed", object_type="cases.case", object_id=7)
    event.refresh_from_db()
    assert event.content_hash == event.compute_content_hash()
    assert (event.chain_seq, event.prev_hash, event.chain_hash) == (None, "", "")

    report = verify()
    assert report.ok, report.problems
    assert (report.sealed, report.unsealed) == (0, 1)


def test_sealing_links_events_in_order():
    created = record(4)
    result = seal_pending()
    assert result.sealed == 4

    rows = chain_rows()
    assert [seq for _, seq, *_ in rows] == [1, 2, 3, 4]
    assert [event_id for event_id, *_ in rows] == [e.pk for e in created]
    prev = hashing.GENESIS_HASH
    for event_id, _, prev_hash, chain_hash, content_hash in rows:
        assert prev_hash == prev
        assert chain_hash == hashing.link_digest(prev, content_hash, event_id)
        prev = chain_hash
    head = AuditChainHead.objects.get()
    assert (head.seq, head.chain_hash, head.last_event_id) == (4, prev, created[-1].pk)
    assert verify().ok


def test_sealing_is_idempotent():
    record(3)
    seal_pending()
    before = chain_rows()
    assert seal_pending().sealed == 0
    assert chain_rows() == before
    record(2)
    assert seal_pending(batch_size=1).sealed == 2  # several batches
    assert [seq for _, seq, *_ in chain_rows()] == [1, 2, 3, 4, 5]
    assert verify().ok


def test_a_late_commit_is_sealed_after_the_rows_sealed_before_it():
    """On PostgreSQL ids are taken at insert and commit in any order: a row whose
    transaction commits late simply gets the next place in the chain."""
    record(3)
    seal_pending()
    late = AuditEvent(id=1_000, action="case.viewed")
    late.save()
    record(1)
    seal_pending()
    # Whatever the ids, the chain order is the sealing order.
    assert AuditEvent.objects.get(pk=late.pk).chain_seq in {4, 5}
    assert verify().ok


def test_content_hash_is_stable_across_the_database_round_trip():
    """Values the database stores in its own way (PostgreSQL inet and jsonb) hash alike."""
    audit_record(
        action="person.viewed",
        detail={"big": 1e16, "small": 1.5e-7, "one": 1.0, "nested": {"b": [1, 2], "a": "é"}},
    )
    for ip in ("::ffff:1.2.3.4", "2001:DB8:0:0:0:0:0:1", "10.0.0.1"):
        AuditEvent(action="ip", ip=ip).save()
    AuditEvent(action="tz", at=timezone.now().astimezone(timezone.get_fixed_timezone(120))).save()
    seal_pending()
    report = verify()
    assert report.ok, report.problems


def test_a_garbled_client_address_does_not_break_the_action():
    event = AuditEvent(action="x", ip="unknown, 10.0.0.1")
    event.save()
    assert event.ip is None
    assert verify().ok


def test_audit_rows_roll_back_with_a_failing_action():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_record(action="case.registered", object_type="cases.case", object_id=1)
        raise Boom
    assert not AuditEvent.objects.exists()

    with transaction.atomic():
        audit_record(action="case.registered", object_type="cases.case", object_id=1)
    assert AuditEvent.objects.count() == 1


# --- The ORM refuses -------------------------------------------------------------------


def test_the_orm_refuses_to_update_or_delete(events):
    event = events[0]
    event.action = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert verify().ok


def test_bulk_create_hashes_and_cannot_smuggle_in_chain_values():
    forged = AuditEvent(action="x", content_hash="f" * 64, chain_hash="e" * 64, chain_seq=9)
    AuditEvent.objects.bulk_create([forged, AuditEvent(action="y")])
    for event in AuditEvent.objects.all():
        assert event.content_hash == event.compute_content_hash()
        assert (event.chain_seq, event.chain_hash) == (None, "")


# --- The database refuses ------------------------------------------------------------


def refused(statement: str, params=None) -> bool:
    try:
        with transaction.atomic():
            sql(statement, params)
    except IntegrityError:
        return True
    return False


def test_the_triggers_refuse_raw_updates_and_deletes(events):
    target = events[2].pk
    assert refused(f"UPDATE {EVENTS} SET action = 'forged' WHERE id = %s", [target])
    assert refused(f"UPDATE {EVENTS} SET content_hash = %s WHERE id = %s", ["0" * 64, target])
    assert refused(f"UPDATE {EVENTS} SET chain_hash = %s WHERE id = %s", ["0" * 64, target])
    assert refused(f"UPDATE {EVENTS} SET chain_seq = 99 WHERE id = %s", [target])
    assert refused(f"DELETE FROM {EVENTS} WHERE id = %s", [target])
    assert refused(f"DELETE FROM {EVENTS}")
    assert refused("UPDATE audit_auditchainhead SET seq = 2")
    assert refused("DELETE FROM audit_auditchainhead")
    assert verify().ok


def test_the_triggers_refuse_to_change_an_unsealed_row_except_by_sealing_it():
    event = record(1)[0]
    assert refused(f"UPDATE {EVENTS} SET action = 'forged' WHERE id = %s", [event.pk])
    # Sealing may not change anything else at the same time.
    assert refused(
        f"UPDATE {EVENTS} SET chain_seq = 1, prev_hash = %s, chain_hash = %s, action = 'x' "
        "WHERE id = %s",
        ["0" * 64, "1" * 64, event.pk],
    )
    seal_pending()
    assert verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_the_triggers_refuse_truncate(events):
    assert refused(f"TRUNCATE {EVENTS}")
    assert refused("TRUNCATE audit_auditcheckpoint")


def test_missing_or_disabled_guards_fail_verification(events):
    with guards_off():
        passed, output = run_verify()
    assert not passed
    assert "PROTECTION: guard trigger" in output
    passed, output = run_verify()
    assert passed, output


# --- verify_audit catches tampering done with the guards off ---------------------------


def test_verify_passes_and_reports(events):
    record(2)  # two not yet sealed
    passed, output = run_verify()
    assert passed, output
    assert "Checked 7 audit event(s)" in output
    assert "5 sealed" in output
    assert "2 not yet sealed" in output
    assert "verifies" in output


def test_an_edited_row_is_named(events):
    victim = events[2]
    with guards_off():
        sql(f"UPDATE {EVENTS} SET object_id = '999' WHERE id = %s", [victim.pk])
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {victim.pk}, seq 3: content altered" in output


def test_an_edited_row_with_a_recomputed_content_hash_is_named(events):
    victim = events[1]
    forged = AuditEvent.objects.get(pk=victim.pk)
    forged.actor_label = "someone.else@example.org"
    with guards_off():
        sql(
            f"UPDATE {EVENTS} SET actor_label = %s, content_hash = %s WHERE id = %s",
            [forged.actor_label, forged.compute_content_hash(), victim.pk],
        )
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {victim.pk}, seq 2: chain hash does not match" in output


def test_a_rewritten_chain_tail_is_caught_at_the_head_or_by_an_anchor(events):
    """A superuser who rewrites a row and recomputes every hash after it."""
    head = AuditChainHead.objects.get()
    anchor = f"{head.seq}:{head.chain_hash}"
    victim = events[2]
    with guards_off():
        sql(f"UPDATE {EVENTS} SET detail = %s WHERE id = %s", ['{"i": 42}', victim.pk])
        _rechain_from(victim.chain_seq, update_head=False)
    passed, output = run_verify()
    assert not passed
    assert "the chain's last hash does not match its head" in output

    with guards_off():
        _rechain_from(victim.chain_seq, update_head=True)
    assert verify().ok  # consistent everywhere in the database ...
    passed, output = run_verify("--anchor", anchor)
    assert not passed  # ... but not with the head recorded outside it.
    assert "does not match the anchor" in output


def _rechain_from(seq: int, *, update_head: bool) -> None:
    rows = list(
        AuditEvent.objects.filter(chain_seq__gte=seq).order_by("chain_seq").values_list("id", "chain_seq")
    )
    prev = AuditEvent.objects.get(chain_seq=seq - 1).chain_hash if seq > 1 else hashing.GENESIS_HASH
    for event_id, row_seq in rows:
        event = AuditEvent.objects.get(pk=event_id)
        content = event.compute_content_hash()
        chain = hashing.link_digest(prev, content, event_id)
        sql(
            f"UPDATE {EVENTS} SET content_hash = %s, prev_hash = %s, chain_hash = %s WHERE id = %s",
            [content, prev, chain, event_id],
        )
        prev = chain
    if update_head:
        sql("UPDATE audit_auditchainhead SET chain_hash = %s WHERE id = 1", [prev])


def test_a_deleted_row_is_caught_at_the_next_one(events):
    with guards_off():
        sql(f"DELETE FROM {EVENTS} WHERE id = %s", [events[2].pk])
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {events[3].pk}, seq 4: expected seq 3 here: 1 event(s)" in output
    assert "prev_hash does not match" in output


def test_deleted_rows_at_the_end_are_caught(events):
    with guards_off():
        sql(f"DELETE FROM {EVENTS} WHERE id >= %s", [events[3].pk])
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {events[4].pk}, seq 5: the chain ends at seq 3" in output


def test_deleted_rows_at_the_start_are_caught(events):
    with guards_off():
        sql(f"DELETE FROM {EVENTS} WHERE id <= %s", [events[1].pk])
    passed, output = run_verify()
    assert not passed
    assert f"FIRST BROKEN: event id {events[2].pk}, seq 3: the 2 event(s) before it were removed" in output


def test_everything_deleted_is_caught(events):
    with guards_off():
        sql(f"DELETE FROM {EVENTS}")
    passed, output = run_verify()
    assert not passed
    assert "the chain head names sealed events that are all gone" in output


def _template(event_id, *, at, action="case.viewed") -> AuditEvent:
    template = AuditEvent(id=event_id, at=at, action=action, object_type="cases.case", object_id="1")
    template.prepare_for_insert()
    return template


def _insert(event_id, *, at, seq=None, prev="", chain="", action="case.viewed"):
    """A row put in with raw SQL (INSERT is what the application itself must be able to do)."""
    content = _template(event_id, at=at, action=action).content_hash
    sql(
        f"INSERT INTO {EVENTS} (id, at, actor_label, roles, action, object_type, object_id, purpose, "
        "detail, content_hash, chain_seq, prev_hash, chain_hash) "
        "VALUES (%s, %s, '', '', %s, 'cases.case', '1', 'normal', '{}', %s, %s, %s, %s)",
        [event_id, connection.ops.adapt_datetimefield_value(at), action, content, seq, prev, chain],
    )


def test_a_forged_row_appended_to_the_chain_is_caught(events):
    """The hashes have no secret: a forger can compute a perfect link. The head, which
    only the sealer moves (and only to an event it sealed), gives the row away."""
    head = AuditChainHead.objects.get()
    content = _template(900, at=timezone.now()).content_hash
    chain = hashing.link_digest(head.chain_hash, content, 900)
    _insert(900, at=timezone.now(), seq=head.seq + 1, prev=head.chain_hash, chain=chain)
    passed, output = run_verify()
    assert not passed
    assert "FIRST BROKEN: event id 900, seq 6: sealed beyond the chain head" in output


def test_a_forged_row_with_chain_hashes_but_no_place_is_caught(events):
    _insert(901, at=timezone.now(), prev=events[1].chain_hash, chain="a" * 64)
    passed, output = run_verify()
    assert not passed
    assert "event id 901: has chain hashes but no place in the chain" in output


def test_a_forged_backdated_row_is_caught_even_after_sealing(events):
    """An attacker with only INSERT rights plants an event 'from last month'."""
    _insert(902, at=timezone.now() - timedelta(days=30), action="case.exported")
    passed, output = run_verify()
    assert not passed
    assert "event id 902: recorded at" in output
    seal_pending()
    passed, output = run_verify()
    assert not passed
    assert "FIRST BROKEN: event id 902, seq 6: recorded at" in output
    assert "backdated" in output


def test_a_forged_row_inserted_in_the_middle_is_caught(events):
    """A row squeezed in between with a made-up place: it collides or breaks the links."""
    with guards_off():
        sql(f"UPDATE {EVENTS} SET chain_seq = chain_seq + 1000 WHERE chain_seq >= 3")
        _insert(903, at=events[2].at, seq=3, prev=events[1].chain_hash, chain="b" * 64)
    passed, output = run_verify()
    assert not passed
    assert "FIRST BROKEN: event id 903, seq 3: chain hash does not match" in output


def test_unsealed_rows_are_checked_by_content(events):
    fresh = record(1)[0]
    with guards_off():
        sql(f"UPDATE {EVENTS} SET action = 'other' WHERE id = %s", [fresh.pk])
    passed, output = run_verify()
    assert not passed
    assert f"event id {fresh.pk}: content altered" in output


def test_the_head_can_only_move_forward_to_a_real_event(events):
    head = AuditChainHead.objects.get()
    assert refused(
        "UPDATE audit_auditchainhead SET seq = %s, chain_hash = %s WHERE id = 1",
        [head.seq + 1, "c" * 64],
    )
    assert refused("INSERT INTO audit_auditchainhead (id, seq, chain_hash) VALUES (2, 5, %s)", ["d" * 64])
    assert refused("UPDATE audit_auditchainhead SET chain_hash = %s WHERE id = 1", ["e" * 64])
    # Writing back the same position changes nothing and is allowed (fixtures restoring
    # reference data do that).
    assert not refused(
        "UPDATE audit_auditchainhead SET seq = %s, chain_hash = %s, last_event_id = %s WHERE id = 1",
        [head.seq, head.chain_hash, head.last_event_id],
    )
    assert verify().ok
