"""iCalendar (RFC 5545) for meetings, crisis consultations and consultation bookings.

Events carry their wall-clock time with the schedule's time zone (``TZID``) and a
``VTIMEZONE`` describing it, so a calendar program shows 14:00 on both sides of a
daylight-saving change. Summaries never hold personal data of families: "Operational
team meeting", "Crisis consultation case 2026-000123", "Consultation hour".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Ketenplan//Meetings//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_at: datetime  # aware, in the zone the event should be shown in
    ends_at: datetime
    sequence: int = 0
    location: str = ""
    url: str = ""
    description: str = ""
    cancelled: bool = False


def _absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def _host() -> str:
    return settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "ketenplan"


def meeting_event(meeting) -> CalendarEvent:
    if meeting.is_crisis:
        summary = _("Crisis consultation case %(reference)s") % {"reference": meeting.case.reference}
    else:
        summary = meeting.series.display_name if meeting.series_id else str(_("Operational team meeting"))
    location = meeting.video_url or meeting.location
    description_lines = []
    if meeting.video_url:
        description_lines.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    if meeting.location:
        description_lines.append(_("Location: %(place)s") % {"place": meeting.location})
    url = _absolute(reverse("meetings:detail", args=[meeting.pk]))
    description_lines.append(_("Agenda and preparation: %(url)s") % {"url": url})
    return CalendarEvent(
        uid=f"meeting-{meeting.pk}@{_host()}",
        summary=summary,
        starts_at=meeting.local_start,
        ends_at=meeting.local_end,
        sequence=meeting.sequence,
        location=location,
        url=url,
        description="\n".join(description_lines),
        cancelled=meeting.status == meeting.Status.CANCELLED,
    )


def booking_event(booking, *, for_staff: bool = False) -> CalendarEvent:
    """A sign-up for a consultation hour. The question is never in the calendar."""
    slot, hour = booking.slot, booking.slot.hour
    lines = []
    if hour.video_url:
        lines.append(_("Video link: %(url)s") % {"url": hour.video_url})
    if hour.kind == hour.Kind.PHONE:
        if for_staff:
            lines.append(_("Call %(name)s on %(phone)s.") % {"name": booking.name, "phone": booking.phone})
        elif hour.phone:
            lines.append(_("The specialist calls you, or call %(phone)s.") % {"phone": hour.phone})
    summary = hour.title if not for_staff else _("%(title)s: sign-up") % {"title": hour.title}
    return CalendarEvent(
        uid=f"booking-{booking.pk}@{_host()}",
        summary=str(summary),
        starts_at=slot.starts_at.astimezone(hour.zone),
        ends_at=slot.ends_at.astimezone(hour.zone),
        sequence=1 if booking.status == booking.Status.CANCELLED else 0,
        location=hour.video_url or hour.phone,
        description="\n".join(lines),
        cancelled=booking.status == booking.Status.CANCELLED,
    )


def to_ical(events: list[CalendarEvent], *, method: str = "PUBLISH", name: str = "") -> bytes:
    """One VCALENDAR with the events and the VTIMEZONEs they need."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    now = timezone.now().astimezone(UTC)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", item.summary)
        event.add("sequence", item.sequence)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("class", "CONFIDENTIAL")
        cal.add_component(event)
    if events:
        first = min(e.starts_at for e in events).date()
        last = max(e.ends_at for e in events).date()
        cal.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    else:
        today = timezone.localdate()
        cal.add_missing_timezones(first_date=today, last_date=today + timedelta(days=1))
    return cal.to_ical()
