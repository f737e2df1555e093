"""Around the demo cases: the operational team, a crisis consultation, an escalation and
the consultation hours of the demo region, told through the services of
``ketenplan.meetings`` once every case is told (so the agenda builds itself from the demo
cases as they stand).

* The team meets on the second and fourth Tuesday of the month, chaired by the
  coordinator; its members are the delegates of the core partners and substitutes. The
  last meeting is over: its agenda was built by the agenda service, attendance is
  recorded, the minutes hold a note per item and an action, and the chair approved them.
  The next meeting has its agenda built, one apology and a topic added by hand.
* A crisis consultation on the Azzouzi case, called by its case director with the
  partners, with its outcome; an open escalation of a late action in the Dhondt case,
  raised after the last meeting agreed to escalate it (first on the next agenda and on the
  coordinator's board).
* Consultation hours by video on Tuesday and Thursday and an addiction-care consult by
  phone on Wednesday, with sign-ups by demo professionals and one advice given last week.

The services work *now*: they keep no minutes of a meeting that has not taken place, call
no crisis consultation in the past and book no moment that has passed. So the past is
made as ``backdate.py`` makes it for the cases: the thing is done now and its moments are
noted, to be written afterwards. Only the moment of the meeting itself (the last team
meeting, the crisis consultation, last week's consultation slot) is moved at once, with a
plain update, because the next service asks that it took place. The last minutes are
noted as sent right after their approval.

The services queue e-mail (invitations, minutes, notices) when the transaction commits;
``notifications_held_back`` keeps that from reaching the worker, so that loading the
demo sends nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from ketenplan.cases.models import Case, CaseMember, MemberRole, Stage
from ketenplan.meetings import recurrence
from ketenplan.meetings import services as meeting_services
from ketenplan.meetings.models import (
    DEFAULT_CONFIDENTIALITY_STATEMENT,
    AgendaItem,
    Attendance,
    ConsultationHour,
    ConsultationSlot,
    Decision,
    Escalation,
    Meeting,
    MeetingSeries,
    SeriesMember,
    Weekday,
)
from ketenplan.plans.models import Action

from . import texts
from .backdate import History, backdate
from .story import Cast, StoryError, first_name

#: Tasks go nowhere while the demo is loaded (see ``notifications_held_back``).
HELD_BACK = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

COORDINATOR = "annelies.vermeulen"
DELEGATE, SUBSTITUTE = SeriesMember.Role.DELEGATE, SeriesMember.Role.SUBSTITUTE
# The operational team: (e-mail local part, role), the delegates of every core partner.
TEAM = [
    ("annelies.vermeulen", DELEGATE),
    ("hilde.jacobs", DELEGATE),
    ("bart.declercq", SUBSTITUTE),
    ("koen.peeters", DELEGATE),
    ("youssef.benali", SUBSTITUTE),
    ("marc.wouters", DELEGATE),
    ("els.maes", SUBSTITUTE),
    ("nadia.elamrani", DELEGATE),
    ("sarah.vandamme", SUBSTITUTE),
    ("liesbeth.willems", DELEGATE),
    ("jan.mertens", DELEGATE),
    ("griet.dubois", SUBSTITUTE),
    ("pieter.vandenbroeck", DELEGATE),
    ("ines.lambrecht", DELEGATE),
    ("wim.hermans", DELEGATE),
]
# At the last meeting the parket's delegate sent apologies and the substitute came; at the
# next one the CGG's delegate cannot come.
LAST_APOLOGY = ("marc.wouters", "els.maes")
NEXT_APOLOGY = ("jan.mertens", "griet.dubois")

# Generated items whose reason lies after the last meeting (a family registered since,
# a case that reached the stage since) were not on its agenda: taken off.
STAGE_KINDS = {
    AgendaItem.Kind.REPEAT,
    AgendaItem.Kind.ADMISSIBILITY,
    AgendaItem.Kind.INTAKE,
    AgendaItem.Kind.WEIGHING,
    AgendaItem.Kind.PLAN,
}

# The crisis consultation: the case (its family label), whom its director invites, and
# how many days ago it took place, at what time.
CRISIS_CASE = "Gezin Azzouzi"
CRISIS_INVITEES = ("koen.peeters", "steven.verhaegen", "tom.goossens", "pieter.vandenbroeck")
CRISIS_DAYS_AGO, CRISIS_AT, CRISIS_MINUTES = 9, time(16, 30), 45
# The escalation: the first of these cases with a late action of another organisation
# than its director's; raised a few days after the last meeting.
ESCALATION_CASES = ("Gezin Dhondt", "Gezin Şahin", "Gezin Darwish", "Gezin Van Acker")
ESCALATION_DAYS_AFTER_MEETING = 3
# The evaluation the team turns into an action at the last meeting.
ACTION_CASE = "Gezin Azzouzi"

T = ConsultationHour.Kind
ADDICTION_CARE = ConsultationHour.Specialism.ADDICTION_CARE
TUE, WED, THU = Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY
# key: (kind, specialism, organisation key, weekday, start, minutes, minutes per sign-up, staff)
HOURS = {
    "tuesday": (T.VIDEO, "", None, TUE, time(10, 0), 60, 20, ("annelies.vermeulen", "hilde.jacobs")),
    "thursday": (T.VIDEO, "", None, THU, time(14, 0), 60, 20, ("bart.declercq", "nadia.elamrani")),
    "addiction": (T.PHONE, ADDICTION_CARE, "cad", WED, time(9, 0), 60, 15, ("dirk.segers",)),
}


@contextlib.contextmanager
def notifications_held_back():
    """Tasks (e-mail) queued inside go to a backend that never runs them. Wrap the whole
    transaction: the services queue on commit."""
    with override_settings(TASKS=HELD_BACK):
        yield


@dataclass
class Staging:
    """The demo region's people, its clock and the moments to write afterwards."""

    cast: Cast
    history: History
    now: datetime

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def who(self, local_part: str):
        return self.cast.professional(local_part)

    @property
    def coordinator(self):
        return self.who(COORDINATOR)

    def at(self, day: date, clock: time) -> datetime:
        """``clock`` on ``day`` in the region's time, never later than a minute ago."""
        moment = recurrence.local_datetime(day, clock, timezone.get_current_timezone())
        return min(moment, self.now - timedelta(minutes=1))

    def case(self, family_label: str) -> Case:
        return (
            Case.objects.filter(region=self.cast.region, family_label=family_label)
            .exclude(stage=Stage.CLOSED)
            .get()
        )


def names(case: Case) -> dict[str, str]:
    """First names for the texts: victim, perpetrator, children."""
    members = list(CaseMember.objects.filter(case=case).select_related("person").order_by("pk"))

    def having(*roles):
        return [m.person for m in members if set(m.roles) & set(roles)]

    found = {"victim": first_name(having(MemberRole.VICTIM)[0])}
    perpetrators = having(MemberRole.ALLEGED_PERPETRATOR)
    if perpetrators:
        found["perpetrator"] = first_name(perpetrators[0])
    children = sorted(
        having(MemberRole.CHILD_VICTIM, MemberRole.CHILD_WITNESS), key=lambda p: p.birth_date or date.max
    )
    if children:
        firsts = [first_name(c) for c in children]
        found["children"] = firsts[0] if len(firsts) == 1 else ", ".join(firsts[:-1]) + " en " + firsts[-1]
    return found


def day_first(on: date) -> str:
    return f"{on:%d/%m/%Y}"


def _move(meeting: Meeting, starts_at: datetime) -> Meeting:
    """Move a meeting to the moment it really took place (the one plain update that
    comes before the next service call: see the module's docstring)."""
    ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=ends_at)
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def add_demo_meetings(region, *, now: datetime | None = None) -> dict:
    """Tell the meetings, the crisis consultation, the escalation and the consultation
    hours of the demo region (whose cases are told), then backdate them. Returns what was
    made, by name. Call it inside ``notifications_held_back``."""
    if settings.PRODUCTION:
        raise RuntimeError("Demo meetings are fictional: they are never added in production mode.")
    staging = Staging(cast=Cast(region), history=History(), now=now or timezone.now())
    series = set_up_the_team(staging)
    last = hold_the_last_meeting(staging, series)
    crisis = hold_a_crisis_consultation(staging)
    escalation = escalate_a_late_action(staging, last)
    backdate(staging.history)  # the next agenda dates the escalation from when it was raised
    upcoming = prepare_the_next_meeting(staging, series)
    hours = open_consultation_hours(staging)
    backdate(staging.history)
    return {
        "series": series,
        "last_meeting": last,
        "next_meeting": upcoming,
        "crisis": crisis,
        "escalation": escalation,
        "hours": hours,
    }


# === The operational team ==================================================================


def set_up_the_team(staging: Staging) -> MeetingSeries:
    """The coordinator sets the schedule (second and fourth Tuesday, 13:30) and adds the
    delegates and substitutes; the coming meetings exist with their expected attendance."""
    coordinator = staging.coordinator
    with translation.override("nl"):  # the region's language, like the rest of the demo
        statement = str(DEFAULT_CONFIDENTIALITY_STATEMENT)
    series = meeting_services.series_save(
        actor=coordinator,
        name="Operationeel team Scheldevallei",
        weekday=Weekday.TUESDAY,
        start_time=time(13, 30),
        duration_minutes=150,
        recurrence=MeetingSeries.Recurrence.WEEKS_OF_MONTH,
        weeks_of_month=[2, 4],
        location=texts.TEAM_LOCATION,
        video_url=texts.TEAM_VIDEO,
        confidentiality_statement=statement,
        chair=coordinator,
    )
    since = staging.now - timedelta(days=400)
    staging.history.happened(series, created_at=since)
    for local_part, role in TEAM:
        member = meeting_services.series_member_add(
            actor=coordinator, series=series, professional=staging.who(local_part), role=role
        )
        staging.history.happened(member, added_at=since)
    return series


def _last_meeting_start(staging: Staging, series: MeetingSeries) -> datetime:
    """The start of the schedule's last meeting that is over."""
    days = recurrence.series_dates(series, start=staging.today - timedelta(days=42), end=staging.today)
    for day in reversed(days):
        starts = recurrence.local_datetime(day, series.start_time, series.time_zone)
        if starts + timedelta(minutes=series.duration_minutes) <= staging.now:
            return starts
    raise StoryError("The meeting schedule has no meeting in the last six weeks.")


def hold_the_last_meeting(staging: Staging, series: MeetingSeries) -> Meeting:
    """The last meeting: the coordinator built its agenda the week before; the team met,
    attendance was recorded, the minutes note what comes next per item, add an action and
    prepare an escalation; the chair approved them the next day."""
    coordinator, history = staging.coordinator, staging.history
    starts = _last_meeting_start(staging, series)
    # The coming meeting that the schedule made first becomes the last one; the schedule
    # then makes its date again.
    first = Meeting.objects.filter(series=series).order_by("starts_at").first()
    meeting = _move(first, starts)
    meeting_services.meetings_schedule(series=series)
    history.happened(meeting, created_at=starts - timedelta(days=21))
    on = starts.astimezone(meeting.zone).date()

    items = meeting_services.agenda_prepare(actor=coordinator, meeting=meeting)
    prepared = staging.at(on - timedelta(days=6), time(16, 0))
    history.happened(meeting, agenda_prepared_at=prepared)
    kept = []
    for item in items:
        if item.kind in STAGE_KINDS and item.due_on and item.due_on > on:
            meeting_services.agenda_item_remove(actor=coordinator, item=item)
            history.happened(item, removed_at=prepared + timedelta(minutes=5))
        else:
            kept.append(item)
        history.happened(item, created_at=prepared)
    for attendance in Attendance.objects.filter(meeting=meeting).select_related("professional"):
        history.happened(attendance, invited_at=prepared)
    _record_attendance(staging, meeting)

    blocked = _blocked_action(staging, on)
    decided_at = starts + timedelta(minutes=10)
    for item in kept:
        decided_at = min(decided_at, meeting.ends_at - timedelta(minutes=5))
        decision = _decide(staging, meeting, item, blocked)
        history.happened(decision, recorded_at=decided_at)
        if decision.action_id is not None:
            history.happened(decision.action, created_at=decided_at)
        decided_at += timedelta(minutes=item.minutes)
    absent, substitute = (staging.who(k) for k in LAST_APOLOGY)
    minutes = meeting_services.minutes_summary_save(
        actor=coordinator,
        meeting=meeting,
        summary=texts.MEETING_SUMMARY.format(absent=absent.full_name, substitute=substitute.full_name),
    )
    approved = meeting_services.minutes_approve(actor=coordinator, meeting=meeting)
    history.happened(minutes, created_at=starts + timedelta(minutes=5))
    approved_at = staging.at(on + timedelta(days=1), time(10, 15))
    # Sent to the attendees right after (no e-mail leaves while the demo loads; without
    # ``sent_at`` the minutes page would wait for the sending forever).
    history.happened(approved, approved_at=approved_at, sent_at=approved_at + timedelta(minutes=1))
    return meeting


def _record_attendance(staging: Staging, meeting: Meeting) -> None:
    """Every delegate was there but one, who sent apologies; the substitute came."""
    absent, substitute = LAST_APOLOGY
    for attendance in Attendance.objects.filter(meeting=meeting).select_related("professional"):
        local_part = attendance.professional.email.split("@")[0]
        if local_part == absent:
            status = Attendance.Status.APOLOGISED
        elif attendance.role == Attendance.Role.DELEGATE or local_part == substitute:
            status = Attendance.Status.PRESENT
        else:
            continue  # a substitute standing by
        meeting_services.attendance_record(
            actor=staging.coordinator, meeting=meeting, attendance=attendance, status=status
        )


def _decide(staging: Staging, meeting: Meeting, item: AgendaItem, blocked: Action | None) -> Decision:
    """A note on every item; for the late action that will be escalated, the agreement
    first; for the late evaluation of ``ACTION_CASE``, a new action."""
    case = Case.objects.select_related("case_director").get(pk=item.case_id)
    if blocked is not None and item.kind == AgendaItem.Kind.LATE_ACTIONS and item.case_id == blocked.case_id:
        director = case.case_director or staging.coordinator
        text = texts.MEETING_BLOCKED_NOTE.format(
            action=blocked.description,
            organisation=blocked.owner_organisation.name,
            director=director.full_name,
        )
        return meeting_services.decision_record(
            actor=staging.coordinator, item=item, kind=Decision.Kind.NOTE, text=text
        )
    if item.kind == AgendaItem.Kind.EVALUATION and case.family_label == ACTION_CASE:
        text, days = texts.MEETING_ACTION
        director = case.case_director or staging.coordinator
        on = meeting.local_start.date()
        return meeting_services.decision_record(
            actor=staging.coordinator,
            item=item,
            kind=Decision.Kind.ACTION,
            text=text.format(**names(case)),
            owner=director,
            owner_organisation=director.organisation,
            due_on=max(on + timedelta(days=days), staging.today + timedelta(days=2)),
        )
    return meeting_services.decision_record(
        actor=staging.coordinator,
        item=item,
        kind=Decision.Kind.NOTE,
        text=texts.MEETING_NOTES.get(item.kind, texts.MEETING_NOTES["case"]),
    )


def _blocked_action(staging: Staging, late_on: date) -> Action | None:
    """The late action to escalate: in the first of ``ESCALATION_CASES`` that has one, the
    longest late action (already late on ``late_on``) of another organisation than the
    case director's."""
    for label in ESCALATION_CASES:
        case = staging.case(label)
        if case.case_director_id is None:
            continue
        action = (
            Action.objects.filter(case=case, status__in=Action.OPEN_STATUSES, due_on__lt=late_on)
            .exclude(owner_organisation_id=case.case_director.organisation_id)
            .select_related("owner_organisation", "case")
            .order_by("due_on", "pk")
            .first()
        )
        if action is not None:
            return action
    return None


def prepare_the_next_meeting(staging: Staging, series: MeetingSeries) -> Meeting:
    """The next meeting: a delegate sends apologies (the substitute is expected), the
    coordinator builds the agenda from the cases and adds a topic of her own."""
    coordinator = staging.coordinator
    meeting = (
        Meeting.objects.filter(series=series, status=Meeting.Status.PLANNED, starts_at__gt=staging.now)
        .order_by("starts_at")
        .first()
    )
    absent, substitute = (staging.who(k) for k in NEXT_APOLOGY)
    meeting_services.attendance_apologise(
        actor=absent,
        meeting=meeting,
        note=texts.NEXT_MEETING_APOLOGY.format(substitute=substitute.full_name),
    )
    meeting_services.agenda_prepare(actor=coordinator, meeting=meeting)
    meeting_services.agenda_item_add(
        actor=coordinator, meeting=meeting, title=texts.NEXT_MEETING_TOPIC, minutes=15
    )
    return meeting


# === Crisis consultation and escalation =====================================================


def hold_a_crisis_consultation(staging: Staging) -> Meeting:
    """The case director called a crisis consultation with the police, the lawyer, the
    CAW and youth care the afternoon the family waited for the victim at the school; the
    outcome is recorded with the case."""
    case = staging.case(CRISIS_CASE)
    director = case.case_director or staging.coordinator
    filled = names(case)
    meeting = meeting_services.crisis_call(
        actor=director,
        case=case,
        starts_at=staging.now,
        video_url=texts.CRISIS_VIDEO,
        reason=texts.CRISIS_REASON.format(**filled),
        invitees=[staging.who(k) for k in CRISIS_INVITEES],
        duration_minutes=CRISIS_MINUTES,
    )
    starts = staging.at(staging.today - timedelta(days=CRISIS_DAYS_AGO), CRISIS_AT)
    called = starts - timedelta(hours=2)
    meeting = _move(meeting, starts)
    staging.history.happened(meeting, created_at=called, agenda_prepared_at=called)
    for item in meeting.agenda_items.all():
        staging.history.happened(item, created_at=called)
    for attendance in meeting.attendances.all():
        staging.history.happened(attendance, invited_at=called)
        meeting_services.attendance_record(
            actor=director, meeting=meeting, attendance=attendance, status=Attendance.Status.PRESENT
        )
    meeting_services.crisis_outcome_record(
        actor=director, meeting=meeting, outcome=texts.CRISIS_OUTCOME.format(**filled)
    )
    staging.history.happened(meeting, outcome_recorded_at=meeting.ends_at + timedelta(minutes=20))
    return meeting


def escalate_a_late_action(staging: Staging, last_meeting: Meeting) -> Escalation:
    """A few days after the last meeting, the case director escalates the late action
    the team discussed: it waits for the steering group, first on the next agenda."""
    on = last_meeting.local_start.date()
    action = _blocked_action(staging, on)
    if action is None:
        raise StoryError("No demo case has a late action of a partner to escalate.")
    case = Case.objects.select_related("case_director").get(pk=action.case_id)
    escalation = meeting_services.escalation_raise(
        actor=case.case_director,
        case=case,
        kind=Escalation.Kind.BLOCKED_ACTION,
        action=action,
        reason=texts.ESCALATION_REASON.format(
            action=action.description,
            organisation=action.owner_organisation.name,
            due=day_first(action.due_on),
            meeting=day_first(on),
            victim=names(case)["victim"],
        ),
    )
    raised = staging.at(on + timedelta(days=ESCALATION_DAYS_AFTER_MEETING), time(11, 20))
    staging.history.happened(escalation, raised_at=raised)
    return escalation


# === Consultation hours ======================================================================


def open_consultation_hours(staging: Staging) -> dict[str, ConsultationHour]:
    """The coordinator opens the weekly consultation hours; demo professionals sign up
    with an anonymised question; last week's sign-up has its advice."""
    hours = {}
    for key, (kind, specialism, organisation, weekday, start, minutes, per, staff) in HOURS.items():
        hour = meeting_services.consultation_hour_save(
            actor=staging.coordinator,
            kind=kind,
            specialism=specialism,
            organisation=staging.cast.organisation(organisation) if organisation else None,
            weekday=weekday,
            start_time=start,
            duration_minutes=minutes,
            slot_minutes=per,
            staff=[staging.who(k) for k in staff],
            video_url=f"{texts.CONSULTATION_VIDEO}-{key}" if kind == T.VIDEO else "",
            phone=texts.CONSULTATION_PHONE if kind == T.PHONE else "",
        )
        staging.history.happened(hour, created_at=staging.now - timedelta(days=300))
        hours[key] = hour
    taken: dict[int, int] = {}
    # Last week's sign-up first: it takes the first coming moment, which moves back a week.
    local_part, key, question, advice = texts.PAST_BOOKING
    booking = _book(staging, hours[key], taken, local_part, question)
    slot = booking.slot
    # The first moment from tomorrow on, a week back: in the past, unless the hour falls
    # on today's weekday later today (a Tuesday-morning seed of a Tuesday hour): then two.
    back = timedelta(weeks=1)
    if slot.starts_at - back >= staging.now:
        back = timedelta(weeks=2)
    week_ago = slot.starts_at - back
    ConsultationSlot.objects.filter(pk=slot.pk).update(starts_at=week_ago, ends_at=slot.ends_at - back)
    advised = meeting_services.booking_advice_record(
        actor=staging.coordinator, booking=booking, advice=advice
    )
    staging.history.happened(
        advised, created_at=week_ago - timedelta(days=3), advised_at=week_ago + timedelta(minutes=25)
    )
    for local_part, key, question, phone in texts.BOOKINGS:
        booking = _book(staging, hours[key], taken, local_part, question, phone=phone)
        staging.history.happened(booking, created_at=staging.now - timedelta(days=2))
    return hours


def _book(staging: Staging, hour: ConsultationHour, taken: dict, local_part: str, question: str, phone=""):
    """Sign up for the next free moment of ``hour`` from tomorrow on."""
    moments = recurrence.slot_starts(
        hour, start=staging.today + timedelta(days=1), end=staging.today + timedelta(days=14)
    )
    index = taken.get(hour.pk, 0)
    taken[hour.pk] = index + 1
    return meeting_services.booking_create(
        hour=hour,
        starts_at=moments[index],
        question=question,
        actor=staging.who(local_part),
        phone=phone,
        anonymised=True,
    )


__all__ = ["add_demo_meetings", "notifications_held_back"]
