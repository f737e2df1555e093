"""Every transition of the case path, allowed and refused, at the service level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases import services, workflow
from ketenplan.cases.models import (
    AdmissibilityDecision,
    Case,
    CaseMember,
    Closure,
    ClosureKind,
    ClosureOutcome,
    RiskLevel,
    RiskWeighing,
    Stage,
    Transition,
)
from ketenplan.cases.tests.factories import (
    all_criteria,
    approve_plan,
    case_at,
    final_assessment,
    make_world,
    next_year,
    register,
    weigh,
)
from ketenplan.cases.workflow import STEPS, TransitionRefused
from ketenplan.core import policy
from ketenplan.core.exceptions import ConflictError
from ketenplan.risk import services as risk_services
from ketenplan.risk.models import Instrument

pytestmark = pytest.mark.django_db

ALL_STAGES = list(Stage.values)


def _revise_plan(w, case, **kw):
    with transaction.atomic():
        return workflow.move(case=case, step="revise_plan", actor=w.case_director, **kw)


# How each step is taken through its service (the one way in), by a persona allowed to.
TAKE = {
    "admit": lambda w, c, **kw: services.admissibility_decide(
        actor=w.coordinator, case=c, answers=all_criteria(), **kw
    ),
    "not_admissible": lambda w, c, **kw: services.admissibility_decide(
        actor=w.coordinator, case=c, answers=all_criteria(False),
        advice="Ask the general welfare centre for family support.", **kw
    ),
    "start_dossier": lambda w, c, **kw: services.intake_complete(
        actor=w.coordinator, case=c, note="Presented at the team meeting.", **kw
    ),
    "ready_for_weighing": lambda w, c, **kw: services.dossier_ready(
        actor=w.coordinator, case=c, note="All partners contributed.", **kw
    ),
    "weighed_high": lambda w, c, **kw: risk_services.weighing_confirm(
        actor=w.coordinator, case=c, level=RiskLevel.HIGH, reasoning="Threats to kill.", **kw
    ),
    "weighed_not_high": lambda w, c, **kw: risk_services.weighing_confirm(
        actor=w.coordinator, case=c, level=RiskLevel.MEDIUM, reasoning="No escalation.",
        advice="Keep following the family; call us when it escalates.", **kw
    ),
    "start_execution": lambda w, c, **kw: services.execution_start(actor=w.coordinator, case=c, **kw),
    "revise_plan": _revise_plan,
    "close": lambda w, c, **kw: services.case_close(
        actor=w.coordinator, case=c, outcome=ClosureOutcome.VIOLENCE_STOPPED,
        note="No new incidents.", follow_up_on=next_year(), **kw
    ),
}


def _ready_for(world, case: Case, step: str) -> Case:
    """Satisfy the guards of ``step`` so only the stage decides."""
    if step in ("weighed_high", "weighed_not_high") and case.stage == Stage.WEIGHING:
        level = RiskLevel.HIGH if step == "weighed_high" else RiskLevel.MEDIUM
        final_assessment(world, case, level=level)
    if step == "start_execution" and case.stage == Stage.PLANNING:
        services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
        approve_plan(world, case)
        case.refresh_from_db()
    return case


def snapshot(case: Case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "stage": fresh.stage,
        "version": fresh.version,
        "risk_level": fresh.risk_level,
        "closed_at": fresh.closed_at,
        "case_director": fresh.case_director_id,
        "transitions": Transition.objects.filter(case=case).count(),
        "decisions": AdmissibilityDecision.objects.filter(case=case).count(),
        "weighings": RiskWeighing.objects.filter(case=case).count(),
        "closures": Closure.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.count(),
    }


WRONG = [(step, stage) for step in STEPS for stage in ALL_STAGES if stage not in STEPS[step].sources]
RIGHT = [(step, stage) for step in STEPS for stage in STEPS[step].sources]


def test_the_tables_cover_every_step():
    assert set(TAKE) == set(STEPS)
    assert len(WRONG) + len(RIGHT) == len(STEPS) * len(ALL_STAGES)


@pytest.mark.parametrize(("step", "stage"), WRONG)
def test_a_step_from_a_wrong_stage_is_refused_and_changes_nothing(step, stage):
    world = make_world()
    case = case_at(world, stage)
    before = snapshot(case)
    with pytest.raises(TransitionRefused) as refused:
        TAKE[step](world, case)
    assert str(Stage(stage).label) in str(refused.value)
    assert "not possible" in str(refused.value)
    assert snapshot(case) == before


@pytest.mark.parametrize(("step", "stage"), RIGHT)
def test_an_allowed_step_records_who_when_why_and_an_audit_row(step, stage):
    world = make_world()
    case = _ready_for(world, case_at(world, stage), step)
    before = timezone.now()
    transitions = Transition.objects.filter(case=case).count()
    version = Case.objects.get(pk=case.pk).version
    TAKE[step](world, case)

    fresh = Case.objects.get(pk=case.pk)
    assert fresh.stage == STEPS[step].target
    assert fresh.version > version
    assert Transition.objects.filter(case=case).count() == transitions + 1
    last = Transition.objects.filter(case=case).latest("at", "id")
    assert (last.name, last.from_stage, last.to_stage) == (step, stage, STEPS[step].target)
    assert last.actor_id is not None
    assert before <= last.at <= timezone.now()
    if step not in ("start_execution", "revise_plan"):
        assert last.reason  # why: the note, reasoning or advice
    event = AuditEvent.objects.filter(action=f"case.{step}", object_id=str(case.pk)).get()
    assert event.actor_id == last.actor_id
    assert event.detail == {"from": stage, "to": STEPS[step].target}


def test_registration_is_recorded_as_the_first_transition_with_an_audit_row():
    world = make_world()
    case = register(world)
    first = case.transitions.get()
    assert (first.name, first.from_stage, first.to_stage) == ("register", "", Stage.REGISTERED)
    assert first.actor == world.referrer and first.at == case.registered_at
    assert AuditEvent.objects.filter(action="case.registered", object_id=str(case.pk)).exists()


def test_team_members_of_participating_partners_weigh_and_the_case_director_starts_execution():
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    services.dossier_ready(actor=world.team_member, case=case)
    weigh(world, case, actor=world.team_member)
    _ready_for(world, case, "start_execution")
    services.execution_start(actor=world.case_director, case=case)
    actors = list(case.transitions.order_by("at", "id").values_list("actor_id", flat=True))
    assert actors[-3:] == [world.team_member.pk, world.team_member.pk, world.case_director.pk]


# --- Guards --------------------------------------------------------------------------------


def test_no_execution_without_an_approved_plan():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
    case.refresh_from_db()
    before = snapshot(case)
    with pytest.raises(TransitionRefused, match="plan must be approved"):
        services.execution_start(actor=world.case_director, case=case)
    assert snapshot(case) == before


def test_no_execution_without_a_case_director():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    approve_plan(world, case)
    case.refresh_from_db()
    before = snapshot(case)
    with pytest.raises(TransitionRefused, match="case director"):
        services.execution_start(actor=world.coordinator, case=case)
    assert snapshot(case) == before


def _open_request(world, case):
    from ketenplan.dossier.models import InformationRequest

    return InformationRequest.objects.create(
        case=case, to_organisation=world.police, question="Police reports of the last year?",
        due_on=timezone.localdate() + timedelta(days=7), requested_by=world.coordinator,
    )


def test_no_closure_with_open_information_requests_unless_confirmed():
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    _open_request(world, case)
    before = snapshot(case)
    with pytest.raises(TransitionRefused, match="information request"):
        TAKE["close"](world, case)
    assert snapshot(case) == before

    TAKE["close"](world, case, confirm_open_requests=True)
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closure_kind == ClosureKind.OUTCOME


def test_answered_information_requests_do_not_hold_closure():
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    request = _open_request(world, case)
    type(request).objects.filter(pk=request.pk).update(
        status="answered", answered_at=timezone.now(), answer="Two call-outs."
    )
    TAKE["close"](world, case)
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


def test_not_admissible_needs_written_advice():
    world = make_world()
    case = register(world)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.admissibility_decide(actor=world.coordinator, case=case, answers=all_criteria(False))
    assert "advice" in error.value.message_dict
    assert snapshot(case) == before


def test_admissible_only_when_all_four_criteria_are_met():
    world = make_world()
    case = register(world)
    answers = all_criteria()
    answers[AdmissibilityDecision.Criterion.HELP_STUCK] = {"met": False, "note": "Help is going well."}
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:  # three of four: not admissible, so advice
        services.admissibility_decide(actor=world.coordinator, case=case, answers=answers)
    assert "advice" in error.value.message_dict
    assert snapshot(case) == before

    decision = services.admissibility_decide(
        actor=world.coordinator, case=case, answers=answers, advice="Continue the current help."
    )
    case.refresh_from_db()
    assert decision.admissible is False
    assert case.stage == Stage.CLOSED and case.closure_kind == ClosureKind.ADVICE
    assert case.closure.outcome == ClosureOutcome.NOT_ADMISSIBLE
    assert case.closure.advice == "Continue the current help."


@pytest.mark.parametrize("broken", ["unanswered", "no_note"])
def test_every_criterion_needs_an_answer_and_a_note(broken):
    world = make_world()
    case = register(world)
    answers = all_criteria()
    if broken == "unanswered":
        del answers[AdmissibilityDecision.Criterion.COMPLEX]
    else:
        answers[AdmissibilityDecision.Criterion.COMPLEX]["note"] = "  "
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.admissibility_decide(actor=world.coordinator, case=case, answers=answers)
    assert AdmissibilityDecision.Criterion.COMPLEX in error.value.message_dict
    assert snapshot(case) == before


@pytest.mark.parametrize("level", [RiskLevel.LOW, RiskLevel.MEDIUM])
def test_low_or_medium_risk_needs_advice_and_then_closes_with_advice(level):
    world = make_world()
    case = case_at(world, Stage.WEIGHING)
    final_assessment(world, case, level=level)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        risk_services.weighing_confirm(actor=world.coordinator, case=case, level=level, reasoning="Calm now.")
    assert "advice" in error.value.message_dict
    assert snapshot(case) == before

    risk_services.weighing_confirm(
        actor=world.coordinator, case=case, level=level, reasoning="Calm now.", advice="Keep in touch."
    )
    case.refresh_from_db()
    assert (case.stage, case.risk_level, case.closure_kind) == (Stage.CLOSED, level, ClosureKind.ADVICE)
    assert case.closure.outcome == ClosureOutcome.RISK_NOT_HIGH
    assert case.closure.advice == "Keep in touch."


def test_high_risk_goes_on_to_the_plan_with_the_teams_reasoning():
    world = make_world()
    case = case_at(world, Stage.WEIGHING)
    weigh(world, case, level=RiskLevel.HIGH, reasoning="DASH 16; threats to kill.")
    case.refresh_from_db()
    assert (case.stage, case.risk_level, case.closure_kind) == (Stage.PLANNING, RiskLevel.HIGH, "")
    assert not Closure.objects.filter(case=case).exists()
    assert case.transitions.latest("at", "id").reason == "DASH 16; threats to kill."
    assert RiskWeighing.objects.get(case=case).reasoning == "DASH 16; threats to kill."


@pytest.mark.parametrize("step", ["weighed_high", "weighed_not_high"])
def test_the_workflow_refuses_to_weigh_without_a_final_assessment(step):
    """The guard holds whichever way in is tried, even the routing service directly."""
    world = make_world()
    case = case_at(world, Stage.WEIGHING)
    victim = next(m for m in case.members.all() if "victim" in m.roles)
    risk_services.assessment_start(  # a draft does not count
        actor=world.coordinator, case=case, instrument=Instrument.objects.get(key="dash"), member=victim
    )
    before = snapshot(case)
    assert workflow.refusal(case, step) == "Finalise at least one assessment before the team weighs the risk."
    with pytest.raises(TransitionRefused, match="Finalise at least one assessment"):
        services.risk_weighing_record(
            actor=world.coordinator, case=case,
            level=RiskLevel.HIGH if step == "weighed_high" else RiskLevel.LOW,
            reasoning="A free level.", advice="Advice.",
        )
    with pytest.raises(ValidationError, match="Finalise at least one assessment"):
        TAKE[step](world, case)
    assert snapshot(case) == before


def test_goals_can_only_be_met_after_execution():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    with pytest.raises(ValidationError):
        services.case_close(actor=world.coordinator, case=case, outcome=ClosureOutcome.GOALS_MET)
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING


def test_the_follow_up_date_lies_in_the_future():
    world = make_world()
    case = case_at(world, Stage.EXECUTION)
    with pytest.raises(ValidationError) as error:
        services.case_close(
            actor=world.case_director, case=case, outcome=ClosureOutcome.GOALS_MET,
            follow_up_on=timezone.localdate(),
        )
    assert "follow_up_on" in error.value.message_dict


def test_follow_up_is_recorded_once_and_only_after_closure():
    world = make_world()
    open_case = case_at(world, Stage.EXECUTION)
    with pytest.raises(ValidationError, match="closed"):
        services.closure_follow_up_record(actor=world.case_director, case=open_case, note="Quiet.")
    case = case_at(world, Stage.CLOSED)
    services.closure_follow_up_record(actor=world.case_director, case=case, note="No new registration.")
    with pytest.raises(ValidationError):
        services.closure_follow_up_record(actor=world.case_director, case=case, note="Again.")
    assert Closure.objects.get(case=case).follow_up_note == "No new registration."
    assert AuditEvent.objects.filter(action="case.follow_up_recorded", object_id=str(case.pk)).count() == 1


# --- Case director -------------------------------------------------------------------------


def test_replacing_the_case_director_keeps_the_history():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
    services.case_director_appoint(
        actor=world.coordinator, case=case, professional=world.team_member, reason="Leave of absence."
    )
    history = list(case.director_assignments.order_by("started_at", "pk"))
    assert [a.professional for a in history] == [world.case_director, world.team_member]
    assert history[0].ended_at is not None and history[1].ended_at is None
    assert Case.objects.get(pk=case.pk).case_director == world.team_member


def test_a_case_director_must_come_from_a_participating_organisation_with_a_suitable_role():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    for professional in (world.outsider, world.analyst):  # no participation / no suitable role
        with pytest.raises(ValidationError):
            services.case_director_appoint(actor=world.coordinator, case=case, professional=professional)
    assert Case.objects.get(pk=case.pk).case_director is None


def test_partners_need_a_signed_agreement():
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    with pytest.raises(ValidationError) as error:
        services.participation_add(actor=world.coordinator, case=case, organisation=world.unsigned_org)
    assert "organisation" in error.value.message_dict
    services.participation_add(
        actor=world.coordinator, case=case, organisation=world.shelter, reason="Housing"
    )
    assert case.participations.filter(organisation=world.shelter, until__isnull=True).exists()


# --- Who may ---------------------------------------------------------------------------------

OUTSIDER_CALLS = {
    "admissibility": lambda w, c, u: services.admissibility_decide(actor=u, case=c, answers=all_criteria()),
    "intake": lambda w, c, u: services.intake_complete(actor=u, case=c),
    "dossier_ready": lambda w, c, u: services.dossier_ready(actor=u, case=c),
    "weighing": lambda w, c, u: risk_services.weighing_confirm(
        actor=u, case=c, level=RiskLevel.HIGH, reasoning="x"
    ),
    "director": lambda w, c, u: services.case_director_appoint(actor=u, case=c, professional=w.case_director),
    "execution": lambda w, c, u: services.execution_start(actor=u, case=c),
    "close": lambda w, c, u: services.case_close(actor=u, case=c, outcome=ClosureOutcome.FAMILY_MOVED),
    "partner": lambda w, c, u: services.participation_add(actor=u, case=c, organisation=w.shelter),
    "member": lambda w, c, u: services.case_member_add(
        actor=u, case=c, spec=services.MemberSpec(roles=["relative"], new_person={
            "given_names": "Ria", "family_name": "Peeters"})
    ),
}
STAGE_FOR = {
    "admissibility": Stage.REGISTERED, "intake": Stage.INTAKE, "dossier_ready": Stage.DOSSIER,
    "weighing": Stage.WEIGHING, "director": Stage.PLANNING, "execution": Stage.PLANNING,
    "close": Stage.DOSSIER, "partner": Stage.DOSSIER, "member": Stage.DOSSIER,
}
# A participant whose role does not allow the step.
WRONG_ROLE = {
    "admissibility": "team_member", "intake": "referrer", "dossier_ready": "case_director",
    "weighing": "case_director", "director": "team_member", "execution": "referrer",
    "close": "team_member", "partner": "referrer",
}


def test_the_case_view_rule_reads_the_same_on_cases_and_on_the_rows_of_a_case():
    """``case.view`` is written once (a condition rule): the scope of cases and the
    condition on rows of other models (members here) agree for every persona."""
    from ketenplan.cases.selectors import case_visible_q

    world = make_world()
    seen_case = case_at(world, Stage.DOSSIER)
    closed = case_at(world, Stage.DOSSIER)
    services.case_close(actor=world.coordinator, case=closed, outcome=ClosureOutcome.FAMILY_MOVED)
    inactive = ProfessionalFactory(organisation=world.coordination, roles=[Role.COORDINATOR])
    inactive.is_active = False
    for who in ("coordinator", "referrer", "team_member", "case_director", "outsider", "unsigned", "analyst"):
        user = getattr(world, who)
        cases = set(policy.scope(user, "case.view", Case.objects.all()))
        members = CaseMember.objects.filter(case_visible_q(user=user))
        assert {m.case for m in members} == cases, who
        open_members = CaseMember.objects.filter(case_visible_q(user=user, open_only=True))
        assert {m.case for m in open_members} == cases - {closed}, who
        if who == "coordinator":
            assert cases == {seen_case, closed}
        if who in ("outsider", "unsigned", "analyst"):
            assert cases == set()
    for nobody in (inactive, AnonymousUser()):
        assert not policy.scope(nobody, "case.view", Case.objects.all()).exists()
        assert not CaseMember.objects.filter(case_visible_q(user=nobody)).exists()


@pytest.mark.parametrize("call", list(OUTSIDER_CALLS))
def test_outsiders_are_refused_as_not_found(call):
    world = make_world()
    case = case_at(world, STAGE_FOR[call])
    before = snapshot(case)
    with pytest.raises(Http404):
        OUTSIDER_CALLS[call](world, case, world.outsider)
    assert snapshot(case) == before


@pytest.mark.parametrize("call", list(WRONG_ROLE))
def test_participants_with_the_wrong_role_are_refused(call):
    world = make_world()
    case = case_at(world, STAGE_FOR[call])
    before = snapshot(case)
    with pytest.raises(Http404):
        OUTSIDER_CALLS[call](world, case, getattr(world, WRONG_ROLE[call]))
    assert snapshot(case) == before


@pytest.mark.parametrize("persona", ["unsigned", "analyst"])
def test_only_professionals_of_signed_partners_register(persona):
    world = make_world()
    with pytest.raises(PermissionDenied):
        register(world, actor=getattr(world, persona))
    assert not Case.objects.exists()


# --- Optimistic locking --------------------------------------------------------------------


@pytest.mark.parametrize("step", ["admit", "start_dossier", "ready_for_weighing", "weighed_high", "close"])
def test_a_stale_version_is_a_conflict_and_changes_nothing(step):
    world = make_world()
    stage = STEPS[step].sources[0]
    case = _ready_for(world, case_at(world, stage), step)
    stale = case.version
    services.participation_add(actor=world.coordinator, case=case, organisation=world.shelter)  # someone else
    before = snapshot(case)
    with pytest.raises(ConflictError) as conflict:
        TAKE[step](world, case, expected_version=stale)
    assert world.coordinator.full_name in str(conflict.value)
    assert snapshot(case) == before


def test_appointing_a_case_director_with_a_stale_version_is_a_conflict():
    world = make_world()
    case = case_at(world, Stage.PLANNING)
    stale = case.version
    services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
    with pytest.raises(ConflictError):
        services.case_director_appoint(
            actor=world.coordinator, case=case, professional=world.team_member, expected_version=stale
        )
    assert Case.objects.get(pk=case.pk).case_director == world.case_director


def test_steps_that_share_a_guard_ask_it_once():
    """The two weighing steps both need a final assessment: the case page asks once and
    gives both the same answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ketenplan.cases.tests.factories import case_at

    world = make_world()
    case = case_at(world, Stage.WEIGHING)
    steps = workflow.available_steps(case)
    assert {s.name for s in steps} == {"weighed_high", "weighed_not_high", "close"}
    with CaptureQueriesContext(connection) as queries:
        reasons = workflow.refusals(case, steps, {"close": {"confirm_open_requests": True}})
    assert [q["sql"] for q in queries].count(queries[0]["sql"]) == 1
    assert len(queries) == 2  # the assessment once, the open requests once
    assert reasons["weighed_high"] == reasons["weighed_not_high"]
    assert reasons["weighed_high"] == workflow.refusal(case, "weighed_high")
    assert reasons["close"] is None
