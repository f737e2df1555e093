"""The agenda builds itself from the state of the cases, in a sensible order, with the
time each item needs; the coordinator's edits survive a rebuild; the number of queries
does not grow with the number of cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.cases.models import Stage
from ketenplan.cases.services import MemberSpec
from ketenplan.cases.tests.factories import case_at, make_world, register
from ketenplan.meetings import agenda, services
from ketenplan.meetings.models import AgendaItem
from ketenplan.plans.models import Action, Evaluation, PlanVersion

from .factories import meeting_at, team

pytestmark = pytest.mark.django_db
Kind = AgendaItem.Kind


def draft_plan(world, case):
    return PlanVersion.objects.create(case=case, number=1, created_by=world.coordinator)


def late_action(world, case, days=5):
    return Action.objects.create(
        case=case,
        description="Apply for a living wage",
        owner_organisation=world.welfare,
        due_on=timezone.localdate() - timedelta(days=days),
        created_by=world.coordinator,
    )


def seeded(world):
    """A case in every state that matters, and some that must not show."""
    c = {}
    c["registered"] = register(world, family_label="Family Registered")
    first = case_at(world, Stage.CLOSED, family_label="Family Earlier")
    person = first.members.first().person
    c["repeat"] = register(
        world, family_label="Family Again", members=[MemberSpec(roles=["victim"], person=person)]
    )
    c["intake"] = case_at(world, Stage.INTAKE, family_label="Family Intake")
    c["dossier"] = case_at(world, Stage.DOSSIER, family_label="Family Dossier")
    c["weighing"] = case_at(world, Stage.WEIGHING, family_label="Family Weighing")
    c["planning"] = case_at(world, Stage.PLANNING, family_label="Family Planning")
    c["plan"] = draft_plan(world, c["planning"])
    c["evaluating"] = case_at(world, Stage.EXECUTION, family_label="Family Evaluating")
    today = timezone.localdate()
    c["evaluation"] = Evaluation.objects.create(
        case=c["evaluating"],
        milestone_key="evaluation-1m",
        name="First evaluation",
        due_on=today + timedelta(days=3),
    )
    c["not_yet"] = case_at(world, Stage.EXECUTION, family_label="Family Later")
    Evaluation.objects.create(
        case=c["not_yet"],
        milestone_key="evaluation-1m",
        name="First evaluation",
        due_on=today + timedelta(days=90),
    )
    c["late"] = case_at(world, Stage.EXECUTION, family_label="Family Late")
    late_action(world, c["late"], days=5)
    late_action(world, c["late"], days=12)
    c["escalated"] = case_at(world, Stage.EXECUTION, family_label="Family Escalated")
    blocked = Action.objects.create(
        case=c["escalated"],
        description="Find housing",
        owner_organisation=world.welfare,
        due_on=today + timedelta(days=10),
        created_by=world.coordinator,
    )
    c["escalation"] = services.escalation_raise(
        actor=world.case_director,
        case=c["escalated"],
        kind="blocked_action",
        action=blocked,
        reason="The housing corporation does not answer.",
    )
    c["closed"] = first
    elsewhere = make_world()
    c["elsewhere"] = register(elsewhere, family_label="Family Elsewhere")
    return c


def test_the_agenda_is_composed_from_the_cases_in_every_state(world):
    c = seeded(world)
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    proposals = agenda.propose(meeting, until=timezone.localdate() + timedelta(days=14))
    got = [(p.kind, p.case_id) for p in proposals]
    assert got == [
        (Kind.ESCALATION, c["escalated"].pk),
        (Kind.REPEAT, c["repeat"].pk),
        (Kind.ADMISSIBILITY, c["registered"].pk),
        (Kind.INTAKE, c["intake"].pk),
        (Kind.WEIGHING, c["weighing"].pk),
        (Kind.PLAN, c["planning"].pk),
        (Kind.EVALUATION, c["evaluating"].pk),
        (Kind.LATE_ACTIONS, c["late"].pk),
    ]
    by_kind = {p.kind: p for p in proposals}
    assert by_kind[Kind.ESCALATION].urgent and by_kind[Kind.ESCALATION].escalation_id == c["escalation"].pk
    assert by_kind[Kind.PLAN].plan_version_id == c["plan"].pk
    assert by_kind[Kind.EVALUATION].evaluation_id == c["evaluation"].pk
    assert by_kind[Kind.LATE_ACTIONS].late_action_count == 2
    # Time per item: the defaults (the Flemish profile sets no minutes per case).
    assert by_kind[Kind.WEIGHING].minutes == agenda.DEFAULT_MINUTES[Kind.WEIGHING]
    assert by_kind[Kind.LATE_ACTIONS].minutes == 5


def test_the_method_profile_sets_the_minutes_per_case(world):
    register(world, family_label="Family One")
    world.region.method_profile = "marac"  # 15 minutes a case
    world.region.save()
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    items = services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    assert [(i.kind, i.minutes) for i in items] == [(Kind.ADMISSIBILITY, 15)]


def test_evaluations_due_before_the_next_meeting_come_now(world):
    case = case_at(world, Stage.EXECUTION)
    series = team(world)  # schedules the coming meetings: 2nd and 4th Tuesday
    meeting = series.meetings.order_by("starts_at").first()
    following = agenda.next_meeting_date(meeting)
    assert following > meeting.local_start.date()
    before = Evaluation.objects.create(
        case=case, milestone_key="m1", name="First", due_on=following - timedelta(days=1)
    )
    after = Evaluation.objects.create(case=case, milestone_key="m4", name="Second", due_on=following)
    due = {p.evaluation_id for p in agenda.propose(meeting)}
    assert before.pk in due
    assert after.pk not in due
    assert after.pk in {p.evaluation_id for p in agenda.propose(meeting, until=following + timedelta(days=1))}


def test_preparing_stores_the_agenda_and_a_rebuild_keeps_the_coordinators_edits(
    world, django_capture_on_commit_callbacks
):
    a = register(world, family_label="Family A")
    b = case_at(world, Stage.WEIGHING, family_label="Family B")
    c = case_at(world, Stage.INTAKE, family_label="Family C")
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=2))
    coordinator = world.coordinator
    with django_capture_on_commit_callbacks():
        items = services.agenda_prepare(actor=coordinator, meeting=meeting)
    assert [i.case_id for i in items] == [a.pk, c.pk, b.pk]

    by_case = {i.case_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    services.agenda_item_update(actor=coordinator, item=by_case[b.pk], urgent=True)  # moves to the top
    services.agenda_item_update(actor=coordinator, item=by_case[a.pk], minutes=25)
    services.agenda_item_remove(actor=coordinator, item=by_case[c.pk])
    topic = services.agenda_item_add(
        actor=coordinator, meeting=meeting, title="Summer holiday cover", minutes=5
    )

    def order():
        return [
            (i.case_id or i.title, i.urgent, i.minutes)
            for i in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("position")
        ]

    assert order() == [(b.pk, True, 20), (a.pk, False, 25), ("Summer holiday cover", False, 5)]

    new = register(world, family_label="Family New")
    services.agenda_prepare(actor=coordinator, meeting=meeting)
    # Edits kept, the removed item stays removed, the new registration slots in with its kind.
    assert order() == [
        (b.pk, True, 20),
        (a.pk, False, 25),
        (new.pk, False, 10),
        ("Summer holiday cover", False, 5),
    ]
    assert AgendaItem.objects.get(meeting=meeting, case=c).removed_at is not None
    assert AgendaItem.objects.filter(pk=topic.pk).exists()

    # A case that moved on leaves the agenda, unless the coordinator touched its item.
    from ketenplan.cases.services import intake_complete

    services.agenda_item_restore(actor=coordinator, item=AgendaItem.objects.get(meeting=meeting, case=c))
    AgendaItem.objects.filter(meeting=meeting, case=c).update(is_edited=False)
    intake_complete(actor=coordinator, case=c)
    services.agenda_prepare(actor=coordinator, meeting=meeting)
    assert not AgendaItem.objects.filter(meeting=meeting, case=c).exists()


def test_reordering_by_hand(world):
    a = register(world, family_label="Family A")
    b = register(world, family_label="Family B")
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=2))
    services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    second = AgendaItem.objects.get(meeting=meeting, case=b)
    services.agenda_item_move(actor=world.coordinator, item=second, direction="up")
    assert list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("case_id", flat=True)
    ) == [
        b.pk,
        a.pk,
    ]


def test_only_the_coordinator_prepares_and_only_cases_they_see_are_added(world):
    register(world)
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=2))
    with pytest.raises(Http404):
        services.agenda_prepare(actor=world.team_member, meeting=meeting)
    elsewhere = make_world()
    other = register(elsewhere)
    with pytest.raises(Http404):
        services.agenda_item_add(actor=world.coordinator, meeting=meeting, case=other)
    with pytest.raises(ValidationError):
        services.agenda_item_add(actor=world.coordinator, meeting=meeting, title="  ")


def _cases(world, n):
    for i in range(n):
        stage = [Stage.REGISTERED, Stage.INTAKE, Stage.WEIGHING][i % 3]
        if stage == Stage.REGISTERED:
            register(world, family_label=f"Family {i}")
        else:
            case_at(world, stage, family_label=f"Family {i}")
    late = case_at(world, Stage.EXECUTION, family_label="Family Late")
    late_action(world, late)
    planning = case_at(world, Stage.PLANNING)
    draft_plan(world, planning)


def test_the_agenda_and_the_packet_take_the_same_number_of_queries_for_10_or_60_cases(world):
    from ketenplan.meetings.packets import packet_for

    series = team(world)
    counts = []
    start = timezone.now() - timedelta(days=1)
    for n in (10, 60):
        AgendaItem.objects.all().delete()
        _cases(world, n if not counts else n - 10)
        meeting = meeting_at(world, series, start + timedelta(hours=3 * len(counts)))
        with CaptureQueriesContext(connection) as propose_queries:
            proposals = agenda.propose(meeting)
        services.agenda_prepare(actor=world.coordinator, meeting=meeting)
        world.referrer._roles_cache = None
        with CaptureQueriesContext(connection) as packet_queries:
            packet = packet_for(user=world.referrer, meeting=meeting)
        counts.append((len(proposals), len(propose_queries), len(packet_queries), len(packet.items)))
    (items_10, agenda_10, packet_10, _), (items_60, agenda_60, packet_60, _) = counts
    assert items_60 > items_10 + 40
    assert agenda_60 == agenda_10 <= 6
    assert packet_60 == packet_10


def test_items_are_capped_per_kind_longest_waiting_first_and_the_rest_counted(client, world):
    cases = [case_at(world, Stage.EXECUTION, family_label=f"Family {i}") for i in range(4)]
    for i, case in enumerate(cases):
        late_action(world, case, days=10 + i)  # case 3 is the longest overdue
    series = team(world)
    meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    proposals = agenda.propose(meeting, limit_per_kind=2)
    assert [p.case_id for p in proposals if p.kind == Kind.LATE_ACTIONS] == [cases[3].pk, cases[2].pk]
    assert proposals.overflow == {Kind.LATE_ACTIONS: 2}
    first, second, _third = (register(world, family_label=f"Family New {i}") for i in range(3))
    proposals = agenda.propose(meeting, limit_per_kind=2)
    assert [p.case_id for p in proposals if p.kind == Kind.ADMISSIBILITY] == [first.pk, second.pk]
    assert proposals.overflow == {Kind.LATE_ACTIONS: 2, Kind.ADMISSIBILITY: 1}

    from unittest import mock

    with mock.patch.object(agenda, "LIMIT_PER_KIND", 2):
        services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.agenda_overflow == {"late_actions": 2, "admissibility": 1}
    client.force_login(world.coordinator)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Late actions: 2 more" in html and "New registration: admissibility: 1 more" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
def test_the_late_actions_can_be_read_from_their_own_index(world):
    """The late-actions query is one that the partial index on open actions (case, due
    on; migration plans 0006) answers: its status condition implies the index's. With
    scans of the table switched off, PostgreSQL must still find a plan through it (on a
    test's few rows it would rightly prefer to read the table)."""
    case = case_at(world, Stage.EXECUTION)
    late_action(world, case)
    meeting = meeting_at(world, team(world), timezone.now() + timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        proposals = agenda.propose(meeting)
    assert Kind.LATE_ACTIONS in {p.kind for p in proposals}
    (late_sql,) = [q["sql"] for q in queries if '"plans_action"' in q["sql"] and "GROUP BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {late_sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "action_open_due_idx" in plan, plan
