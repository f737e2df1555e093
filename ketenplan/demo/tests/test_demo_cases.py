"""The demo cases: about forty fictional families at every stage and with every outcome,
told through the real services and realistic in time. Seeded once for this module."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenplan.accounts.models import Professional, Role
from ketenplan.cases.models import Case, ClosureOutcome, Stage
from ketenplan.demo.cases import SCENARIOS
from ketenplan.dossier.models import Contribution, InformationRequest
from ketenplan.methods.schedule import add_months
from ketenplan.persons.models import ContactDetail
from ketenplan.persons.selectors import person_matches
from ketenplan.plans.models import (
    Action,
    Contact,
    Evaluation,
    PlanVersion,
    PoliceIntervention,
    Referral,
    SafetyMeasure,
    SelfRelianceScore,
    TraumaScreening,
)


@pytest.fixture
def cases(seeded):
    return Case.objects.filter(region=seeded)


def case_of(cases, scenario_key: str) -> Case:
    """The case told from the scenario with this key (found by its family's label and
    registration order; scenario keys are not stored)."""
    scenario = next(s for s in SCENARIOS if s.key == scenario_key)
    today = timezone.localdate()
    return cases.get(
        family_label=scenario.family,
        registered_at__date=today - timedelta(days=scenario.registered_days_ago),
    )


def test_about_forty_cases_at_every_stage_and_with_every_outcome(demo_db, cases):
    assert 35 <= cases.count() <= 45
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    outcomes = set(cases.filter(stage=Stage.CLOSED).values_list("closure__outcome", flat=True))
    assert outcomes == set(ClosureOutcome.values)
    assert f"{cases.count()} demo cases" in demo_db.output
    # Every stage has more than one case to look at, except where one is enough.
    for stage in Stage.values:
        assert cases.filter(stage=stage).count() >= 3, stage


def test_seeding_is_fast(demo_db):
    assert demo_db.cpu_seconds < 20


def test_every_case_page_opens_for_its_case_director(cases, client):
    coordinator = Professional.objects.get(email__startswith="annelies.vermeulen@")
    directors = 0
    for case in cases.select_related("case_director"):
        user = case.case_director or coordinator
        directors += case.case_director is not None
        client.force_login(user)
        response = client.get(f"/cases/{case.pk}/")
        assert response.status_code == 200, (case.family_label, case.stage)
        if case.plan_approved_on or case.stage == Stage.PLANNING:
            assert client.get(f"/cases/{case.pk}/plan/").status_code == 200, case.family_label
    assert directors >= 15
    directing = set(cases.exclude(case_director=None).values_list("case_director__full_name", flat=True))
    assert {"Nadia El Amrani", "Tom Goossens", "Pieter Van den Broeck", "Hilde Jacobs"} <= directing


def test_a_family_closed_eight_months_ago_is_registered_again_as_a_repeat(cases):
    repeat = cases.get(is_repeat=True)
    earlier = repeat.repeat_of

    assert repeat.stage == Stage.REGISTERED
    assert earlier.stage == Stage.CLOSED
    months_ago = (timezone.now() - earlier.closed_at).days / 30.4
    assert 7.5 <= months_ago <= 8.5
    assert set(repeat.members.values_list("person", flat=True)) == set(
        earlier.members.values_list("person", flat=True)
    )
    # The police came back after the closure: the follow-up's "after".
    assert earlier.police_interventions.filter(occurred_on__gt=earlier.closed_at.date()).exists()


def test_a_spelling_variant_of_a_known_person_is_proposed_at_registration(cases):
    waiting = case_of(cases, "ouhadi")
    variant = waiting.members.get(person__given_names="Mohammed").person
    coordinator = Professional.objects.get(email__startswith="annelies.vermeulen@")

    matches = person_matches(
        user=coordinator,
        given_names=variant.given_names,
        family_name=variant.family_name,
        birth_date=variant.birth_date,
    )

    known = [m.person for m in matches if m.person.pk != variant.pk]
    assert [p.given_names for p in known] == ["Mohamed"]
    assert waiting.stage == Stage.REGISTERED and not waiting.is_repeat


def test_not_admissible_and_low_or_medium_risk_close_with_advice(cases):
    not_admissible = cases.filter(closure__outcome=ClosureOutcome.NOT_ADMISSIBLE)
    not_high = cases.filter(closure__outcome=ClosureOutcome.RISK_NOT_HIGH)

    assert not_admissible.count() >= 2 and not_high.count() >= 2
    for case in [*not_admissible, *not_high]:
        assert case.closure.advice
    assert set(not_high.values_list("risk_level", flat=True)) == {"low", "medium"}


def test_every_weighing_rests_on_final_assessments_made_before_it(cases):
    """As on the risk page: a final DASH-style checklist behind each weighed case, its
    level the one the team confirmed (never lower), finalised before the weighing."""
    from ketenplan.cases.models import RiskWeighing

    weighings = RiskWeighing.objects.filter(case__in=cases).select_related("basis", "case")
    assert weighings.count() == cases.exclude(risk_level="").count() >= 10
    levels = {"low": 0, "medium": 1, "high": 2}
    for weighing in weighings:
        assessments = list(weighing.basis.assessments.all())
        assert assessments, weighing.case.family_label
        assert weighing.basis.proposed_level == weighing.level == weighing.case.risk_level
        for assessment in assessments:
            assert assessment.status == "final" and assessment.case_id == weighing.case_id
            assert levels[assessment.level] <= levels[weighing.level]
            assert weighing.case.registered_at < assessment.assessed_at < weighing.decided_at


def test_the_dossier_has_partners_per_life_domain_and_requests_in_every_state(cases):
    in_dossier = cases.filter(stage=Stage.DOSSIER)
    today = timezone.localdate()
    for case in in_dossier:
        contributions = Contribution.objects.filter(case=case)
        assert contributions.values("life_domain").distinct().count() >= 3, case.family_label
        assert contributions.values("organisation").distinct().count() >= 3, case.family_label
    requests = InformationRequest.objects.filter(case__in=in_dossier)
    assert requests.filter(status=InformationRequest.Status.ANSWERED).exists()
    assert requests.filter(status=InformationRequest.Status.OPEN, due_on__gte=today).exists()
    assert requests.filter(status=InformationRequest.Status.OPEN, due_on__lt=today).exists()  # overdue


def test_plans_have_goals_per_life_domain_and_direct_and_structural_safety(cases):
    in_execution = cases.filter(stage=Stage.EXECUTION)
    for case in in_execution:
        plan = PlanVersion.objects.get(case=case, status=PlanVersion.Status.APPROVED)
        assert plan.goals.values("life_domain").distinct().count() >= 3, case.family_label
        kinds = set(plan.safety_measures.values_list("kind", flat=True))
        assert kinds == set(SafetyMeasure.Kind.values), case.family_label


def test_planning_has_drafts_and_a_revision_keeps_the_old_version(cases):
    planning = cases.filter(stage=Stage.PLANNING)
    assert all(PlanVersion.objects.filter(case=c, status="draft").exists() for c in planning)
    revised = planning.filter(plan_versions__number=2).get()
    assert revised.plan_versions.filter(number=1, status=PlanVersion.Status.APPROVED).exists()
    assert revised.transitions.filter(name="revise_plan").exists()
    # And one family lives by its second, approved version.
    assert PlanVersion.objects.filter(
        case__in=cases, status=PlanVersion.Status.SUPERSEDED, case__stage=Stage.EXECUTION
    ).exists()


def test_execution_shows_everything_a_case_director_follows(cases):
    open_cases = cases.exclude(stage=Stage.CLOSED)
    today = timezone.localdate()
    actions = Action.objects.filter(case__in=open_cases)
    assert set(actions.values_list("status", flat=True)) == set(Action.Status.values)
    assert actions.filter(status__in=Action.OPEN_STATUSES, due_on__lt=today).exists()  # late
    kinds = set(Contact.objects.filter(case__in=cases).values_list("kind", flat=True))
    assert kinds == set(Contact.Kind.values)
    assert Referral.objects.filter(case__in=open_cases, status=Referral.Status.WAITING).exists()
    screenings = TraumaScreening.objects.filter(case__in=cases)
    assert screenings.filter(done_on__isnull=False, treatment_started_on__isnull=False).exists()
    assert screenings.filter(done_on__isnull=True, declined=False).exists()
    assert screenings.filter(declined=True).exists()
    scores = SelfRelianceScore.objects.filter(case__in=cases)
    assert scores.filter(evaluation=None).exists() and scores.exclude(evaluation=None).exists()
    for case in cases.filter(stage=Stage.EXECUTION):
        registered = case.registered_at.date()
        assert case.police_interventions.filter(occurred_on__lt=registered).exists(), case.family_label
    assert PoliceIntervention.objects.filter(case__in=cases).count() >= 40


def test_evaluations_follow_the_method_profile_one_is_late(cases):
    today = timezone.localdate()
    open_evaluations = Evaluation.objects.filter(case__in=cases.exclude(stage=Stage.CLOSED))
    late = open_evaluations.filter(held_on=None, due_on__lt=today)
    assert late.count() == 1
    assert open_evaluations.filter(held_on__isnull=False).exists()
    assert open_evaluations.filter(held_on=None, due_on__gte=today).exists()

    # Registered seven months ago, in execution: held at 1 and 4 months, 10 months ahead.
    dhondt = case_of(cases, "dhondt")
    assert 6.5 <= (timezone.now() - dhondt.registered_at).days / 30.4 <= 7.5
    by_key = {e.milestone_key: e for e in dhondt.evaluations.all()}
    for key, months in (("evaluation-1m", 1), ("evaluation-4m", 4), ("evaluation-10m", 10)):
        assert by_key[key].due_on == add_months(dhondt.plan_approved_on, months)
    assert by_key["evaluation-1m"].held_on and by_key["evaluation-4m"].held_on
    assert by_key["evaluation-10m"].held_on is None and by_key["evaluation-10m"].due_on > today


def test_closures_have_follow_up_dates_and_one_follow_up_is_recorded(cases):
    outcome_closures = [c.closure for c in cases.filter(closure__kind="outcome")]
    assert all(c.follow_up_on for c in outcome_closures)
    assert {c.follow_up_on > timezone.localdate() for c in outcome_closures} == {True, False}
    recorded = [c for c in outcome_closures if c.follow_up_done_at]
    assert len(recorded) == 1
    assert recorded[0].follow_up_note
    assert recorded[0].follow_up_done_at.date() >= recorded[0].follow_up_on


def test_histories_are_realistic_in_time(cases):
    now = timezone.now()
    for case in cases.prefetch_related("transitions"):
        moments = [t.at for t in case.transitions.all()]
        assert moments == sorted(moments), case.family_label
        assert moments[0] == case.registered_at, case.family_label
        assert case.stage_changed_at == moments[-1], case.family_label
        assert moments[-1] <= now
        if case.stage == Stage.CLOSED:
            assert case.closed_at == case.closure.closed_at == moments[-1], case.family_label
        assert case.reference.startswith(f"{case.registered_at.year}-")
        completed = Action.objects.filter(case=case).exclude(completed_at=None)
        later = [
            *Contribution.objects.filter(case=case).values_list("created_at", flat=True),
            *Contact.objects.filter(case=case).values_list("at", flat=True),
            *completed.values_list("completed_at", flat=True),
        ]
        assert all(case.registered_at <= at <= now for at in later), case.family_label
    # Histories span well over a year, not one afternoon.
    oldest = cases.order_by("registered_at").first()
    assert (now - oldest.registered_at).days > 540


def test_clearly_fictional_and_a_shelter_address_stays_confidential(cases):
    details = ContactDetail.objects.filter(person__case_memberships__case__in=cases).distinct()
    emails = details.filter(kind=ContactDetail.Kind.EMAIL).values_list("value", flat=True)
    assert emails and all(e.endswith(".example") for e in emails)
    shelter = details.filter(is_confidential=True)
    assert shelter.exists()
    assert {d.recorded_by_organisation.type for d in shelter} == {"shelter"}
    # A family that moved to the shelter later keeps its old address, ended.
    assert details.filter(kind=ContactDetail.Kind.ADDRESS, valid_until__isnull=False).exists()


def test_the_right_people_did_the_work(cases):
    coordinator_steps = {"admit", "not_admissible", "start_dossier", "ready_for_weighing"}
    for case in cases.prefetch_related("transitions__actor"):
        for transition in case.transitions.all():
            if transition.name in coordinator_steps:
                assert transition.actor.has_role(Role.COORDINATOR), (case.family_label, transition.name)
        assert case.registered_by.has_role(Role.REFERRER), case.family_label
    referrers = set(cases.values_list("registered_by__full_name", flat=True))
    assert "Koen Peeters" in referrers and len(referrers) >= 4
