"""Approving minutes queues the e-mail to the attendees: the minutes page shows where
sending stands (queued, being sent, sent, failed) and polls with htmx until it is done."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.meetings import progress, services
from ketenplan.meetings.models import AgendaItem, MinutesVersion
from ketenplan.meetings.tasks import send_minutes

from .factories import meeting_now, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(client, django_capture_on_commit_callbacks):
    """Minutes approved through the page; the e-mail task not run yet (still queued)."""
    world = make_world()
    case = case_at(world, Stage.INTAKE)
    meeting = meeting_now(world, team(world))
    with django_capture_on_commit_callbacks():
        services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    services.decision_record(actor=world.coordinator, item=item, kind="note", text="Postponed.")
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/meetings/{meeting.pk}/minutes/approve/", {"confirmed": "yes"})
    assert response.status_code == 302
    minutes = MinutesVersion.objects.get(meeting=meeting, status=MinutesVersion.Status.APPROVED)
    return meeting, minutes, callbacks


def test_the_page_shows_the_queued_sending_and_polls_until_it_is_sent(client, approved, smtp_sink):
    meeting, minutes, callbacks = approved

    page = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert 'id="minutes-sending"' in page and 'data-state="queued"' in page
    poll = f'hx-get="/meetings/{meeting.pk}/minutes/sending/" hx-trigger="every 3s"'
    assert poll in page and 'role="status"' in page

    for callback in callbacks:  # the worker picks the task up
        callback()
    minutes.refresh_from_db()
    assert minutes.sent_at is not None

    fragment = client.get(f"/meetings/{meeting.pk}/minutes/sending/").content.decode()
    assert 'data-state="done"' in fragment and "Sent to the attendees" in fragment
    assert "hx-get" not in fragment  # finished: the polling stops


def test_running_and_failed_tasks_of_the_database_backend(approved):
    from django_tasks_db.models import DBTaskResult

    _meeting, minutes, _callbacks = approved
    assert progress.minutes_sending(minutes).state == progress.QUEUED
    now = timezone.now()
    row = DBTaskResult.objects.create(
        task_path=send_minutes.module_path,
        args_kwargs={"args": [minutes.pk], "kwargs": {}},
        status="RUNNING",
        started_at=now,
        run_after=now,
        backend_name="default",
        queue_name="default",
        exception_class_path="",
        traceback="",
    )
    assert progress.minutes_sending(minutes).state == progress.RUNNING
    DBTaskResult.objects.filter(pk=row.pk).update(status="FAILED", finished_at=now)
    sending = progress.minutes_sending(minutes)
    assert sending.state == progress.FAILED and sending.finished


def test_outsiders_get_not_found_for_the_sending_state(client, approved):
    meeting, _minutes, _callbacks = approved
    client.force_login(make_world().coordinator)
    assert client.get(f"/meetings/{meeting.pk}/minutes/sending/").status_code == 404
