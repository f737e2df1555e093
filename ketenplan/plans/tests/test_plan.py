"""The plan: drafting, approval guards, versions, evaluations scheduled on approval."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from ketenplan.audit.models import AuditEvent
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import make_world
from ketenplan.core.exceptions import ConflictError
from ketenplan.plans import selectors, services
from ketenplan.plans.models import Action, Evaluation, Goal, PlanVersion, SafetyMeasure

from .factories import add_goal, add_measure, approve, draft_plan, later, planning_case, running_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


# --- drafting ---------------------------------------------------------------------------


def test_first_draft_is_version_one_and_audited(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.team_member, case=case, reason="")
    assert plan.number == 1 and plan.status == PlanVersion.Status.DRAFT
    assert AuditEvent.objects.filter(action="plan.draft_started", object_id=str(plan.pk)).exists()


def test_draft_only_in_planning(world):
    from ketenplan.cases.tests.factories import case_at

    case = case_at(world, Stage.DOSSIER)
    with pytest.raises(ValidationError) as exc:
        services.plan_draft_start(actor=world.coordinator, case=case)
    assert "Planning" in exc.value.messages[0]


def test_second_draft_refused(world):
    case = planning_case(world)
    services.plan_draft_start(actor=world.coordinator, case=case)
    with pytest.raises(ValidationError):
        services.plan_draft_start(actor=world.coordinator, case=case)


def test_outsider_cannot_draft(world):
    case = planning_case(world)
    with pytest.raises(Http404):
        services.plan_draft_start(actor=world.outsider, case=case)


def test_goal_organisation_must_take_part(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    with pytest.raises(ValidationError) as exc:
        add_goal(world, plan, responsible_organisation=world.addiction, responsible_professional=None)
    assert "responsible_organisation" in exc.value.message_dict


def test_goal_professional_must_work_for_the_organisation(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    with pytest.raises(ValidationError) as exc:
        add_goal(world, plan, responsible_professional=world.referrer)  # police, not welfare
    assert "responsible_professional" in exc.value.message_dict


def test_goal_due_date_not_in_the_past(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    with pytest.raises(ValidationError):
        add_goal(world, plan, due_on=date(2020, 1, 1))


def test_draft_edit_conflict_is_refused(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    read_version = plan.version
    add_goal(world, plan)  # someone else saves first
    goal = plan.goals.get()
    with pytest.raises(ConflictError) as exc:
        services.goal_update(
            actor=world.team_member,
            goal=goal,
            life_domain=goal.life_domain,
            description="Changed",
            responsible_organisation=world.welfare,
            responsible_professional=None,
            due_on=later(),
            expected_version=read_version,
        )
    assert world.coordinator.full_name in str(exc.value)
    goal.refresh_from_db()
    assert goal.description != "Changed"


def test_remove_goal_and_measure_from_draft(world):
    case = planning_case(world)
    plan = draft_plan(world, case, goals=2)
    goal = plan.goals.first()
    services.goal_remove(actor=world.coordinator, goal=goal, expected_version=plan.version)
    plan.refresh_from_db()
    measure = plan.safety_measures.first()
    services.safety_measure_remove(actor=world.coordinator, measure=measure, expected_version=plan.version)
    assert plan.goals.count() == 1 and plan.safety_measures.count() == 1


def test_approved_version_cannot_be_edited(world):
    _case, plan = running_case(world)
    goal = plan.goals.get()
    with pytest.raises((ValidationError, Http404)):
        services.goal_remove(actor=world.coordinator, goal=goal, expected_version=plan.version)
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_safety_measures_direct_first(world):
    case = planning_case(world)
    plan = services.plan_draft_start(actor=world.coordinator, case=case)
    add_measure(world, plan, kind=SafetyMeasure.Kind.STRUCTURAL)
    add_measure(world, plan, kind=SafetyMeasure.Kind.DIRECT)
    shown = selectors.plan_with_content(user=world.coordinator, case=case, number=1)
    assert [m.kind for m in shown.safety_measures.all()] == ["direct", "structural"]


# --- approval guards --------------------------------------------------------------------


def test_approval_needs_a_goal(world):
    case = planning_case(world)
    plan = draft_plan(world, case, goals=0)
    with pytest.raises(ValidationError) as exc:
        approve(world, plan)
    assert "no goals" in " ".join(exc.value.messages)
    plan.refresh_from_db()
    assert plan.status == PlanVersion.Status.DRAFT


def test_approval_needs_a_direct_safety_measure(world):
    case = planning_case(world)
    plan = draft_plan(world, case, measures=False)
    add_measure(world, plan, kind=SafetyMeasure.Kind.STRUCTURAL)
    with pytest.raises(ValidationError) as exc:
        approve(world, plan)
    assert "direct safety" in " ".join(exc.value.messages)


def test_approval_needs_complete_goals(world):
    case = planning_case(world)
    plan = draft_plan(world, case)
    add_goal(world, plan, n=5, responsible_professional=None)
    with pytest.raises(ValidationError) as exc:
        approve(world, plan)
    assert "responsible professional" in " ".join(exc.value.messages)


@pytest.mark.parametrize("persona", ["team_member", "case_director", "referrer", "outsider"])
def test_only_the_coordinator_approves(world, persona):
    case = planning_case(world)
    plan = draft_plan(world, case)
    with pytest.raises(Http404):
        services.plan_approve(
            actor=getattr(world, persona), plan=plan, route="coordinator", expected_version=plan.version
        )
    plan.refresh_from_db()
    assert plan.status == PlanVersion.Status.DRAFT


def test_team_meeting_route_needs_the_meeting_date(world):
    case = planning_case(world)
    plan = draft_plan(world, case)
    with pytest.raises(ValidationError) as exc:
        approve(world, plan, route=PlanVersion.ApprovedBy.TEAM_MEETING)
    assert "meeting_date" in exc.value.message_dict


def test_team_meeting_route_dates_the_plan_on_the_meeting(world):
    from django.utils import timezone

    case = planning_case(world)
    plan = draft_plan(world, case)
    today = timezone.localdate()
    approve(world, plan, route=PlanVersion.ApprovedBy.TEAM_MEETING, meeting_date=today)
    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.approval_route == "team_meeting" and plan.meeting_date == today
    assert case.plan_approved_on == today


def test_approval_leaves_execution_to_the_explicit_step(world):
    case = planning_case(world)
    approve(world, draft_plan(world, case))
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert AuditEvent.objects.filter(action="plan.approved").count() == 1
    case_services.execution_start(actor=world.case_director, case=case)
    case.refresh_from_db()
    assert case.stage == Stage.EXECUTION


# --- evaluations from the method profile ------------------------------------------------


@time_machine.travel("2027-01-31 10:00 +01:00", tick=False)
def test_ifg_evaluations_after_1_4_10_months_from_month_end():
    world = make_world()
    case = planning_case(world)
    approve(world, draft_plan(world, case))
    case.refresh_from_db()
    assert case.plan_approved_on == date(2027, 1, 31)
    due = list(Evaluation.objects.filter(case=case).order_by("due_on").values_list("milestone_key", "due_on"))
    assert due == [
        ("evaluation-1m", date(2027, 2, 28)),
        ("evaluation-4m", date(2027, 5, 31)),
        ("evaluation-10m", date(2027, 11, 30)),
    ]


@time_machine.travel("2028-01-31 10:00 +01:00", tick=False)
def test_ifg_month_end_in_a_leap_year():
    world = make_world()
    case = planning_case(world)
    approve(world, draft_plan(world, case))
    assert Evaluation.objects.get(case=case, milestone_key="evaluation-1m").due_on == date(2028, 2, 29)


def test_mdaplusplus_milestones_anchored_on_registration():
    world = make_world()
    world.region.method_profile = "mdaplusplus"
    world.region.save()
    with time_machine.travel("2027-03-01 09:00 +01:00", tick=False):
        case = planning_case(world)
    with time_machine.travel("2027-03-20 09:00 +01:00", tick=False):
        approve(world, draft_plan(world, case))
    due = dict(Evaluation.objects.filter(case=case).values_list("milestone_key", "due_on"))
    assert due == {
        "direct-safety": date(2027, 3, 8),
        "stable-safety-plan": date(2027, 3, 29),
        "stable-safety-carried-out": date(2027, 6, 1),
        "recovery": date(2028, 3, 1),
        "participation": date(2029, 3, 1),
    }


def test_evaluations_scheduled_only_once(world):
    case, _plan = running_case(world)
    count = Evaluation.objects.filter(case=case).count()
    assert count == 3
    services.plan_revise(actor=world.case_director, case=case, reason="The couple stays together.")
    draft = PlanVersion.objects.get(case=case, status="draft")
    approve(world, draft)
    assert Evaluation.objects.filter(case=case).count() == count


# --- new versions -----------------------------------------------------------------------


def test_revision_keeps_the_old_version_readable_and_comparable(world):
    case, plan = running_case(world, goals=3)
    old_goals = list(plan.goals.order_by("order"))
    draft = services.plan_revise(actor=world.case_director, case=case, reason="The couple stays together.")
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert draft.number == 2
    copies = list(draft.goals.order_by("order"))
    assert [g.copied_from_id for g in copies] == [g.pk for g in old_goals]
    assert draft.safety_measures.count() == plan.safety_measures.count()
    # Change one goal, remove one, add one.
    changed, removed = copies[0], copies[1]
    services.goal_update(
        actor=world.coordinator,
        goal=changed,
        life_domain=changed.life_domain,
        description="Father finds his own housing.",
        responsible_organisation=world.welfare,
        responsible_professional=world.case_director,
        due_on=changed.due_on,
        expected_version=draft.version,
    )
    draft.refresh_from_db()
    services.goal_remove(actor=world.coordinator, goal=removed, expected_version=draft.version)
    draft.refresh_from_db()
    add_goal(world, draft, n=7, description="The children see a trauma therapist.")
    approve(world, draft)
    plan.refresh_from_db()
    assert plan.status == PlanVersion.Status.SUPERSEDED and plan.superseded_at is not None
    old = selectors.plan_with_content(user=world.team_member, case=case, number=1)
    assert len(old.goals.all()) == 3
    comparison = selectors.plan_compare(user=world.team_member, case=case, old_number=1, new_number=2)
    assert comparison.counts == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    changed_row = next(r for r in comparison.goals if r.state == "changed")
    assert changed_row.changed_fields == ["description"]


def test_open_actions_move_to_the_new_goals(world):
    case, plan = running_case(world)
    goal = plan.goals.get()
    open_action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply for a living wage",
        owner=world.case_director,
        owner_organisation=world.welfare,
        due_on=later(10),
        goal=goal,
    )
    done_action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Intake at the welfare centre",
        owner=world.case_director,
        owner_organisation=world.welfare,
        due_on=later(5),
        goal=goal,
    )
    services.action_set_status(
        actor=world.case_director, action=done_action, status="done", expected_version=done_action.version
    )
    draft = services.plan_revise(actor=world.case_director, case=case, reason="Changed situation")
    new_goal = draft.goals.get()
    open_action.refresh_from_db()
    done_action.refresh_from_db()
    assert open_action.goal_id == new_goal.pk
    assert done_action.goal_id == goal.pk  # finished work stays with the old version


def test_removing_a_copied_goal_returns_its_actions(world):
    case, plan = running_case(world)
    goal = plan.goals.get()
    action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=None,
        owner_organisation=world.welfare,
        due_on=later(10),
        goal=goal,
    )
    draft = services.plan_revise(actor=world.case_director, case=case, reason="Changed situation")
    services.goal_remove(actor=world.coordinator, goal=draft.goals.get(), expected_version=draft.version)
    action.refresh_from_db()
    assert action.goal_id == goal.pk


def test_revise_refused_outside_execution(world):
    case = planning_case(world)
    from ketenplan.cases.workflow import TransitionRefused

    with pytest.raises(TransitionRefused):
        services.plan_revise(actor=world.coordinator, case=case, reason="x")


def test_draft_discard(world):
    case, plan = running_case(world)
    goal = plan.goals.get()
    action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=None,
        owner_organisation=world.welfare,
        due_on=later(10),
        goal=goal,
    )
    draft = services.plan_revise(actor=world.case_director, case=case, reason="Changed situation")
    services.plan_draft_discard(actor=world.coordinator, plan=draft, expected_version=draft.version)
    assert not PlanVersion.objects.filter(pk=draft.pk).exists()
    action.refresh_from_db()
    assert action.goal_id == goal.pk
    assert Action.objects.filter(case=case).count() == 1


def test_zrm_at_the_start(world):
    from ketenplan.plans.models import SelfRelianceScore

    from .factories import domains

    case = planning_case(world)
    d = domains()
    services.self_reliance_record(actor=world.coordinator, case=case, scores={d[0].pk: 1, d[1].pk: 3})
    assert SelfRelianceScore.objects.filter(case=case, evaluation=None).count() == 2
    with pytest.raises(ValidationError):
        services.self_reliance_record(actor=world.coordinator, case=case, scores={d[0].pk: 6})
