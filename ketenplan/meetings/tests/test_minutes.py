"""Decisions in the minutes move cases through the same guarded transitions as the case
page; a refused step shows its message and changes nothing; approved minutes never
change (a correction is a new version) and go to the attendees by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import AdmissibilityDecision, Case, RiskLevel, RiskWeighing, Stage, Transition
from ketenplan.cases.tests.factories import all_criteria, case_at, final_assessment, register
from ketenplan.meetings import services
from ketenplan.meetings.models import (
    ActionReview,
    AgendaItem,
    Decision,
    ImmutableMinutesError,
    MinutesVersion,
)
from ketenplan.methods.models import LifeDomain
from ketenplan.plans.models import Action, Evaluation, Goal, PlanVersion, SafetyMeasure

from .factories import meeting_now, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, django_capture_on_commit_callbacks):
    """A meeting taking place now with a registered, an intake and a weighing case."""
    cases = {
        "registered": register(world, family_label="Family Registered"),
        "intake": case_at(world, Stage.INTAKE, family_label="Family Intake"),
        "weighing": case_at(world, Stage.WEIGHING, family_label="Family Weighing"),
    }
    series = team(world)
    meeting = meeting_now(world, series)
    with django_capture_on_commit_callbacks():
        services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    items = {k: AgendaItem.objects.get(meeting=meeting, case=c) for k, c in cases.items()}
    return {"meeting": meeting, "cases": cases, "items": items, "series": series}


def refreshed(case):
    return Case.objects.get(pk=case.pk)


def test_decisions_move_cases_through_the_case_services(world, held):
    cases, items = held["cases"], held["items"]
    services.decision_record(
        actor=world.coordinator,
        item=items["registered"],
        kind="admissibility",
        answers=all_criteria(),
        text="All four criteria are met.",
    )
    services.decision_record(
        actor=world.coordinator, item=items["intake"], kind="intake_complete", text="Presented."
    )
    final_assessment(world, cases["weighing"], level=RiskLevel.HIGH)
    services.decision_record(
        actor=world.coordinator,
        item=items["weighing"],
        kind="risk_weighing",
        level=RiskLevel.HIGH,
        text="Strangulation and threats to kill.",
    )
    assert refreshed(cases["registered"]).stage == Stage.INTAKE
    assert refreshed(cases["intake"]).stage == Stage.DOSSIER
    weighed = refreshed(cases["weighing"])
    assert weighed.stage == Stage.PLANNING and weighed.risk_level == RiskLevel.HIGH
    # The same records the case page writes: a decision, the transition with its actor.
    assert AdmissibilityDecision.objects.get(case=cases["registered"]).admissible
    for key, step in [("registered", "admit"), ("intake", "start_dossier"), ("weighing", "weighed_high")]:
        assert Transition.objects.filter(case=cases[key], name=step, actor=world.coordinator).exists(), step
    minutes = MinutesVersion.objects.get(meeting=held["meeting"])
    assert minutes.is_draft
    assert list(minutes.decisions.values_list("kind", flat=True).order_by("pk")) == [
        "admissibility",
        "intake_complete",
        "risk_weighing",
    ]
    assert AuditEvent.objects.filter(
        action="meetings.decision_recorded", object_id=str(cases["weighing"].pk)
    ).exists()
    # The weighing in the minutes is the one on the risk page: it rests on the assessments.
    weighing = RiskWeighing.objects.get(case=cases["weighing"])
    assert weighing.basis.assessments.count() == 1 and weighing.basis.proposed_level == RiskLevel.HIGH


def test_a_weighing_in_the_minutes_needs_a_final_assessment_and_changes_nothing_without(world, held):
    case, item = held["cases"]["weighing"], held["items"]["weighing"]
    version = refreshed(case).version
    with pytest.raises(ValidationError, match="Finalise at least one assessment"):
        services.decision_record(
            actor=world.coordinator,
            item=item,
            kind="risk_weighing",
            level=RiskLevel.HIGH,
            text="Threats to kill.",
        )
    assert (refreshed(case).stage, refreshed(case).version) == (Stage.WEIGHING, version)
    assert not RiskWeighing.objects.filter(case=case).exists()
    assert not Decision.objects.filter(agenda_item=item).exists()


def test_a_weighing_in_the_minutes_may_not_be_lower_than_the_assessments(world, held):
    case, item = held["cases"]["weighing"], held["items"]["weighing"]
    final_assessment(world, case, level=RiskLevel.MEDIUM)
    with pytest.raises(ValidationError, match="never lower"):
        services.decision_record(
            actor=world.coordinator,
            item=item,
            kind="risk_weighing",
            level=RiskLevel.LOW,
            text="Calm.",
            advice="Keep in touch.",
        )
    assert refreshed(case).stage == Stage.WEIGHING
    services.decision_record(
        actor=world.coordinator,
        item=item,
        kind="risk_weighing",
        level=RiskLevel.MEDIUM,
        text="Calmer since the separation.",
        advice="Keep in touch with the family.",
    )
    closed = refreshed(case)
    assert (closed.stage, closed.closure_kind) == (Stage.CLOSED, "advice")
    assert closed.closure.advice == "Keep in touch with the family."


def test_not_admissible_closes_with_advice(world, held):
    case, item = held["cases"]["registered"], held["items"]["registered"]
    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=world.coordinator, item=item, kind="admissibility", answers=all_criteria(met=False)
        )
    assert "advice" in refused.value.message_dict
    assert refreshed(case).stage == Stage.REGISTERED
    services.decision_record(
        actor=world.coordinator,
        item=item,
        kind="admissibility",
        answers=all_criteria(met=False),
        advice="Continue with the local social team.",
    )
    assert refreshed(case).stage == Stage.CLOSED


def test_a_refused_transition_shows_its_message_and_changes_nothing(world, held):
    case, item = held["cases"]["intake"], held["items"]["intake"]
    before = (
        refreshed(case).stage,
        refreshed(case).version,
        Transition.objects.count(),
        Decision.objects.count(),
    )
    with pytest.raises(ValidationError) as refused:
        services.decision_record(actor=world.coordinator, item=item, kind="dossier_ready", text="Ready")
    assert "not possible while the case is at stage" in refused.value.messages[0]
    after = (
        refreshed(case).stage,
        refreshed(case).version,
        Transition.objects.count(),
        Decision.objects.count(),
    )
    assert before == after
    assert not MinutesVersion.objects.filter(meeting=held["meeting"]).exists()


def test_a_refused_transition_through_the_page(client, world, held):
    case, item, meeting = held["cases"]["intake"], held["items"]["intake"], held["meeting"]
    client.force_login(world.coordinator)
    url = f"/meetings/{meeting.pk}/minutes/items/{item.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    # Someone else takes the step on the case page meanwhile.
    from ketenplan.cases.services import intake_complete

    intake_complete(actor=world.coordinator, case=refreshed(case))
    response = client.post(url, {"kind": "intake_complete", "text": "Presented."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dossier" in html and ("not possible" in html or "niet mogelijk" in html)
    assert not Decision.objects.exists()

    # A stale form with the version it was opened at is refused as a conflict instead.
    response = client.post(url, {"kind": "dossier_ready", "text": "Ready", "expected_version": 1})
    assert response.status_code == 200
    assert refreshed(case).stage == Stage.DOSSIER


def test_a_decision_by_someone_who_may_not_take_the_step_is_refused(world, held):
    from django.http import Http404

    with pytest.raises(Http404):
        services.decision_record(
            actor=world.team_member, item=held["items"]["registered"], kind="note", text="x"
        )


def test_plan_approval_and_new_actions_through_the_plan_services(world):
    case = case_at(world, Stage.PLANNING, family_label="Family Planning")
    plan = PlanVersion.objects.create(case=case, number=1, created_by=world.coordinator)
    Goal.objects.create(
        plan_version=plan,
        life_domain=LifeDomain.objects.order_by("order").first(),
        description="Mother applies for a living wage within 3 weeks.",
        responsible_organisation=world.welfare,
        responsible_professional=world.case_director,
        due_on=timezone.localdate() + timedelta(days=21),
    )
    SafetyMeasure.objects.create(
        plan_version=plan, kind="direct", description="Exclusion order", responsible_organisation=world.police
    )
    series = team(world)
    # Starting now, not half an hour ago: just after midnight that would be yesterday, before
    # the case's registration, and the plan's approval would rightly be refused.
    meeting = meeting_now(world, series, started_minutes_ago=0)
    services.agenda_prepare(actor=world.coordinator, meeting=meeting)
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    assert item.kind == AgendaItem.Kind.PLAN
    services.decision_record(actor=world.coordinator, item=item, kind="plan_approval")
    plan.refresh_from_db()
    assert plan.status == PlanVersion.Status.APPROVED
    assert plan.approval_route == PlanVersion.ApprovedBy.TEAM_MEETING
    assert plan.meeting_date == meeting.local_start.date()
    assert Evaluation.objects.filter(case=case).exists()  # the method's evaluations were scheduled

    due = timezone.localdate() + timedelta(days=14)
    decision = services.decision_record(
        actor=world.coordinator,
        item=item,
        kind="action",
        text="Find temporary housing for mother and child.",
        owner=world.case_director,
        owner_organisation=world.welfare,
        due_on=due,
    )
    action = decision.action
    assert action.case_id == case.pk and action.owner == world.case_director and action.due_on == due
    assert AuditEvent.objects.filter(action="plan.action_created", object_id=str(action.pk)).exists()
    with pytest.raises(ValidationError):
        services.decision_record(
            actor=world.coordinator,
            item=item,
            kind="action",
            text="Talk to the school.",
            owner_organisation=world.addiction,
            due_on=due,
        )


def test_approved_minutes_are_immutable_and_a_correction_is_a_new_version(
    world, held, smtp_sink, django_capture_on_commit_callbacks
):
    meeting, items = held["meeting"], held["items"]
    note = services.decision_record(
        actor=world.coordinator, item=items["intake"], kind="note", text="Postponed."
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.minutes_approve(actor=world.coordinator, meeting=meeting)
    assert first.status == MinutesVersion.Status.APPROVED
    meeting.refresh_from_db()
    assert meeting.status == meeting.Status.HELD

    # E-mail to every attendee who was expected (not the substitute standing by).
    messages = smtp_sink.wait_for(3)
    recipients = sorted(r for env in smtp_sink.envelopes for r in env.rcpt_tos)
    assert recipients == sorted([world.coordinator.email, world.referrer.email, world.team_member.email])
    body = messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Family" not in body and f"/meetings/{meeting.pk}/minutes/" in body

    with pytest.raises(ValidationError) as refused:
        services.decision_record(
            actor=world.coordinator, item=items["intake"], kind="note", text="Late addition"
        )
    assert "correction" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.decision_correct_text(actor=world.coordinator, decision=note, text="Changed")
    with pytest.raises(ImmutableMinutesError):
        note.text = "Changed behind the service's back"
        note.save()
    assert Decision.objects.get(pk=note.pk).text == "Postponed."

    with pytest.raises(ValidationError):
        services.minutes_correct(actor=world.coordinator, meeting=meeting, reason="")
    draft = services.minutes_correct(actor=world.coordinator, meeting=meeting, reason="Wrong date mentioned.")
    assert draft.number == 2 and draft.supersedes_id == first.pk
    carried = draft.decisions.get()
    assert carried.carried_from_id == note.pk
    services.decision_correct_text(actor=world.coordinator, decision=carried, text="Postponed to next month.")
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_approve(actor=world.coordinator, meeting=meeting)
    versions = {v.number: v.status for v in MinutesVersion.objects.filter(meeting=meeting)}
    assert versions == {1: MinutesVersion.Status.SUPERSEDED, 2: MinutesVersion.Status.APPROVED}
    assert Decision.objects.get(pk=note.pk).text == "Postponed."  # version 1 stays as approved


def test_only_the_chair_approves(world, held):
    from django.http import Http404

    services.decision_record(
        actor=world.coordinator, item=held["items"]["intake"], kind="note", text="Noted."
    )
    with pytest.raises(Http404):
        services.minutes_approve(actor=world.team_member, meeting=held["meeting"])


def test_review_of_unfinished_actions_of_the_previous_meeting(world, django_capture_on_commit_callbacks):
    case = case_at(world, Stage.EXECUTION, family_label="Family Review")
    series = team(world)
    previous = meeting_now(world, series, started_minutes_ago=60 * 24 * 14)
    previous.ends_at = previous.starts_at + timedelta(hours=2)
    previous.save()
    services.agenda_item_add(actor=world.coordinator, meeting=previous, case=case)
    item = AgendaItem.objects.get(meeting=previous, case=case)
    due = timezone.localdate() + timedelta(days=3)
    done, changed, undone = (
        services.decision_record(
            actor=world.coordinator,
            item=item,
            kind="action",
            text=text,
            owner_organisation=world.welfare,
            due_on=due,
        ).action
        for text in ("Call the school", "Find housing", "Apply for a living wage")
    )
    with django_capture_on_commit_callbacks():
        services.minutes_approve(actor=world.coordinator, meeting=previous)
    Action.objects.filter(pk=done.pk).update(status=Action.Status.DONE)

    current = meeting_now(world, series)
    from ketenplan.meetings.selectors import actions_to_review, minutes_view

    assert set(actions_to_review(meeting=current)) == {changed, undone}
    services.action_review_record(
        actor=world.coordinator,
        meeting=current,
        action=changed,
        verdict="circumstances_changed",
        note="The family moved.",
    )
    services.action_review_record(actor=world.coordinator, meeting=current, action=undone, verdict="not_done")
    with pytest.raises(ValidationError):
        services.action_review_record(
            actor=world.coordinator, meeting=current, action=done, verdict="not_done"
        )
    verdicts = dict(ActionReview.objects.values_list("action_id", "verdict"))
    assert verdicts == {changed.pk: "circumstances_changed", undone.pk: "not_done"}
    view = minutes_view(user=world.coordinator, meeting=current)
    assert {r.action.pk: r.review.verdict for r in view.reviews} == verdicts


def test_minutes_page_shows_decisions_only_on_cases_the_viewer_sees(client, world, held):
    meeting, items = held["meeting"], held["items"]
    services.decision_record(
        actor=world.coordinator,
        item=items["registered"],
        kind="note",
        text="Ask the referrer for the police report.",
    )
    client.force_login(world.team_member)  # welfare does not take part in the registered case
    html = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Ask the referrer for the police report." not in html
    client.force_login(world.referrer)
    html = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "Ask the referrer for the police report." in html
