"""The pages, driven the way the coordinator and the team use them."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, register
from ketenplan.meetings.models import AgendaItem, Attendance, ConsultationHour, MeetingSeries, MinutesVersion

from .factories import meeting_now, team

CONFIRMED = {"confirmed": "yes"}  # as the data-confirm of the form or the confirmation page sends

pytestmark = pytest.mark.django_db


def test_the_coordinator_sets_up_the_schedule_and_the_team(client, world):
    client.force_login(world.coordinator)
    assert client.get("/meetings/schedule/").status_code == 200
    response = client.post(
        "/meetings/schedule/",
        {
            "weekday": 1,
            "start_time": "14:00",
            "duration_minutes": 120,
            "recurrence": "weeks_of_month",
            "weeks_of_month": ["2", "4"],
            "interval_weeks": 2,
            "time_zone": "Europe/Brussels",
            "location": "FJC, room 2",
            "video_url": "",
            "confidentiality_statement": "We keep it confidential.",
        },
    )
    assert response.status_code == 302
    series = MeetingSeries.objects.get(region=world.region)
    assert series.weeks_of_month == [2, 4]
    meetings = list(series.meetings.order_by("starts_at"))
    assert len(meetings) >= 5
    for meeting in meetings:
        local = meeting.local_start
        assert local.weekday() == 1 and (local.day - 1) // 7 + 1 in (2, 4) and local.hour == 14

    response = client.post(
        "/meetings/schedule/members/add/", {"professional": world.referrer.pk, "role": "delegate"}
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(professional=world.referrer, meeting__series=series).count() == len(
        meetings
    )
    response = client.post(
        "/meetings/schedule/members/add/",
        {"professional": world.outsider.pk, "role": "delegate"},
        follow=True,
    )
    assert not Attendance.objects.filter(professional=world.outsider).exists()

    # Every other week, from an anchor date.
    response = client.post(
        "/meetings/schedule/",
        {
            "weekday": 3,
            "start_time": "09:30",
            "duration_minutes": 90,
            "recurrence": "interval",
            "interval_weeks": 2,
            "anchor_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "time_zone": "Europe/Brussels",
            "location": "FJC",
            "confidentiality_statement": "Confidential.",
        },
    )
    assert response.status_code == 302
    starts = [
        m.local_start for m in series.meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
    ]
    assert all(s.weekday() == 3 and s.hour == 9 and s.minute == 30 for s in starts)
    assert all((b - a).days == 14 for a, b in itertools.pairwise(starts))

    client.force_login(world.team_member)
    assert client.get("/meetings/schedule/").status_code == 403


def test_a_meeting_from_agenda_to_approved_minutes(client, world, django_capture_on_commit_callbacks):
    registered = register(world, family_label="Family Registered")
    intake = case_at(world, Stage.INTAKE, family_label="Family Intake")
    series = team(world)
    meeting = meeting_now(world, series)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks():
        assert client.post(f"/meetings/{meeting.pk}/agenda/prepare/").status_code == 302
    items = {i.case_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    detail = client.get(f"/meetings/{meeting.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Family Registered" in html and "Family Intake" in html

    item = items[intake.pk]
    for op in ("up", "urgent", "not_urgent", "down"):
        assert client.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/{op}/").status_code == 302
    assert (
        client.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/minutes/", {"minutes": 25}).status_code == 302
    )
    item.refresh_from_db()
    assert item.minutes == 25 and item.is_edited
    assert client.post(f"/meetings/{meeting.pk}/agenda/{item.pk}/nonsense/").status_code == 404
    response = client.post(
        f"/meetings/{meeting.pk}/agenda/add/", {"reference": "", "title": "Holiday cover", "minutes": 5}
    )
    assert (
        response.status_code == 302
        and AgendaItem.objects.filter(meeting=meeting, title="Holiday cover").exists()
    )
    response = client.post(
        f"/meetings/{meeting.pk}/agenda/add/",
        {"reference": "2099-999999", "title": "", "minutes": 5},
        follow=True,
    )
    assert "You have no case with this reference." in response.content.decode()

    decide = f"/meetings/{meeting.pk}/minutes/items/{items[registered.pk].pk}/"
    assert client.get(decide).status_code == 200
    data = {"kind": "admissibility", "text": "Discussed.", "advice": ""}
    for criterion in ("very_unsafe", "complex", "multiple_domains", "help_stuck"):
        data[f"met_{criterion}"] = "yes"
        data[f"note_{criterion}"] = "Agreed by the team."
    assert client.post(decide, data).status_code == 302
    registered.refresh_from_db()
    assert registered.stage == Stage.INTAKE

    minutes = client.get(f"/meetings/{meeting.pk}/minutes/")
    assert minutes.status_code == 200 and "Discussed." in minutes.content.decode()
    assert client.post(f"/meetings/{meeting.pk}/minutes/", {"summary": "Good meeting."}).status_code == 302
    with django_capture_on_commit_callbacks():
        assert client.post(f"/meetings/{meeting.pk}/minutes/approve/", CONFIRMED).status_code == 302
    assert MinutesVersion.objects.get(meeting=meeting).status == MinutesVersion.Status.APPROVED
    response = client.post(decide, {**data, "kind": "note"}, follow=True)
    assert "correction" in response.content.decode()
    assert client.post(f"/meetings/{meeting.pk}/minutes/correct/", {"reason": "Typo."}).status_code == 302
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 2


def test_attendance_and_apologies(client, world, django_capture_on_commit_callbacks):
    series = team(world)
    meeting = series.meetings.order_by("starts_at").first()
    meeting.agenda_prepared_at = timezone.now()
    meeting.save()
    client.force_login(world.team_member)
    with django_capture_on_commit_callbacks():
        response = client.post(f"/meetings/{meeting.pk}/apologise/", {"note": "On leave."})
    assert response.status_code == 302
    rows = {a.professional_id: a for a in meeting.attendances.all()}
    assert rows[world.team_member.pk].status == Attendance.Status.APOLOGISED
    # Welfare's substitute is now expected instead.
    assert rows[world.case_director.pk].status == Attendance.Status.EXPECTED


def test_pages_open_for_the_people_they_are_for(client, world):
    team(world)
    client.force_login(world.coordinator)
    for path in (
        "/meetings/",
        "/meetings/escalations/",
        "/meetings/consultations/",
        "/meetings/consultations/sign-ups/",
        "/meetings/consultations/hours/",
        "/meetings/consultations/hours/new/",
        "/meetings/calendar/",
        "/meetings/consultation-hours/",
    ):
        assert client.get(path).status_code == 200, path
    response = client.post(
        "/meetings/consultations/hours/new/",
        {
            "kind": "video",
            "weekday": 1,
            "start_time": "10:00",
            "duration_minutes": 60,
            "slot_minutes": 20,
            "video_url": "https://video.example/c",
            "staff": [world.coordinator.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    hour = ConsultationHour.objects.get()
    assert client.get(f"/meetings/consultations/hours/{hour.pk}/").status_code == 200
    html = client.get("/meetings/consultations/").content.decode()
    assert f"/meetings/consultations/{hour.pk}/book/?start=" in html

    client.force_login(world.analyst)
    for path in ("/meetings/", "/meetings/consultations/", "/meetings/calendar/", "/meetings/schedule/"):
        assert client.get(path).status_code == 403, path


def test_the_periodic_commands(world):
    from io import StringIO

    from django.core.management import call_command

    from ketenplan.meetings.models import Meeting

    series = team(world)
    Meeting.objects.filter(series=series).delete()
    out = StringIO()
    call_command("schedule_meetings", stdout=out)
    assert series.meetings.count() >= 5 and "meeting(s) created" in out.getvalue()
    call_command("send_consultation_reminders", stdout=out)
    assert "0 reminder(s) queued." in out.getvalue()


def test_cancelling_a_meeting_tells_the_invited_calendars(
    client, world, smtp_sink, django_capture_on_commit_callbacks
):
    import icalendar

    from ketenplan.meetings import services

    series = team(world)
    meeting = series.meetings.order_by("starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    assert len(smtp_sink.wait_for(3)) == 3  # the invitations of the three delegates
    smtp_sink.clear()
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/meetings/{meeting.pk}/cancel/", CONFIRMED).status_code == 302
    messages = smtp_sink.wait_for(3)
    ics = next(p for p in messages[0].iter_attachments() if p.get_content_type() == "text/calendar")
    cal = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    (event,) = cal.walk("VEVENT")
    assert cal["method"] == "CANCEL" and event["status"] == "CANCELLED" and int(event["sequence"]) == 1
    assert event["uid"] == f"meeting-{meeting.pk}@127.0.0.1:8000"
