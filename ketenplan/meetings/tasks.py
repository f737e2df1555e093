"""E-mail of meetings, consultations and escalations, sent by the tasks worker.

Services queue these *on commit*. E-mail leaves the protected platform, so messages hold
no personal data of families: a case appears only by its reference, the rest is behind a
link that asks the reader to sign in and passes the access policy again. Invitations
carry an iCalendar attachment.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from . import ical
from .models import Attendance, Booking, Escalation, Meeting, MinutesVersion, SteeringMember


def _link(name: str, *args) -> str:
    return f"{settings.BASE_URL}{reverse(name, args=args)}"


def _send(
    *,
    to: list[str],
    template: str,
    context: dict,
    ics: bytes | None = None,
    method: str = "REQUEST",
    zone: str | None = None,
) -> None:
    """Render in the site's language and, for times, the event's own time zone."""
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE), timezone.override(zone or settings.TIME_ZONE):
        subject = " ".join(render_to_string(f"meetings/email/{template}_subject.txt", context).split())
        body = render_to_string(f"meetings/email/{template}_body.txt", context)
    message = EmailMessage(subject=subject, body=body, to=to)
    if ics is not None:
        message.attach("invitation.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    message.send()


def _meeting_ics(meeting: Meeting) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return ical.to_ical([ical.meeting_event(meeting)], method="REQUEST")


def _meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_related("series", "case", "region").get(pk=meeting_id)


@task()
def send_meeting_invitations(meeting_id: int, professional_ids: list[int] | None = None) -> None:
    """The agenda is ready (or a crisis consultation was called): invite the attendees."""
    meeting = _meeting(meeting_id)
    attendances = meeting.attendances.filter(status=Attendance.Status.EXPECTED).select_related("professional")
    if professional_ids is not None:
        attendances = attendances.filter(professional_id__in=professional_ids)
    ics = _meeting_ics(meeting)
    template = "crisis_invitation" if meeting.is_crisis else "meeting_invitation"
    for attendance in attendances:
        _send(
            to=[attendance.professional.email],
            template=template,
            context={
                "meeting": meeting,
                "attendance": attendance,
                "professional": attendance.professional,
                "link": _link("meetings:detail", meeting.pk),
                "packet_link": _link("meetings:packet", meeting.pk),
            },
            ics=ics,
            zone=meeting.time_zone,
        )


@task()
def send_meeting_cancellation(meeting_id: int) -> None:
    """The meeting is cancelled: calendars that got the invitation remove it."""
    meeting = _meeting(meeting_id)
    with translation.override(settings.LANGUAGE_CODE):
        ics = ical.to_ical([ical.meeting_event(meeting)], method="CANCEL")
    attendances = meeting.attendances.filter(status=Attendance.Status.EXPECTED).select_related("professional")
    for attendance in attendances:
        _send(
            to=[attendance.professional.email],
            template="meeting_cancelled",
            context={"meeting": meeting, "professional": attendance.professional},
            ics=ics,
            method="CANCEL",
            zone=meeting.time_zone,
        )


@task()
def send_minutes(minutes_id: int) -> None:
    """Approved minutes: tell every attendee; the minutes are read behind sign-in."""
    minutes = MinutesVersion.objects.select_related("meeting__series", "meeting__case").get(pk=minutes_id)
    meeting = minutes.meeting
    recipients = (
        meeting.attendances.exclude(status=Attendance.Status.STANDBY)
        .select_related("professional")
        .order_by("professional__email")
    )
    for attendance in recipients:
        _send(
            to=[attendance.professional.email],
            template="minutes",
            zone=meeting.time_zone,
            context={
                "meeting": meeting,
                "minutes": minutes,
                "professional": attendance.professional,
                "link": _link("meetings:minutes", meeting.pk),
            },
        )
    MinutesVersion.objects.filter(pk=minutes.pk).update(sent_at=timezone.now())


@task()
def send_escalation_notice(escalation_id: int) -> None:
    escalation = Escalation.objects.select_related("case", "raised_by").get(pk=escalation_id)
    members = SteeringMember.objects.filter(region_id=escalation.region_id).select_related("professional")
    for member in members:
        _send(
            to=[member.professional.email],
            template="escalation",
            context={
                "escalation": escalation,
                "professional": member.professional,
                "link": _link("meetings:escalation", escalation.pk),
            },
        )


def _booking(booking_id: int) -> Booking:
    return Booking.objects.select_related("slot__hour", "slot__hour__organisation").get(pk=booking_id)


def _booking_ics(booking: Booking, *, for_staff: bool = False, method: str = "REQUEST") -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return ical.to_ical([ical.booking_event(booking, for_staff=for_staff)], method=method)


@task()
def send_booking_confirmation(booking_id: int) -> None:
    booking = _booking(booking_id)
    context = {"booking": booking, "slot": booking.slot, "hour": booking.slot.hour}
    zone = booking.slot.hour.time_zone
    _send(
        to=[booking.email],
        template="booking_confirmation",
        context=context,
        ics=_booking_ics(booking),
        zone=zone,
    )
    staff = list(booking.slot.hour.staff.filter(is_active=True).values_list("email", flat=True))
    _send(
        to=staff,
        template="booking_staff",
        zone=zone,
        context={**context, "link": _link("meetings:consultation_signups")},
        ics=_booking_ics(booking, for_staff=True),
    )


@task()
def send_booking_reminder(booking_id: int) -> None:
    booking = _booking(booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return
    _send(
        to=[booking.email],
        template="booking_reminder",
        zone=booking.slot.hour.time_zone,
        context={"booking": booking, "slot": booking.slot, "hour": booking.slot.hour},
        ics=_booking_ics(booking),
    )


@task()
def send_booking_cancellation(booking_id: int) -> None:
    booking = _booking(booking_id)
    context = {"booking": booking, "slot": booking.slot, "hour": booking.slot.hour}
    _send(
        to=[booking.email],
        template="booking_cancelled",
        zone=booking.slot.hour.time_zone,
        context=context,
        ics=_booking_ics(booking, method="CANCEL"),
        method="CANCEL",
    )
