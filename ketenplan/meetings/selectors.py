"""Reads of meetings, agendas, minutes, escalations and consultation hours, always from
the access policy's scope. Anything about a case is narrowed per viewer with the case
rules (``visible_cases``): seeing a meeting is not seeing its cases."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.cases.models import Case
from ketenplan.cases.policy import WORKS_ON_CASES
from ketenplan.cases.selectors import visible_cases
from ketenplan.core import policy

from . import ical, recurrence
from .agenda import EXPLANATIONS
from .models import (
    ActionReview,
    AgendaItem,
    Attendance,
    Booking,
    CalendarFeed,
    ConsultationHour,
    ConsultationSlot,
    Decision,
    Escalation,
    Meeting,
    MeetingSeries,
    MinutesVersion,
    SeriesMember,
)
from .services.consultations import BOOKING_HORIZON_WEEKS

# --- Meetings ----------------------------------------------------------------------------


def visible_meetings(*, user) -> QuerySet[Meeting]:
    """The meetings the user may open, marked with whether the user attends."""
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), professional=user)
    return policy.scope(user, "meetings.view", Meeting.objects.all()).annotate(viewer_attends=Exists(attends))


def meeting_list(*, user, past: bool | None = False) -> QuerySet[Meeting]:
    """Coming meetings (``past=False``), earlier ones (``True``) or all of them (``None``)."""
    now = timezone.now()
    qs = visible_meetings(user=user).select_related("series", "case")
    if past is None:
        return qs.order_by("starts_at")
    if past:
        return qs.filter(ends_at__lt=now).order_by("-starts_at")
    return qs.filter(ends_at__gte=now).order_by("starts_at")


def meeting_get(*, user, pk) -> Meeting:
    try:
        return (
            visible_meetings(user=user)
            .select_related("series", "case", "region", "chair", "called_by")
            .get(pk=pk)
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def series_of_region(*, user) -> MeetingSeries | None:
    policy.require(user, "meetings.manage")
    return (
        MeetingSeries.objects.filter(region_id=user.organisation.region_id, is_active=True)
        .select_related("chair")
        .first()
    )


def series_members(*, series: MeetingSeries) -> list[SeriesMember]:
    return list(series.members.select_related("professional", "organisation"))


def member_candidates(*, user, series: MeetingSeries) -> QuerySet[Professional]:
    """Professionals of the region's core partners who work on cases and are not yet in
    the team."""
    policy.require(user, "meetings.manage", series)
    return (
        Professional.objects.filter(
            is_active=True,
            organisation__region_id=series.region_id,
            organisation__ring=Organisation.Ring.CORE,
            organisation__agreement_signed_on__isnull=False,
            role_grants__role__in=WORKS_ON_CASES,
        )
        .exclude(meeting_memberships__series=series)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "full_name")
    )


def chair_candidates(*, user) -> QuerySet[Professional]:
    policy.require(user, "meetings.manage")
    return (
        Professional.objects.filter(is_active=True, organisation__region_id=user.organisation.region_id)
        .filter(role_grants__role__in=WORKS_ON_CASES)
        .select_related("organisation")
        .distinct()
        .order_by("full_name")
    )


def meeting_attendances(*, user, meeting: Meeting) -> list[Attendance]:
    policy.require(user, "meetings.view", meeting)
    return list(meeting.attendances.select_related("professional", "organisation"))


def attendance_of(*, user, meeting: Meeting) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, professional=user).first()


def has_confirmed_confidentiality(*, user, meeting: Meeting) -> bool:
    return Attendance.objects.filter(
        meeting=meeting, professional=user, confidentiality_confirmed_at__isnull=False
    ).exists()


# --- The agenda as one viewer sees it -------------------------------------------------------


@dataclass
class AgendaEntry:
    item: AgendaItem
    visible: bool  # the viewer may see the item's case (or it is a topic)
    case: Case | None = None
    explanation: str = ""
    decisions: list = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return self.item.get_kind_display()


def visible_case_ids(*, user, case_ids) -> set[int]:
    """Which of these cases the viewer may see (one query)."""
    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return set()
    return set(visible_cases(user=user).filter(pk__in=ids).values_list("pk", flat=True))


def agenda_for_viewer(*, user, meeting: Meeting, removed: bool = False) -> list[AgendaEntry]:
    """The agenda in its order; per item whether the viewer may see its case. Two
    queries, whatever the number of items."""
    policy.require(user, "meetings.view", meeting)
    items = list(
        AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=not removed).order_by("position", "pk")
    )
    case_ids = {i.case_id for i in items}
    cases = (
        {
            c.pk: c
            for c in visible_cases(user=user)
            .filter(pk__in=[pk for pk in case_ids if pk is not None])
            .only("pk", "reference", "family_label", "stage", "is_repeat", "region_id")
        }
        if case_ids - {None}
        else {}
    )
    explanations = {kind: str(text) for kind, text in EXPLANATIONS.items()}  # translated once
    return [
        AgendaEntry(
            item=item,
            visible=item.case_id is None or item.case_id in cases,
            case=cases.get(item.case_id),
            explanation=explanations.get(item.kind, ""),
        )
        for item in items
    ]


def agenda_minutes(entries: list[AgendaEntry]) -> int:
    return sum(e.item.minutes for e in entries)


# --- Minutes ----------------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    if meeting.series_id is None:
        return None
    return (
        Meeting.objects.filter(series_id=meeting.series_id, starts_at__lt=meeting.starts_at)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def actions_to_review(*, meeting: Meeting) -> QuerySet:
    """Actions agreed at the previous meeting that are not done."""
    Action = apps.get_model("plans", "Action")
    previous = previous_meeting(meeting)
    if previous is None:
        return Action.objects.none()
    agreed = Decision.objects.filter(minutes__meeting=previous, action__isnull=False).values("action_id")
    return (
        Action.objects.filter(pk__in=agreed)
        .exclude(status=Action.Status.DONE)
        .select_related("case", "owner", "owner_organisation")
        .order_by("due_on", "pk")
    )


@dataclass
class ReviewEntry:
    action: object
    visible: bool
    review: ActionReview | None


@dataclass
class MinutesView:
    versions: list[MinutesVersion]
    current: MinutesVersion | None  # the draft while one is open, else the approved one
    approved: MinutesVersion | None
    draft: MinutesVersion | None
    entries: list[AgendaEntry]
    reviews: list[ReviewEntry]

    @property
    def is_editable(self) -> bool:
        return self.draft is not None or self.approved is None


def minutes_view(*, user, meeting: Meeting, version: int | None = None) -> MinutesView:
    """The minutes as the viewer may read them: decisions about cases the viewer may not
    see show only that a decision was taken."""
    policy.require(user, "meetings.view", meeting)
    versions = list(meeting.minutes_versions.select_related("approved_by", "created_by").order_by("number"))
    draft = next((v for v in versions if v.status == MinutesVersion.Status.DRAFT), None)
    approved = next((v for v in versions if v.status == MinutesVersion.Status.APPROVED), None)
    current = draft or approved
    if version is not None:
        current = next((v for v in versions if v.number == version), None)
        if current is None:
            raise Http404
    entries = agenda_for_viewer(user=user, meeting=meeting)
    reviews: list[ReviewEntry] = []
    if current is not None:
        decisions = defaultdict(list)
        for decision in current.decisions.select_related(
            "recorded_by", "action__owner", "action__owner_organisation"
        ):
            decisions[decision.agenda_item_id].append(decision)
        for entry in entries:
            entry.decisions = decisions.get(entry.item.pk, [])
    review_rows = {r.action_id: r for r in current.action_reviews.all()} if current is not None else {}
    to_review = list(actions_to_review(meeting=meeting))
    visible = visible_case_ids(user=user, case_ids=[a.case_id for a in to_review])
    for action in to_review:
        reviews.append(
            ReviewEntry(action=action, visible=action.case_id in visible, review=review_rows.get(action.pk))
        )
    return MinutesView(
        versions=versions, current=current, approved=approved, draft=draft, entries=entries, reviews=reviews
    )


# --- Crisis consultations ---------------------------------------------------------------


def case_crisis_consultations(*, user, case: Case) -> list[Meeting]:
    """The crisis consultations on a case, for the case page: whoever sees the case sees
    that one was held, when, and its outcome (recorded in the case). Each is marked with
    ``viewer_attends`` (invited: the video link is theirs) and ``viewer_may_open`` (the
    meeting's own page, with why it was called). One query."""
    policy.require(user, "case.view", case)
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), professional=user)
    may_open = policy.scope(user, "meetings.view", Meeting.objects.filter(pk=OuterRef("pk")))
    return list(
        Meeting.objects.filter(case=case, kind=Meeting.Kind.CRISIS)
        .annotate(viewer_attends=Exists(attends), viewer_may_open=Exists(may_open))
        .select_related("called_by", "outcome_recorded_by")
        .order_by("-starts_at", "-pk")
    )


def crisis_invitee_candidates(*, user, case: Case) -> QuerySet[Professional]:
    """Professionals who may be invited: of organisations taking part in the case."""
    policy.require(user, "case.view", case)
    Participation = apps.get_model("cases", "Participation")
    taking_part = Participation.objects.filter(
        case=case, organisation=OuterRef("organisation_id"), until__isnull=True
    )
    return (
        Professional.objects.filter(Exists(taking_part), is_active=True, role_grants__role__in=WORKS_ON_CASES)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "full_name")
    )


def region_professionals(*, user) -> QuerySet[Professional]:
    return (
        Professional.objects.filter(is_active=True, organisation__region_id=user.organisation.region_id)
        .select_related("organisation")
        .order_by("organisation__name", "full_name")
    )


# --- Escalations --------------------------------------------------------------------------


def _escalations(user) -> QuerySet[Escalation]:
    return policy.scope(user, "meetings.view_escalation", Escalation.objects.all()).select_related(
        "case", "organisation", "action", "raised_by", "handled_by"
    )


def open_escalations(*, user) -> QuerySet[Escalation]:
    """Open escalations the user may see, oldest first — for the coordinator's board,
    the steering group and the case director who raised them."""
    return _escalations(user).filter(status=Escalation.Status.OPEN).order_by("raised_at", "pk")


def escalation_list(*, user, status: str = "") -> QuerySet[Escalation]:
    qs = _escalations(user)
    if status in Escalation.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_at", "-pk")


def escalation_get(*, user, pk) -> Escalation:
    try:
        return _escalations(user).get(pk=pk)
    except (Escalation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_escalations(*, user, case: Case) -> list[Escalation]:
    """The escalations of a case that the viewer may open (the escalation scope: the
    steering group, coordinators in the case, its case director and whoever raised
    it), newest first. One query."""
    policy.require(user, "case.view", case)
    return list(_escalations(user).filter(case=case).order_by("-raised_at", "-pk"))


@dataclass
class CasePanel:
    """What the case page shows of crisis consultations and escalations."""

    consultations: list[Meeting]
    escalations: list[Escalation]
    can_call_crisis: bool
    can_escalate: bool

    @property
    def is_empty(self) -> bool:
        return not (self.consultations or self.escalations or self.can_call_crisis or self.can_escalate)


def case_panel(*, user, case: Case) -> CasePanel:
    """Crisis consultations and escalations of ``case`` as the viewer may see them, and
    whether they may call one or escalate. Two queries, whatever their number."""
    return CasePanel(
        consultations=case_crisis_consultations(user=user, case=case),
        escalations=case_escalations(user=user, case=case),
        can_call_crisis=policy.can(user, "meetings.call_crisis", case),
        can_escalate=policy.can(user, "meetings.escalate", case),
    )


def escalation_actions(*, user, case: Case) -> QuerySet:
    """Actions of the case that can be escalated as blocked."""
    policy.require(user, "case.view", case)
    Action = apps.get_model("plans", "Action")
    return (
        Action.objects.filter(case=case)
        .exclude(status=Action.Status.DONE)
        .select_related("owner_organisation")
    )


def escalation_organisations(*, user, case: Case) -> QuerySet[Organisation]:
    policy.require(user, "case.view", case)
    return Organisation.objects.filter(
        participations__case=case, participations__until__isnull=True
    ).distinct()


# --- Consultation hours -------------------------------------------------------------------


@dataclass
class SlotView:
    hour: ConsultationHour
    starts_at: datetime
    ends_at: datetime
    taken: bool

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.hour.zone)

    @property
    def token(self) -> str:
        return self.starts_at.astimezone(self.hour.zone).isoformat()


@dataclass
class HourView:
    hour: ConsultationHour
    slots: list[SlotView]


def public_regions() -> QuerySet:
    Region = apps.get_model("accounts", "Region")
    return Region.objects.filter(consultation_hours__is_active=True).distinct().order_by("name")


def consultation_hours(*, region_id: int) -> list[ConsultationHour]:
    """Active hours of a region: reference data, no personal data of families."""
    return list(
        ConsultationHour.objects.filter(region_id=region_id, is_active=True).select_related("organisation")
    )


def open_slots(*, region_id: int, weeks: int = 4, now: datetime | None = None) -> list[HourView]:
    """The moments of the coming weeks per hour, and which are taken. Two queries."""
    now = now or timezone.now()
    weeks = max(1, min(weeks, BOOKING_HORIZON_WEEKS))
    start = timezone.localdate(now)
    end = start + timedelta(weeks=weeks)
    hours = consultation_hours(region_id=region_id)
    taken = set(
        ConsultationSlot.objects.filter(
            hour__in=hours,
            starts_at__gte=now,
            bookings__status=Booking.Status.CONFIRMED,
        ).values_list("hour_id", "starts_at")
    )
    views = []
    for hour in hours:
        slots = [
            SlotView(hour, s, s + timedelta(minutes=hour.slot_minutes), (hour.pk, s) in taken)
            for s in recurrence.slot_starts(hour, start=start, end=end)
            if s > now
        ]
        views.append(HourView(hour, slots))
    return views


def hour_get_public(pk) -> ConsultationHour:
    try:
        return ConsultationHour.objects.select_related("region").get(pk=pk, is_active=True)
    except (ConsultationHour.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_bookings(*, user) -> QuerySet[Booking]:
    return Booking.objects.filter(booked_by=user).select_related("slot__hour").order_by("-slot__starts_at")


def _staffed_hours(user) -> QuerySet[ConsultationHour]:
    qs = ConsultationHour.objects.all()
    if policy.can(user, "consultations.manage"):
        return qs.filter(region_id=user.organisation.region_id)
    return qs.filter(staff=user)


def staff_signups(*, user, past: bool | None = False) -> QuerySet[Booking]:
    """Sign-ups for the hours the user staffs (coordinators: every hour of the region):
    coming (``past=False``), earlier (``True``) or all (``None``)."""
    policy.require(user, "consultations.staff")
    qs = Booking.objects.filter(slot__hour__in=_staffed_hours(user)).select_related(
        "slot__hour", "advised_by", "booked_by"
    )
    now = timezone.now()
    if past is None:
        return qs.order_by("slot__starts_at")
    if past:
        return qs.filter(slot__starts_at__lt=now - timedelta(hours=12)).order_by("-slot__starts_at")
    return qs.filter(slot__starts_at__gte=now - timedelta(hours=12)).order_by("slot__starts_at")


def booking_get_for_staff(*, user, pk) -> Booking:
    try:
        booking = Booking.objects.select_related("slot__hour").get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, "consultations.staff", booking.slot.hour)
    return booking


def booking_get_own(*, user, pk) -> Booking:
    try:
        return Booking.objects.select_related("slot__hour").get(pk=pk, booked_by=user)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def region_hours(*, user) -> QuerySet[ConsultationHour]:
    policy.require(user, "consultations.manage")
    return (
        ConsultationHour.objects.filter(region_id=user.organisation.region_id)
        .select_related("organisation")
        .prefetch_related(Prefetch("staff", queryset=Professional.objects.order_by("full_name")))
    )


def hour_get_for_manager(*, user, pk) -> ConsultationHour:
    try:
        hour = ConsultationHour.objects.get(pk=pk)
    except (ConsultationHour.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, "consultations.manage", hour)
    return hour


# --- Calendar ---------------------------------------------------------------------------

FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 366


def active_feed(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(professional=user, revoked_at__isnull=True).first()


def calendar_events_for(*, professional) -> list[ical.CalendarEvent]:
    """Every meeting, consultation and sign-up of the professional, as calendar events
    without personal data of families. Three queries."""
    now = timezone.now()
    since, until = now - timedelta(days=FEED_PAST_DAYS), now + timedelta(days=FEED_FUTURE_DAYS)
    attending = Attendance.objects.filter(meeting=OuterRef("pk"), professional=professional).exclude(
        status=Attendance.Status.STANDBY
    )
    meetings = Meeting.objects.filter(
        Exists(attending), starts_at__gte=since, starts_at__lte=until
    ).select_related("series", "case")
    events = [ical.meeting_event(m) for m in meetings]
    own = Booking.objects.filter(
        booked_by=professional, slot__starts_at__gte=since, slot__starts_at__lte=until
    )
    events += [ical.booking_event(b) for b in own.select_related("slot__hour")]
    staffed = Booking.objects.filter(
        slot__hour__staff=professional,
        slot__starts_at__gte=since,
        slot__starts_at__lte=until,
    ).exclude(booked_by=professional)
    events += [ical.booking_event(b, for_staff=True) for b in staffed.select_related("slot__hour").distinct()]
    return sorted(events, key=lambda e: e.starts_at)
