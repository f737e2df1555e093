"""Who may see and do what with meetings, consultations and escalations (registered into
``ketenplan.core.policy``; imported from ``MeetingsConfig.ready``).

* A team meeting is seen by its attendees and the coordinators of its region; a crisis
  consultation by its invitees, whoever called it, and coordinators of organisations that
  take part in its case. Everybody else gets "not found".
* Seeing a meeting is not seeing its cases: every agenda item, packet entry and minute
  about a case passes the case rules (``case.view``) again, per viewer.
* The coordinator prepares the agenda and keeps the minutes; the chair approves them.
* A case director (or the coordinator standing in, i.e. ``case.direct``) calls a crisis
  consultation and escalates; the steering group of the region handles escalations.
* Anyone who works on cases signs up for a consultation hour; its staff see the sign-ups.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from ketenplan.accounts.models import Role
from ketenplan.cases.models import Participation, Stage
from ketenplan.cases.policy import WORKS_ON_CASES
from ketenplan.core import policy
from ketenplan.core.policy import rule, scope_rule

from .models import Attendance, ConsultationHour, Escalation, Meeting, SteeringMember


def region_id_of(user) -> int | None:
    if user.organisation_id is None:
        return None
    return user.organisation.region_id


def works_on_cases(user) -> bool:
    return user.organisation_id is not None and user.has_role(*WORKS_ON_CASES)


def is_coordinator(user) -> bool:
    return user.organisation_id is not None and user.has_role(Role.COORDINATOR)


def is_steering(user, region_id: int | None = None) -> bool:
    """Whether the user sits in a steering group (of ``region_id`` when given)."""
    cache = getattr(user, "_steering_regions", None)
    if cache is None:
        cache = frozenset(
            SteeringMember.objects.filter(professional=user).values_list("region_id", flat=True)
        )
        user._steering_regions = cache
    return bool(cache) if region_id is None else region_id in cache


def _takes_part(user, case_id) -> bool:
    return Participation.objects.filter(
        case_id=case_id, organisation_id=user.organisation_id, until__isnull=True
    ).exists()


def attends(user, meeting) -> bool:
    cached = getattr(meeting, "viewer_attends", None)
    if cached is not None:
        return bool(cached)
    return Attendance.objects.filter(meeting=meeting, professional=user).exists()


# --- Meetings ----------------------------------------------------------------------------


@rule("meetings.use")
def can_use(user, obj) -> bool:
    """View-level gate of the meeting pages; object checks happen in the selectors."""
    return works_on_cases(user) or is_steering(user)


@rule("meetings.manage")
def can_manage(user, obj) -> bool:
    """The coordinator: schedule, agenda, attendance, minutes. ``obj``: a meeting, a
    schedule, or nothing (the page gate)."""
    if isinstance(obj, Meeting) and obj.kind == Meeting.Kind.CRISIS:
        # Whoever called the consultation (a case director), or a coordinator in the case.
        if obj.called_by_id == user.pk:
            return works_on_cases(user)
        return is_coordinator(user) and _takes_part(user, obj.case_id)
    if not is_coordinator(user):
        return False
    if obj is None:
        return True
    return getattr(obj, "region_id", None) == region_id_of(user)


@rule("meetings.view")
def can_view(user, meeting) -> bool:
    if meeting is None or not can_use(user, None):
        return False
    if attends(user, meeting) or meeting.called_by_id == user.pk:
        return True
    if not is_coordinator(user):
        return False
    if meeting.kind == Meeting.Kind.TEAM:
        return meeting.region_id == region_id_of(user)
    return _takes_part(user, meeting.case_id)


@scope_rule("meetings.view")
def visible_meetings(user, queryset):
    if not can_use(user, None):
        return queryset.none()
    condition = Q(Exists(Attendance.objects.filter(meeting=OuterRef("pk"), professional=user))) | Q(
        called_by=user
    )
    if is_coordinator(user):
        condition |= Q(kind=Meeting.Kind.TEAM, region_id=region_id_of(user))
        condition |= Q(
            Exists(
                Participation.objects.filter(
                    case=OuterRef("case"), organisation_id=user.organisation_id, until__isnull=True
                )
            ),
            kind=Meeting.Kind.CRISIS,
        )
    return queryset.filter(condition)


@rule("meetings.chair")
def can_chair(user, meeting) -> bool:
    """Approve the minutes: the chair; without a chair, whoever manages the meeting."""
    if meeting is None or not can_view(user, meeting):
        return False
    if meeting.chair_id is not None:
        return meeting.chair_id == user.pk
    return can_manage(user, meeting)


@rule("meetings.read_packet")
def can_read_packet(user, meeting) -> bool:
    """The preparation packet: the attendees, and the coordinator who prepares it."""
    return meeting is not None and (attends(user, meeting) or can_manage(user, meeting))


# --- Crisis consultations and escalations -------------------------------------------------


@rule("meetings.call_crisis")
def can_call_crisis(user, case) -> bool:
    return case is not None and case.stage != Stage.CLOSED and policy.can(user, "case.direct", case)


@rule("meetings.escalate")
def can_escalate(user, case) -> bool:
    return case is not None and case.stage != Stage.CLOSED and policy.can(user, "case.direct", case)


@rule("meetings.view_escalations")
def can_view_escalations(user, obj) -> bool:
    return works_on_cases(user) or is_steering(user)


@rule("meetings.handle_escalation")
def can_handle_escalation(user, escalation) -> bool:
    if escalation is None:
        return is_steering(user)
    return escalation.status == Escalation.Status.OPEN and is_steering(user, escalation.region_id)


@scope_rule("meetings.view_escalation")
def visible_escalations(user, queryset):
    """The steering group sees its region's escalations (what is blocked and why, the
    case's reference); coordinators those of cases they take part in; a case director
    those they raised and those of the cases they direct now (a successor takes over)."""
    if not can_view_escalations(user, None):
        return queryset.none()
    condition = Q(raised_by=user) | Q(case__case_director=user)
    regions = getattr(user, "_steering_regions", None)
    if regions is None:
        is_steering(user)
        regions = user._steering_regions
    if regions:
        condition |= Q(region_id__in=regions)
    if is_coordinator(user):
        condition |= Q(
            Exists(
                Participation.objects.filter(
                    case=OuterRef("case"), organisation_id=user.organisation_id, until__isnull=True
                )
            )
        )
    return queryset.filter(condition)


# --- Consultation hours ------------------------------------------------------------------


def works_as_professional(user) -> bool:
    """A professional of an organisation with a role beyond statistics."""
    return user.organisation_id is not None and bool(user.roles - {Role.ANALYST})


@rule("consultations.book")
def can_book(user, obj) -> bool:
    """Any professional may sign up (analysts hold statistics only)."""
    return works_as_professional(user)


@rule("consultations.manage")
def can_manage_hours(user, hour) -> bool:
    if not is_coordinator(user):
        return False
    return hour is None or hour.region_id == region_id_of(user)


def staffs(user, hour: ConsultationHour) -> bool:
    return hour.staff.filter(pk=user.pk).exists()


@rule("consultations.staff")
def can_staff(user, hour) -> bool:
    """See the sign-ups and record advice: the hour's staff and the region's coordinators.
    Without an hour: whether the user staffs any hour or coordinates."""
    if hour is None:
        return is_coordinator(user) or ConsultationHour.objects.filter(staff=user).exists()
    return staffs(user, hour) or can_manage_hours(user, hour)


@rule("calendar.feed")
def can_have_feed(user, obj) -> bool:
    return works_as_professional(user)
