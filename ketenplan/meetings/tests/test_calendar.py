"""iCalendar output parses with a real parser and keeps the wall-clock time across
daylight-saving changes; the private feed holds no family data and can be revoked."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from django.utils import timezone

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.meetings import ical, services
from ketenplan.meetings.models import Meeting
from ketenplan.meetings.recurrence import local_datetime, series_dates

from .factories import team

pytestmark = pytest.mark.django_db
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def parse(body: bytes):
    cal = icalendar.Calendar.from_ical(body)
    return cal, list(cal.walk("VEVENT"))


def test_the_last_sunday_across_both_daylight_saving_changes(world):
    # The last Sunday of March and of October is the very day the clocks change.
    series = team(world, weekday=6, weeks_of_month=[-1], start_time=time(10, 0), duration_minutes=60)
    services.meetings_schedule(series=series, today=date(2027, 2, 20))  # Feb 28, Mar 28, Apr 25
    services.meetings_schedule(series=series, today=date(2027, 9, 20))  # Sep 26, Oct 31, Nov 28
    meetings = list(Meeting.objects.filter(series=series, starts_at__year=2027).order_by("starts_at"))
    days = [m.local_start.date() for m in meetings]
    for day in (date(2027, 2, 28), date(2027, 3, 28), date(2027, 10, 31), date(2027, 11, 28)):
        assert day in days

    body = ical.to_ical([ical.meeting_event(m) for m in meetings], method="PUBLISH")
    cal, events = parse(body)
    assert cal["method"] == "PUBLISH"
    starts = {e.decoded("dtstart").date(): e.decoded("dtstart") for e in events}
    utc_hours = {day: starts[day].astimezone(UTC).hour for day in starts}
    assert utc_hours[date(2027, 2, 28)] == 9  # CET, UTC+1
    assert utc_hours[date(2027, 3, 28)] == 8  # CEST from 02:00 that morning, UTC+2
    assert utc_hours[date(2027, 10, 31)] == 9  # back to CET at 03:00 that morning
    assert utc_hours[date(2027, 9, 26)] == 8
    for start in starts.values():
        assert start.astimezone(BRUSSELS).time() == time(10, 0)
    for event in events:
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
        assert event["dtstart"].params["TZID"] == "Europe/Brussels"

    # A calendar program that only reads the VTIMEZONE of the file gets the same instants.
    vtimezone = next(iter(cal.walk("VTIMEZONE")))
    assert vtimezone["tzid"] == "Europe/Brussels"
    from_file = vtimezone.to_tz(lookup_tzid=False)
    for day, start in starts.items():
        wall = datetime.combine(day, time(10, 0))
        assert wall.replace(tzinfo=from_file).astimezone(UTC) == start.astimezone(UTC), day
    assert b"DTSTART;TZID=Europe/Brussels:20270328T100000" in body


def test_wall_clock_times_in_the_gap_and_the_overlap():
    spring = local_datetime(date(2027, 3, 28), time(2, 30), "Europe/Brussels")  # does not exist
    assert spring.astimezone(BRUSSELS).time() == time(3, 30)
    autumn = local_datetime(date(2027, 10, 31), time(2, 30), "Europe/Brussels")  # exists twice
    assert autumn.astimezone(UTC).time() == time(0, 30)  # the first one, still summer time


def test_every_second_and_fourth_week_and_every_other_week():
    class Rule:
        weekday, recurrence, weeks_of_month, interval_weeks, anchor_date = (
            1,
            "weeks_of_month",
            [2, 4],
            2,
            None,
        )

    days = series_dates(Rule, start=date(2027, 1, 1), end=date(2027, 2, 28))
    assert days == [date(2027, 1, 12), date(2027, 1, 26), date(2027, 2, 9), date(2027, 2, 23)]
    Rule.recurrence, Rule.anchor_date, Rule.interval_weeks = "interval", date(2027, 1, 5), 3
    assert series_dates(Rule, start=date(2027, 1, 10), end=date(2027, 2, 28)) == [
        date(2027, 1, 26),
        date(2027, 2, 16),
    ]


def test_crisis_invitation_by_email_with_calendar_attachment(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    case = case_at(world, Stage.EXECUTION, family_label="Family Crisis")
    starts = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.crisis_call(
            actor=world.case_director,
            case=case,
            starts_at=starts,
            video_url="https://video.example/crisis-1",
            reason="The father was released this morning.",
            invitees=[world.referrer, world.team_member],
        )
    messages = smtp_sink.wait_for(3)
    assert sorted(r for env in smtp_sink.envelopes for r in env.rcpt_tos) == sorted(
        [world.case_director.email, world.referrer.email, world.team_member.email]
    )
    message = messages[0]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://video.example/crisis-1" in text and case.reference in text
    assert "Family Crisis" not in text and "released" not in text
    attachment = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    cal, events = parse(attachment.get_payload(decode=True))
    assert cal["method"] == "REQUEST"
    (event,) = events
    assert str(event["summary"]) == f"Crisis consultation case {case.reference}"
    assert event.decoded("dtstart").astimezone(UTC) == starts.astimezone(UTC)
    assert "Family Crisis" not in attachment.get_payload(decode=True).decode()
    assert meeting.attendances.count() == 3


def test_the_private_feed_holds_no_family_data_and_can_be_revoked(client, world):
    case = case_at(world, Stage.EXECUTION, family_label="Family Feed")
    team(world)  # the team's coming meetings
    services.crisis_call(
        actor=world.coordinator,
        case=case,
        starts_at=timezone.now() + timedelta(hours=2),
        video_url="https://video.example/c",
        reason="Threats by phone.",
        invitees=[world.referrer],
    )
    client.force_login(world.referrer)
    page = client.post("/meetings/calendar/", {"action": "create"}, follow=True)
    assert page.redirect_chain == [("/meetings/calendar/", 302)]  # Post/Redirect/Get
    html = page.content.decode()
    start = html.index("/meetings/calendar/feed/")
    path = html[start : html.index(".ics", start) + 4]
    client.logout()

    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    _cal, events = parse(body)
    summaries = [str(e["summary"]) for e in events]
    assert f"Crisis consultation case {case.reference}" in summaries
    assert summaries.count("Operational team meeting") >= 5  # twelve weeks of meetings
    text = body.decode()
    assert "Family Feed" not in text and "Threats" not in text
    for member in case.members.all():
        assert member.person.family_name not in text

    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    client.force_login(world.referrer)
    asked = client.post("/meetings/calendar/", {"action": "renew"})
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.content.decode()
    client.get(path)
    client.post("/meetings/calendar/", {"action": "renew", "confirmed": "yes"})
    client.logout()
    assert client.get(path).status_code == 404  # the old link stopped working
    client.force_login(world.referrer)
    client.post("/meetings/calendar/", {"action": "revoke", "confirmed": "yes"})
    from ketenplan.meetings.models import CalendarFeed

    assert not CalendarFeed.objects.filter(professional=world.referrer, revoked_at__isnull=True).exists()


def test_meeting_invitation_download_parses(client, world):
    series = team(world)
    meeting = series.meetings.order_by("starts_at").first()
    client.force_login(world.team_member)
    response = client.get(f"/meetings/{meeting.pk}/invitation.ics")
    assert response.status_code == 200
    _cal, (event,) = parse(response.content)
    assert event.decoded("dtstart").astimezone(BRUSSELS).time() == time(14, 0)
    assert str(event["location"]) == "https://video.example/operational-team"
