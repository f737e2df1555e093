"""Sealers and writers at the same time, over real transactions and connections."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from ketenplan.audit import guards
from ketenplan.audit.models import AuditChainHead, AuditEvent
from ketenplan.audit.services import audit_record, seal_pending
from ketenplan.audit.verification import verify

from .conftest import record


def patiently(action):
    """Run ``action()``; on SQLite, retry while the table is locked.

    The test database on SQLite is an in-memory database in shared-cache mode, whose
    table locks fail at once instead of waiting for the busy timeout as the file
    database of a real installation does (``timeout`` in settings). This retry stands in
    for that wait; on PostgreSQL nothing is retried.
    """
    import time

    from django.db import OperationalError

    for _attempt in range(2000):
        try:
            return action()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.002)
    raise AssertionError("the table stayed locked")


def run_in_threads(target, count: int) -> list[BaseException]:
    """Run ``target(i)`` in ``count`` threads, started together; the errors raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            target(i)
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def assert_one_chain(total: int) -> None:
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert AuditChainHead.objects.get().seq == total
    report = verify()
    assert report.ok, report.problems
    assert (report.sealed, report.unsealed) == (total, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_sealers_make_one_chain():
    record(60)
    results = []

    def seal(_):
        while True:
            sealed = patiently(lambda: seal_pending(batch_size=7, max_batches=1).sealed)
            results.append(sealed)
            if not sealed:
                return

    assert run_in_threads(seal, 3) == []
    assert sum(results) == 60  # every row sealed exactly once
    assert_one_chain(60)


@pytest.mark.django_db(transaction=True)
def test_writers_never_wait_for_sealers_and_every_row_lands_in_the_chain():
    writers, per_writer = 3, 15
    done = threading.Event()

    def write(object_id):
        with transaction.atomic():
            audit_record(action="case.viewed", object_type="cases.case", object_id=object_id)

    def work(i):
        if i < writers:
            for n in range(per_writer):
                patiently(lambda n=n: write(f"{i}-{n}"))
        else:
            while not done.is_set():
                patiently(lambda: seal_pending(batch_size=5))

    def run(i):
        try:
            work(i)
        finally:
            if i == writers - 1:
                done.set()

    errors = run_in_threads(run, writers + 2)
    done.set()
    assert errors == []
    seal_pending()
    assert_one_chain(writers * per_writer)


@pytest.mark.django_db(transaction=True)
def test_flush_keeps_the_guards_and_the_head():
    record(2)
    seal_pending()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert guards.problems(connection) == []
    assert AuditChainHead.objects.get().seq == 0
    record(1)
    seal_pending()
    assert verify().ok


@pytest.mark.django_db
def test_flush_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
