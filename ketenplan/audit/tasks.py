"""Background work for the audit trail, run by the tasks worker (``manage.py db_worker``).

Both tasks keep themselves scheduled: at the end of a run each enqueues its next run
(``run_after``), unless one is already waiting. ``manage.py seal_audit --schedule`` starts
the cycle and is safe to repeat (after every deploy, or from cron as a keep-alive: if a
worker dies in the middle of a run, the cycle would otherwise stop).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

SEAL_INTERVAL = timedelta(seconds=5)
PRUNE_INTERVAL = timedelta(days=1)


def _interval(name: str, default: timedelta) -> timedelta:
    seconds = getattr(settings, name, None)
    return default if seconds is None else timedelta(seconds=seconds)


def _waiting(task_obj) -> bool:
    """Is a run of this task already queued (database backend only)?"""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_obj.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=task_obj.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule(task_obj, interval: timedelta) -> bool:
    """Queue the next run of a self-scheduling task; ``False`` if the backend cannot defer
    (the immediate backend of the tests would run it at once, forever) or one waits."""
    if not task_obj.get_backend().supports_defer or _waiting(task_obj):
        return False
    task_obj.using(run_after=timezone.now() + interval).enqueue()
    return True


@task()
def seal_audit_chain() -> int:
    """Link newly committed audit events into the chain; runs every few seconds."""
    from .services import seal_pending

    try:
        return seal_pending().sealed
    finally:
        schedule(seal_audit_chain, _interval("AUDIT_SEAL_INTERVAL_SECONDS", SEAL_INTERVAL))


@task()
def prune_audit_trail() -> int:
    """Remove the part of the audit trail older than its retention period; runs daily."""
    from .services import prune_expired

    try:
        return prune_expired().pruned
    finally:
        schedule(prune_audit_trail, PRUNE_INTERVAL)


def ensure_scheduled() -> list[str]:
    """Start both cycles if they are not running; the names of the tasks queued."""
    queued = []
    for task_obj, interval in (
        (seal_audit_chain, timedelta(0)),
        (prune_audit_trail, timedelta(0)),
    ):
        if schedule(task_obj, interval):
            queued.append(task_obj.name)
    return queued
