"""The state of background work that a page started and its user waits for.

Approving minutes queues the e-mail to every attendee (a task, run by the worker after
the commit). The minutes page shows where that stands — queued, being sent, sent or
failed — and polls with htmx until it is finished (``partials/minutes_sending.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

from .models import MinutesVersion
from .tasks import send_minutes

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Progress:
    state: str
    at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


def _task_rows(task_path: str, since: datetime, first_arg) -> list:
    """The database backend's results of one task for one argument (none with another
    backend, e.g. the immediate one of the tests). A handful of rows: one per approval."""
    if not apps.is_installed("django_tasks_db"):
        return []
    from django_tasks_db.models import DBTaskResult
    rows = DBTaskResult.objects.filter(task_path=task_path, enqueued_at__gte=since).only(
        "status", "args_kwargs", "started_at", "finished_at"
    )
    return [r for r in rows if (r.args_kwargs or {}).get("args", [None])[:1] == [first_arg]]


def minutes_sending(minutes: MinutesVersion | None) -> Progress | None:
    """Where sending the approved ``minutes`` stands; None for minutes not approved."""
    if minutes is None or minutes.status != MinutesVersion.Status.APPROVED or minutes.approved_at is None:
        return None
    if minutes.sent_at is not None:
        return Progress(DONE, minutes.sent_at)
    rows = _task_rows(send_minutes.module_path, minutes.approved_at - timedelta(minutes=1), minutes.pk)
    statuses = {r.status for r in rows}
    if "RUNNING" in statuses:
        return Progress(RUNNING, max(r.started_at for r in rows if r.status == "RUNNING"))
    if "READY" in statuses:
        return Progress(QUEUED, minutes.approved_at)
    if "FAILED" in statuses:
        return Progress(FAILED, max(r.finished_at for r in rows if r.status == "FAILED"))
    return Progress(QUEUED, minutes.approved_at)
