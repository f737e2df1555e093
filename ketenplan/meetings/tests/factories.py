"""Starting data for meeting tests, on top of ``cases.tests.factories.make_world``.

``team(world)`` gives the region's schedule (second and fourth Tuesday at 14:00) with the
coordinator, the police (referrer) and welfare (team member) as delegates and the
welfare case director as substitute. ``meeting_now(world, series)`` is a meeting that is
taking place (started half an hour ago), so minutes can be kept.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from ketenplan.meetings import services
from ketenplan.meetings.models import Attendance, Meeting, SeriesMember


def team(world, **overrides):
    values = {
        "weekday": 1,
        "start_time": time(14, 0),
        "duration_minutes": 120,
        "recurrence": "weeks_of_month",
        "weeks_of_month": [2, 4],
        "location": "Family Justice Center, room 2",
        "video_url": "https://video.example/operational-team",
        "chair": world.coordinator,
    }
    values.update(overrides)
    series = services.series_save(actor=world.coordinator, **values)
    for person, role in [
        (world.coordinator, SeriesMember.Role.DELEGATE),
        (world.referrer, SeriesMember.Role.DELEGATE),
        (world.team_member, SeriesMember.Role.DELEGATE),
        (world.case_director, SeriesMember.Role.SUBSTITUTE),
    ]:
        services.series_member_add(actor=world.coordinator, series=series, professional=person, role=role)
    return series


def meeting_at(world, series, starts_at, *, minutes: int = 120) -> Meeting:
    """A team meeting of ``series`` at ``starts_at``, with the team's attendance."""
    meeting = Meeting.objects.create(
        region=world.region,
        series=series,
        kind=Meeting.Kind.TEAM,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        time_zone=series.time_zone,
        location=series.location,
        video_url=series.video_url,
        chair=series.chair,
    )
    for member in series.members.all():
        delegate = member.role == SeriesMember.Role.DELEGATE
        Attendance.objects.create(
            meeting=meeting,
            professional=member.professional,
            organisation=member.organisation,
            role=Attendance.Role.DELEGATE if delegate else Attendance.Role.SUBSTITUTE,
            status=Attendance.Status.EXPECTED if delegate else Attendance.Status.STANDBY,
        )
    return meeting


def meeting_now(world, series, *, started_minutes_ago: int = 30) -> Meeting:
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=started_minutes_ago)
    return meeting_at(world, series, start)


def confirm(meeting, *people):
    for person in people:
        services.confidentiality_confirm(actor=person, meeting=meeting)
