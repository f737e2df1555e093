"""The background tasks and the commands that run or schedule them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from ketenplan.audit.models import AuditEvent
from ketenplan.audit.tasks import ensure_scheduled, prune_audit_trail, seal_audit_chain

from .conftest import record, run_verify

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_seal_task_seals_and_does_not_loop_on_the_immediate_backend():
    record(3)
    result = seal_audit_chain.enqueue()  # the tests' immediate backend runs it at once
    assert result.return_value == 3
    assert not AuditEvent.objects.unsealed().exists()
    assert prune_audit_trail.enqueue().return_value == 0


@override_settings(TASKS=DATABASE_TASKS)
def test_the_tasks_keep_one_next_run_queued():
    from django_tasks_db.models import DBTaskResult

    assert sorted(ensure_scheduled()) == sorted([seal_audit_chain.name, prune_audit_trail.name])
    assert ensure_scheduled() == []  # idempotent: one waiting run per task
    assert DBTaskResult.objects.filter(task_path=seal_audit_chain.module_path).count() == 1

    # A run queues the next one, a few seconds out, unless one is already waiting.
    DBTaskResult.objects.all().delete()
    record(2)
    assert seal_audit_chain.call() == 2
    queued = DBTaskResult.objects.get(task_path=seal_audit_chain.module_path)
    assert queued.run_after > queued.enqueued_at
    seal_audit_chain.call()
    assert DBTaskResult.objects.filter(task_path=seal_audit_chain.module_path).count() == 1


def test_seal_audit_command():
    record(2)
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert "Sealed 2 audit event(s); chain head 2:" in out.getvalue()


def test_verify_audit_can_seal_first():
    record(2)
    passed, output = run_verify("--seal")
    assert passed, output
    assert "2 sealed" in output
    assert "0 not yet sealed" in output
