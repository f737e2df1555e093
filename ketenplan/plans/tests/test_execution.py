"""Execution and monitoring: actions, contacts, referrals, screenings, police, evaluations,
and the overview selectors."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.cases.workflow import TransitionRefused
from ketenplan.core.exceptions import ConflictError
from ketenplan.persons.models import Person
from ketenplan.plans import selectors, services
from ketenplan.plans.models import Action, Evaluation, Goal, PlanVersion, Referral, SelfRelianceScore

from .factories import domains, later, running_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def new_action(world, case, **kwargs):
    values = {
        "description": "Apply for a living wage at the social welfare centre",
        "owner": world.case_director,
        "owner_organisation": world.welfare,
        "due_on": later(21),
    }
    values.update(kwargs)
    return services.action_create(actor=kwargs.pop("actor", world.case_director), case=case, **values)


# --- actions ----------------------------------------------------------------------------


def test_action_on_the_dossier_action_list(world):
    case = case_at(world, Stage.DOSSIER)
    action = new_action(world, case)
    assert action.goal is None and action.status == Action.Status.OPEN
    assert AuditEvent.objects.filter(action="plan.action_created", object_id=str(action.pk)).exists()


def test_action_owner_organisation_must_take_part(world):
    case = case_at(world, Stage.DOSSIER)
    with pytest.raises(ValidationError) as exc:
        new_action(world, case, owner=world.outsider, owner_organisation=world.addiction)
    assert "owner_organisation" in exc.value.message_dict


def test_action_owner_must_work_for_the_organisation(world):
    case = case_at(world, Stage.DOSSIER)
    with pytest.raises(ValidationError) as exc:
        new_action(world, case, owner=world.referrer)
    assert "owner" in exc.value.message_dict


def test_action_due_date_not_in_the_past(world):
    case = case_at(world, Stage.DOSSIER)
    with pytest.raises(ValidationError):
        new_action(world, case, due_on=timezone.localdate() - timedelta(days=1))


def test_action_not_in_a_closed_case(world):
    case = case_at(world, Stage.CLOSED)
    with pytest.raises(Http404):
        new_action(world, case)


def test_cannot_be_done_needs_a_reason(world):
    case, _plan = running_case(world)
    action = new_action(world, case)
    with pytest.raises(ValidationError) as exc:
        services.action_set_status(
            actor=world.case_director, action=action, status="cannot_be_done", expected_version=action.version
        )
    assert "reason" in exc.value.message_dict
    action.refresh_from_db()
    assert action.status == "open"
    action = services.action_set_status(
        actor=world.case_director,
        action=action,
        status="cannot_be_done",
        reason="The family moved abroad.",
        expected_version=action.version,
    )
    assert action.status == "cannot_be_done" and action.status_reason


def test_done_sets_completed_at_and_reopening_clears_it(world):
    case, _plan = running_case(world)
    action = new_action(world, case)
    action = services.action_set_status(
        actor=world.case_director, action=action, status="done", expected_version=action.version
    )
    assert action.completed_at is not None
    action = services.action_set_status(
        actor=world.case_director, action=action, status="in_progress", expected_version=action.version
    )
    assert action.completed_at is None
    assert AuditEvent.objects.filter(action="plan.action_status_changed").count() == 2


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("case_director", True),  # owner
        ("team_member", True),  # colleague of the owner's organisation
        ("coordinator", True),
        ("referrer", False),  # police: takes part, but neither owner nor director
        ("outsider", False),
    ],
)
def test_who_may_change_an_action_status(world, persona, allowed):
    case, _plan = running_case(world)
    action = new_action(world, case)
    actor = getattr(world, persona)
    if allowed:
        services.action_set_status(
            actor=actor, action=action, status="in_progress", expected_version=action.version
        )
    else:
        with pytest.raises(Http404):
            services.action_set_status(
                actor=actor, action=action, status="in_progress", expected_version=action.version
            )


def test_case_director_may_change_an_action_of_another_organisation(world):
    case, _plan = running_case(world)
    police_officer = ProfessionalFactory(organisation=world.police, roles=[Role.PARTNER])
    action = new_action(world, case, owner=police_officer, owner_organisation=world.police)
    services.action_set_status(
        actor=world.case_director, action=action, status="done", expected_version=action.version
    )


def test_action_status_conflict(world):
    case, _plan = running_case(world)
    action = new_action(world, case)
    stale = action.version
    services.action_set_status(
        actor=world.team_member, action=action, status="in_progress", expected_version=stale
    )
    with pytest.raises(ConflictError) as exc:
        services.action_set_status(
            actor=world.case_director, action=action, status="done", expected_version=stale
        )
    assert world.team_member.full_name in str(exc.value)
    action.refresh_from_db()
    assert action.status == "in_progress"


# --- contacts ---------------------------------------------------------------------------


def test_contact_with_family_members(world):
    case, _plan = running_case(world)
    members = list(Person.objects.filter(case_memberships__case=case))
    contact = services.contact_log(
        actor=world.case_director,
        case=case,
        kind="home_visit",
        at=timezone.now() - timedelta(hours=2),
        with_persons=members[:2],
        summary="Talked with mother and father at home.",
    )
    assert contact.with_persons.count() == 2 and contact.organisation == world.welfare
    assert AuditEvent.objects.filter(action="plan.contact_logged").exists()


def test_contact_with_a_non_member_refused(world):
    case, _plan = running_case(world)
    other_case = case_at(world, Stage.INTAKE, family_label="Family Janssens")
    stranger = Person.objects.filter(case_memberships__case=other_case).first()
    with pytest.raises(ValidationError) as exc:
        services.contact_log(
            actor=world.case_director,
            case=case,
            kind="phone",
            at=timezone.now(),
            with_persons=[stranger],
            summary="Phone call.",
        )
    assert "with_persons" in exc.value.message_dict


def test_contact_in_the_future_refused(world):
    case, _plan = running_case(world)
    member = Person.objects.filter(case_memberships__case=case).first()
    with pytest.raises(ValidationError) as exc:
        services.contact_log(
            actor=world.case_director,
            case=case,
            kind="phone",
            at=timezone.now() + timedelta(days=1),
            with_persons=[member],
            summary="x",
        )
    assert "at" in exc.value.message_dict


# --- referrals --------------------------------------------------------------------------


def test_waiting_referral_shows_in_waiting_referrals(world):
    case, _plan = running_case(world)
    mother = Person.objects.filter(case_memberships__case=case).first()
    referral = services.referral_create(
        actor=world.case_director, case=case, person=mother, service="Trauma therapy (CGG)"
    )
    assert referral.status == "requested"
    assert list(selectors.waiting_referrals(user=world.team_member)) == []
    referral = services.referral_set_status(
        actor=world.case_director,
        referral=referral,
        status="waiting",
        note="Six weeks waiting list.",
        expected_version=referral.version,
    )
    assert referral.waiting_since == timezone.localdate()
    assert list(selectors.waiting_referrals(user=world.team_member)) == [referral]
    assert list(selectors.waiting_referrals(user=world.outsider)) == []
    referral = services.referral_set_status(
        actor=world.case_director, referral=referral, status="started", expected_version=referral.version
    )
    assert referral.started_on == timezone.localdate()
    assert referral.waiting_since is not None  # how long they waited stays known
    assert list(selectors.waiting_referrals(user=world.team_member)) == []


def test_referral_status_conflict(world):
    case, _plan = running_case(world)
    referral = services.referral_create(actor=world.case_director, case=case, service="Debt counselling")
    stale = referral.version
    services.referral_set_status(
        actor=world.team_member, referral=referral, status="waiting", expected_version=stale
    )
    with pytest.raises(ConflictError):
        services.referral_set_status(
            actor=world.case_director, referral=referral, status="declined", expected_version=stale
        )
    assert Referral.objects.get(pk=referral.pk).status == "waiting"


# --- trauma screening and police ----------------------------------------------------------


def test_trauma_screening_per_person(world):
    case, _plan = running_case(world)
    mother = Person.objects.filter(case_memberships__case=case).first()
    today = timezone.localdate()
    services.trauma_screening_record(
        actor=world.case_director, case=case, person=mother, offered_on=today - timedelta(days=10)
    )
    screening = services.trauma_screening_record(
        actor=world.case_director,
        case=case,
        person=mother,
        offered_on=today - timedelta(days=10),
        done_on=today - timedelta(days=3),
        treatment_started_on=today,
    )
    assert screening.done_on and screening.treatment_started_on
    assert case.trauma_screenings.count() == 1
    with pytest.raises(ValidationError):
        services.trauma_screening_record(
            actor=world.case_director,
            case=case,
            person=mother,
            offered_on=today,
            declined=True,
            done_on=today,
        )


def test_police_intervention_by_police_or_coordinator(world):
    case, _plan = running_case(world)
    day = timezone.localdate() - timedelta(days=2)
    services.police_intervention_record(
        actor=world.referrer, case=case, occurred_on=day, summary="Call-out after a neighbour's report."
    )
    services.police_intervention_record(
        actor=world.coordinator, case=case, occurred_on=day, summary="Exclusion order extended."
    )
    with pytest.raises(Http404):
        services.police_intervention_record(
            actor=world.team_member, case=case, occurred_on=day, summary="Not police."
        )
    assert case.police_interventions.count() == 2
    assert AuditEvent.objects.filter(action="plan.police_intervention_recorded").count() == 2


def test_police_intervention_after_closure(world):
    case = case_at(world, Stage.CLOSED)
    services.police_intervention_record(
        actor=world.referrer, case=case, occurred_on=timezone.localdate(), summary="New call-out."
    )


# --- evaluations ------------------------------------------------------------------------


def hold(world, case, plan, decision, **kwargs):
    evaluation = Evaluation.objects.filter(case=case, held_on=None).order_by("due_on").first()
    progress = {g.pk: ("on_track", "Going well") for g in plan.goals.all()}
    return services.evaluation_hold(
        actor=kwargs.pop("actor", world.case_director),
        evaluation=evaluation,
        held_on=timezone.localdate(),
        summary="Safer at home; father in a programme.",
        goal_progress=kwargs.pop("goal_progress", progress),
        decision=decision,
        **kwargs,
    )


def test_evaluation_continue(world):
    case, plan = running_case(world, goals=2)
    d = domains()
    evaluation = hold(world, case, plan, "continue", zrm_scores={d[0].pk: 3, d[1].pk: None})
    case.refresh_from_db()
    assert case.stage == Stage.EXECUTION
    assert evaluation.held_on and evaluation.plan_version == plan
    assert evaluation.goal_progress.count() == 2
    assert set(Goal.objects.filter(plan_version=plan).values_list("progress", flat=True)) == {"on_track"}
    assert SelfRelianceScore.objects.filter(evaluation=evaluation).count() == 1
    assert AuditEvent.objects.filter(action="plan.evaluation_held").exists()
    with pytest.raises(ValidationError):  # held once only
        services.evaluation_hold(
            actor=world.case_director,
            evaluation=evaluation,
            held_on=timezone.localdate(),
            summary="Again",
            goal_progress={},
            decision="continue",
        )


def test_evaluation_needs_progress_for_every_goal(world):
    case, plan = running_case(world, goals=2)
    first = plan.goals.first()
    with pytest.raises(ValidationError) as exc:
        hold(world, case, plan, "continue", goal_progress={first.pk: ("achieved", "")})
    assert "goal_progress" in exc.value.message_dict
    assert not Evaluation.objects.filter(case=case, held_on__isnull=False).exists()


def test_evaluation_by_case_director_or_coordinator_only(world):
    case, plan = running_case(world)
    with pytest.raises(Http404):
        hold(world, case, plan, "continue", actor=world.team_member)
    hold(world, case, plan, "continue", actor=world.coordinator)


def test_evaluation_new_plan_version_moves_the_case_to_planning(world):
    case, plan = running_case(world)
    hold(world, case, plan, "new_plan_version", revise_reason="The couple does not separate after all.")
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    draft = PlanVersion.objects.get(case=case, status="draft")
    assert draft.number == 2 and draft.goals.get().progress == "on_track"


def test_evaluation_close_closes_the_case(world):
    case, plan = running_case(world)
    hold(world, case, plan, "close", close_outcome="goals_met", follow_up_on=later(180))
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closure.outcome == "goals_met" and case.closure.follow_up_on == later(180)


def test_evaluation_close_respects_the_open_requests_guard(world):
    from ketenplan.dossier.models import InformationRequest

    case, plan = running_case(world)
    InformationRequest.objects.create(
        case=case,
        to_organisation=world.shelter,
        question="Stay history?",
        due_on=later(5),
        requested_by=world.coordinator,
    )
    with pytest.raises(TransitionRefused):
        hold(world, case, plan, "close", close_outcome="goals_met")
    case.refresh_from_db()
    assert case.stage == Stage.EXECUTION
    assert not Evaluation.objects.filter(case=case, held_on__isnull=False).exists()
    hold(world, case, plan, "close", close_outcome="goals_met", confirm_open_requests=True)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


# --- overviews --------------------------------------------------------------------------


def test_my_actions_mine_and_my_organisations_due_soon(world):
    case, _plan = running_case(world)
    mine = new_action(world, case, due_on=later(3))
    colleague = new_action(world, case, owner=world.team_member, due_on=later(10))
    new_action(world, case, due_on=later(60))  # not due soon
    police = ProfessionalFactory(organisation=world.police, roles=[Role.PARTNER])
    new_action(world, case, owner=police, owner_organisation=world.police, due_on=later(2))
    rows = list(selectors.my_actions(user=world.case_director))
    assert rows == [mine, colleague]
    assert [r.is_mine for r in rows] == [True, False]
    assert len(selectors.my_actions(user=world.case_director, due_within_days=None)) == 3
    assert list(selectors.my_actions(user=world.outsider)) == []


def test_my_first_actions_are_the_first_of_my_actions_in_the_same_order(world):
    """The first few, read per owner (the user, the organisation) and merged: the same
    rows and order as the whole list gives, an action both mine and my organisation's
    once, nothing of another organisation or of a case the user may not see."""
    case, _plan = running_case(world)
    other_case, _ = running_case(world)
    late_mine = new_action(world, case, due_on=later(1))
    colleagues = [new_action(world, case, owner=world.team_member, due_on=later(d)) for d in (2, 4, 9)]
    mine = [new_action(world, other_case, due_on=later(d)) for d in (4, 6)]
    new_action(world, case, due_on=later(60))  # not due soon
    police = ProfessionalFactory(organisation=world.police, roles=[Role.PARTNER])
    new_action(world, case, owner=police, owner_organisation=world.police, due_on=later(0))
    everything = list(selectors.my_actions(user=world.case_director))
    assert everything == sorted([late_mine, *colleagues, *mine], key=lambda a: (a.due_on, a.pk))
    for limit in (1, 2, 3, 5, 6, 20):
        first = selectors.my_first_actions(user=world.case_director, limit=limit)
        assert first == everything[:limit], limit
        assert [a.is_mine for a in first] == [a.is_mine for a in everything[:limit]]
    assert selectors.my_first_actions(user=world.outsider, limit=5) == []
    assert selectors.my_first_actions(user=world.case_director, limit=0) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
def test_my_first_actions_are_read_from_the_owners_indexes_in_due_order(world):
    """Each owner's first actions come from its partial index in due order (migration
    plans 0007), so the scan stops after a few rows: with table scans and sorts off,
    PostgreSQL must still find such a plan (on a test's few rows it would rather read
    the table)."""
    case, _plan = running_case(world)
    new_action(world, case, due_on=later(3))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.my_first_actions(user=world.case_director, limit=10)
    firsts = [q["sql"] for q in queries if "LIMIT 10" in q["sql"] and 'FROM "plans_action"' in q["sql"]]
    assert len(firsts) == 2, firsts
    for sql, index in zip(firsts, ("action_owner_open_idx", "action_org_open_idx"), strict=True):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert index in plan and "Sort" not in plan, plan


def test_due_evaluations(world):
    case, _plan = running_case(world)
    first = Evaluation.objects.filter(case=case).order_by("due_on").first()
    before = first.due_on + timedelta(days=1)
    assert list(selectors.due_evaluations(user=world.team_member, before=before)) == [first]
    assert list(selectors.due_evaluations(user=world.outsider, before=before)) == []
    assert list(selectors.due_evaluations(user=world.team_member, before=first.due_on)) == []
