"""The operational team's schedule, its members, the meetings and who attends them."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.accounts.models import Organisation
from ketenplan.audit.services import audit_record
from ketenplan.cases.policy import WORKS_ON_CASES
from ketenplan.core import policy

from .. import recurrence
from ..models import (
    DEFAULT_CONFIDENTIALITY_STATEMENT,
    Attendance,
    Meeting,
    MeetingSeries,
    SeriesMember,
    validate_time_zone,
)

#: How far ahead the meetings of a schedule exist as rows (they show in calendars).
SCHEDULE_WEEKS_AHEAD = 12
ALLOWED_WEEKS = {1, 2, 3, 4, 5, -1}


def _clean_series(values: dict) -> dict:
    errors = {}
    recurrence_kind = values.get("recurrence") or MeetingSeries.Recurrence.WEEKS_OF_MONTH
    if recurrence_kind not in MeetingSeries.Recurrence.values:
        errors["recurrence"] = _("Choose how the meeting repeats.")
    weeks = sorted({int(w) for w in values.get("weeks_of_month") or []})
    if recurrence_kind == MeetingSeries.Recurrence.WEEKS_OF_MONTH:
        if not weeks:
            errors["weeks_of_month"] = _("Choose at least one week of the month.")
        elif not set(weeks) <= ALLOWED_WEEKS:
            errors["weeks_of_month"] = _("Weeks of the month are 1 to 5, or the last week.")
    interval = values.get("interval_weeks") or 2
    if recurrence_kind == MeetingSeries.Recurrence.INTERVAL:
        if not 1 <= int(interval) <= 12:
            errors["interval_weeks"] = _("Choose every 1 to 12 weeks.")
        if not values.get("anchor_date"):
            errors["anchor_date"] = _("Give the date of one meeting, so the schedule knows its rhythm.")
    weekday = values.get("weekday")
    if weekday is None or not 0 <= int(weekday) <= 6:
        errors["weekday"] = _("Choose the day of the week.")
    if not isinstance(values.get("start_time"), time):
        errors["start_time"] = _("Give the time the meeting starts.")
    duration = values.get("duration_minutes") or 0
    if not 15 <= int(duration) <= 600:
        errors["duration_minutes"] = _("A meeting lasts between 15 minutes and 10 hours.")
    if not (values.get("location") or "").strip() and not (values.get("video_url") or "").strip():
        errors["location"] = _("Give a location or a video link.")
    zone = values.get("time_zone") or timezone.get_default_timezone_name()
    try:
        validate_time_zone(zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {
        "name": (values.get("name") or "").strip(),
        "weekday": int(weekday),
        "start_time": values["start_time"],
        "duration_minutes": int(duration),
        "recurrence": recurrence_kind,
        "weeks_of_month": weeks,
        "interval_weeks": int(interval),
        "anchor_date": values.get("anchor_date"),
        "time_zone": zone,
        "location": (values.get("location") or "").strip(),
        "video_url": (values.get("video_url") or "").strip(),
        "confidentiality_statement": (values.get("confidentiality_statement") or "").strip()
        or str(DEFAULT_CONFIDENTIALITY_STATEMENT),
        "chair": values.get("chair"),
    }


@transaction.atomic
def series_save(*, actor, series: MeetingSeries | None = None, request=None, **values) -> MeetingSeries:
    """Create or change the operational team's schedule of the coordinator's region, and
    bring the coming meetings in line with it."""
    policy.require(actor, "meetings.manage")
    region = actor.organisation.region
    cleaned = _clean_series(values)
    chair = cleaned["chair"]
    if chair is not None and (chair.organisation_id is None or chair.organisation.region_id != region.pk):
        raise ValidationError({"chair": _("The chair works in another region.")})
    if series is None:
        if MeetingSeries.objects.filter(region=region, is_active=True).exists():
            raise ValidationError(_("Your region already has a meeting schedule: change that one."))
        series = MeetingSeries.objects.create(region=region, created_by=actor, **cleaned)
        action = "meetings.series_created"
    else:
        policy.require(actor, "meetings.manage", series)
        for field, value in cleaned.items():
            setattr(series, field, value)
        series.save()
        action = "meetings.series_changed"
    audit_record(action=action, actor=actor, request=request, obj=series)
    meetings_schedule(series=series)
    return series


def _attendance_for(member: SeriesMember) -> dict:
    delegate = member.role == SeriesMember.Role.DELEGATE
    return {
        "organisation_id": member.organisation_id,
        "role": Attendance.Role.DELEGATE if delegate else Attendance.Role.SUBSTITUTE,
        "status": Attendance.Status.EXPECTED if delegate else Attendance.Status.STANDBY,
    }


def meetings_schedule(*, series: MeetingSeries, today: date | None = None) -> list[Meeting]:
    """Make the meetings of the coming weeks exist, with their expected attendance.

    Idempotent. Meetings whose date left the schedule disappear while their agenda is
    not prepared; a prepared one stays (the coordinator cancels it deliberately).
    Call inside a transaction.
    """
    today = today or timezone.localdate()
    end = today + timedelta(weeks=SCHEDULE_WEEKS_AHEAD)
    dates = recurrence.series_dates(series, start=today, end=end) if series.is_active else []
    now = timezone.now()
    # The planned meetings inside the window; those outside it are left alone.
    future = {
        m.local_start.date(): m
        for m in Meeting.objects.filter(series=series, starts_at__gte=now, status=Meeting.Status.PLANNED)
        if today <= m.local_start.date() <= end
    }
    members = list(series.members.all())
    created: list[Meeting] = []
    for day in dates:
        starts = recurrence.local_datetime(day, series.start_time, series.time_zone)
        if starts < now:
            continue
        ends = starts + timedelta(minutes=series.duration_minutes)
        meeting = future.pop(day, None)
        if meeting is None:
            meeting = Meeting.objects.create(
                region_id=series.region_id,
                series=series,
                kind=Meeting.Kind.TEAM,
                starts_at=starts,
                ends_at=ends,
                time_zone=series.time_zone,
                location=series.location,
                video_url=series.video_url,
                chair=series.chair,
            )
            Attendance.objects.bulk_create(
                Attendance(meeting=meeting, professional_id=m.professional_id, **_attendance_for(m))
                for m in members
            )
            created.append(meeting)
            continue
        changed = (
            meeting.starts_at != starts
            or meeting.ends_at != ends
            or meeting.location != series.location
            or meeting.video_url != series.video_url
            or meeting.time_zone != series.time_zone
        )
        if changed:
            Meeting.objects.filter(pk=meeting.pk).update(
                starts_at=starts,
                ends_at=ends,
                location=series.location,
                video_url=series.video_url,
                time_zone=series.time_zone,
                sequence=meeting.sequence + 1,
            )
        if meeting.chair_id is None and series.chair_id is not None:
            Meeting.objects.filter(pk=meeting.pk).update(chair=series.chair)
    for meeting in future.values():
        if meeting.agenda_prepared_at is None and not meeting.minutes_versions.exists():
            meeting.delete()
    return created


def _check_member(series: MeetingSeries, professional) -> Organisation:
    organisation = professional.organisation
    if organisation is None or organisation.region_id != series.region_id:
        raise ValidationError(
            {"professional": _("%(name)s works in another region.") % {"name": professional}}
        )
    if organisation.ring != Organisation.Ring.CORE:
        raise ValidationError(
            {
                "professional": _(
                    "%(org)s is a network partner: the operational team consists of the core "
                    "partners. Invite network partners per case."
                )
                % {"org": organisation}
            }
        )
    if not organisation.has_signed_agreement:
        raise ValidationError(
            {"professional": _("%(org)s has not signed the cooperation agreement.") % {"org": organisation}}
        )
    if not professional.is_active or not professional.has_role(*WORKS_ON_CASES):
        raise ValidationError(
            {"professional": _("%(name)s has no role that works on cases.") % {"name": professional}}
        )
    return organisation


@transaction.atomic
def series_member_add(*, actor, series: MeetingSeries, professional, role: str, request=None) -> SeriesMember:
    """A delegate of a core partner, or a substitute who stands by when the delegate
    sends apologies. The coming meetings expect them too."""
    policy.require(actor, "meetings.manage", series)
    if role not in SeriesMember.Role.values:
        raise ValidationError({"role": _("Choose delegate or substitute.")})
    organisation = _check_member(series, professional)
    if SeriesMember.objects.filter(series=series, professional=professional).exists():
        raise ValidationError({"professional": _("%(name)s is already a member.") % {"name": professional}})
    member = SeriesMember.objects.create(
        series=series, professional=professional, organisation=organisation, role=role
    )
    upcoming = Meeting.objects.filter(
        series=series, starts_at__gte=timezone.now(), status=Meeting.Status.PLANNED
    ).exclude(attendances__professional=professional)
    Attendance.objects.bulk_create(
        Attendance(meeting=m, professional=professional, invited_by=actor, **_attendance_for(member))
        for m in upcoming
    )
    audit_record(
        action="meetings.member_added",
        actor=actor,
        request=request,
        obj=series,
        detail={"professional": professional.pk, "role": role},
    )
    return member


@transaction.atomic
def series_member_remove(*, actor, member: SeriesMember, request=None) -> None:
    series = member.series
    policy.require(actor, "meetings.manage", series)
    Attendance.objects.filter(
        meeting__series=series,
        meeting__starts_at__gte=timezone.now(),
        meeting__status=Meeting.Status.PLANNED,
        professional_id=member.professional_id,
        status__in=[Attendance.Status.EXPECTED, Attendance.Status.STANDBY],
    ).delete()
    audit_record(
        action="meetings.member_removed",
        actor=actor,
        request=request,
        obj=series,
        detail={"professional": member.professional_id},
    )
    member.delete()


def _own_attendance(actor, meeting: Meeting) -> Attendance:
    attendance = Attendance.objects.select_for_update().filter(meeting=meeting, professional=actor).first()
    if attendance is None:
        raise ValidationError(_("You are not expected at this meeting."))
    return attendance


def _refuse_when_over(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.ends_at <= timezone.now():
        raise ValidationError(_("This meeting is over."))


@transaction.atomic
def attendance_apologise(*, actor, meeting: Meeting, note: str = "", request=None) -> Attendance:
    """Send apologies. A delegate's first substitute of the same organisation is then
    expected instead (and invited once the agenda is out)."""
    from ..tasks import send_meeting_invitations

    policy.require(actor, "meetings.view", meeting)
    _refuse_when_over(meeting)
    attendance = _own_attendance(actor, meeting)
    if attendance.status == Attendance.Status.APOLOGISED:
        raise ValidationError(_("You already sent apologies for this meeting."))
    attendance.status = Attendance.Status.APOLOGISED
    attendance.apology_note = note.strip()[:300]
    attendance.save(update_fields=["status", "apology_note"])
    substitute = None
    if attendance.role == Attendance.Role.DELEGATE:
        substitute = (
            Attendance.objects.select_for_update()
            .filter(
                meeting=meeting, organisation_id=attendance.organisation_id, status=Attendance.Status.STANDBY
            )
            .order_by("pk")
            .first()
        )
        if substitute is not None:
            substitute.status = Attendance.Status.EXPECTED
            substitute.save(update_fields=["status"])
            if meeting.agenda_prepared_at is not None:
                ids = [substitute.professional_id]
                transaction.on_commit(lambda: send_meeting_invitations.enqueue(meeting.pk, ids))
    audit_record(
        action="meetings.apologised",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"substitute": substitute.professional_id if substitute else None},
    )
    return attendance


@transaction.atomic
def attendance_record(
    *, actor, meeting: Meeting, attendance: Attendance, status: str, request=None
) -> Attendance:
    """The coordinator records who was there."""
    policy.require(actor, "meetings.manage", meeting)
    if attendance.meeting_id != meeting.pk:
        raise ValidationError(_("This professional is not on the list of this meeting."))
    if status not in (Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.APOLOGISED):
        raise ValidationError({"status": _("Choose present, absent or sent apologies.")})
    if meeting.starts_at - timedelta(hours=1) > timezone.now():
        raise ValidationError(_("Attendance is recorded when the meeting takes place."))
    attendance.status = status
    attendance.save(update_fields=["status"])
    audit_record(
        action="meetings.attendance_recorded",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"professional": attendance.professional_id, "status": status},
    )
    return attendance


@transaction.atomic
def confidentiality_confirm(*, actor, meeting: Meeting, request=None) -> Attendance:
    """The attendee confirms the confidentiality statement; only then the preparation
    packet opens. A coordinator preparing a meeting they do not attend confirms too."""
    policy.require(actor, "meetings.read_packet", meeting)
    attendance = Attendance.objects.select_for_update().filter(meeting=meeting, professional=actor).first()
    if attendance is None:
        attendance = Attendance.objects.create(
            meeting=meeting,
            professional=actor,
            organisation_id=actor.organisation_id,
            role=Attendance.Role.INVITED,
            status=Attendance.Status.STANDBY,
            invited_by=actor,
        )
    if attendance.confidentiality_confirmed_at is None:
        attendance.confidentiality_confirmed_at = timezone.now()
        attendance.save(update_fields=["confidentiality_confirmed_at"])
        audit_record(action="meetings.confidentiality_confirmed", actor=actor, request=request, obj=meeting)
    return attendance


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, request=None) -> Meeting:
    """Cancel a planned meeting; attendees who were invited get a calendar cancellation."""
    from ..tasks import send_meeting_cancellation

    policy.require(actor, "meetings.manage", meeting)
    _refuse_when_over(meeting)
    if meeting.minutes_versions.exists():
        raise ValidationError(_("This meeting has minutes; it cannot be cancelled."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    audit_record(action="meetings.cancelled", actor=actor, request=request, obj=meeting)
    if meeting.agenda_prepared_at is not None:  # the invitations went out
        transaction.on_commit(lambda: send_meeting_cancellation.enqueue(meeting.pk))
    return meeting
