"""The plan and execution pages cost the same number of queries with 10 or 60 goals,
actions, contacts and the rest: nothing is read per row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenplan.cases.tests.factories import make_world
from ketenplan.persons.models import Person
from ketenplan.plans import services
from ketenplan.plans.models import Evaluation, PlanVersion

from .factories import add_goal, add_measure, approve, later, planning_case

pytestmark = pytest.mark.django_db

# Generous ceilings; what matters most is that they do not grow with the rows.
MAX_PLAN_PAGE = 35
MAX_EXECUTION_PAGE = 35


def build(world, n: int):
    """A case in execution whose approved plan has ``n`` goals, and a draft copy of it
    with ``n`` goals, ``n`` actions, contacts, referrals, interventions and more."""
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    for i in range(n):
        add_goal(world, plan, n=i)
    add_measure(world, plan)
    approve(world, plan)
    case.refresh_from_db()
    from ketenplan.cases import services as case_services

    case_services.execution_start(actor=world.case_director, case=case)
    case.refresh_from_db()
    goals = list(plan.goals.all())
    persons = list(Person.objects.filter(case_memberships__case=case))
    for i in range(n):
        services.action_create(
            actor=world.case_director,
            case=case,
            description=f"Action {i}",
            owner=world.case_director,
            owner_organisation=world.welfare,
            due_on=later(i + 1),
            goal=goals[i % len(goals)],
        )
        services.contact_log(
            actor=world.case_director,
            case=case,
            kind="phone",
            at=timezone.now() - timedelta(hours=i + 1),
            with_persons=persons[:2],
            summary=f"Contact {i}",
        )
        services.referral_create(
            actor=world.case_director,
            case=case,
            service=f"Service {i}",
            person=persons[i % len(persons)],
            status="waiting",
        )
        services.police_intervention_record(
            actor=world.referrer, case=case, occurred_on=timezone.localdate(), summary=f"Call-out {i}"
        )
    for person in persons:
        services.trauma_screening_record(
            actor=world.case_director, case=case, person=person, offered_on=timezone.localdate()
        )
    evaluation = Evaluation.objects.filter(case=case).order_by("due_on").first()
    services.evaluation_hold(
        actor=world.case_director,
        evaluation=evaluation,
        held_on=timezone.localdate(),
        summary="ok",
        goal_progress={g.pk: ("on_track", "") for g in goals},
        decision="continue",
    )
    # A draft copy of the plan too, so the plan page shows both.
    services.plan_revise(actor=world.case_director, case=case, reason="Changed")
    case.refresh_from_db()
    assert PlanVersion.objects.filter(case=case).count() == 2
    return case


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["plans:case_plan", "plans:case_execution"])
def test_page_queries_do_not_grow_with_rows(client, page):
    world = make_world()
    small, large = build(world, 10), build(world, 60)
    client.force_login(world.coordinator)
    client.get(reverse(page, args=[small.pk]))  # warm caches (content types, sessions)
    few = count(client, reverse(page, args=[small.pk]))
    many = count(client, reverse(page, args=[large.pk]))
    assert few == many, f"{page}: {few} queries with 10 rows, {many} with 60"
    assert many <= (MAX_PLAN_PAGE if page.endswith("plan") else MAX_EXECUTION_PAGE)


def test_execution_page_in_execution_stage_queries(client):
    """Also with the hold form and the action status forms shown (stage execution)."""
    world = make_world()
    counts = []
    for n in (10, 60):
        case = planning_case(world)
        plan = services.plan_draft_start(actor=world.coordinator, case=case)
        for i in range(n):
            add_goal(world, plan, n=i)
        add_measure(world, plan)
        approve(world, plan)
        case.refresh_from_db()
        from ketenplan.cases import services as case_services

        case_services.execution_start(actor=world.case_director, case=case)
        for i in range(n):
            services.action_create(
                actor=world.case_director,
                case=case,
                description=f"Action {i}",
                owner=world.case_director,
                owner_organisation=world.welfare,
                due_on=later(i + 1),
                goal=plan.goals.all()[i],
            )
        client.force_login(world.case_director)
        path = reverse("plans:case_execution", args=[case.pk])
        client.get(path)
        counts.append(count(client, path))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_EXECUTION_PAGE


def test_the_open_actions_index_holds_exactly_the_open_statuses():
    """The partial indexes on open actions spell the open statuses out (a model's Meta
    cannot name the model's own constants): they must stay the same set as
    ``Action.OPEN_STATUSES``, or the agenda's late actions and "my work" would be read
    past them."""
    from django.db.models import Q

    from ketenplan.plans.models import Action

    for name in ("action_open_due_idx", "action_owner_open_idx", "action_org_open_idx"):
        index = next(i for i in Action._meta.indexes if i.name == name)
        assert index.condition == Q(status__in=list(Action.OPEN_STATUSES)), name
