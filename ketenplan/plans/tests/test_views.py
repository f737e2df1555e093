"""The plan and execution pages: rendering, forms through the browser's path (POST,
redirect, GET), htmx partial updates, refusals shown in place, and access."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.persons.models import Person
from ketenplan.plans import services
from ketenplan.plans.models import Action, Contact, Evaluation, Goal, PlanVersion

from .factories import domains, draft_plan, later, planning_case, running_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


CONFIRMED = {"confirmed": "yes"}  # as the page's data-confirm or the confirmation page sends


def prefixed(prefix, data):
    return {f"{prefix}-{key}": value for key, value in data.items()}


def url(name, case, *args):
    return reverse(f"plans:{name}", args=[case.pk, *args])


def test_plan_page_without_plan(client, world):
    case = planning_case(world)
    client.force_login(world.coordinator)
    response = client.get(url("case_plan", case))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is no plan yet." in content
    assert url("plan_start", case) in content
    assert 'aria-current="page"' in content


def test_draft_goal_and_approval_through_the_pages(client, world):
    case = planning_case(world)
    client.force_login(world.coordinator)
    response = client.post(url("plan_start", case), prefixed("start", {"reason": ""}))
    assert response.status_code == 302
    plan = PlanVersion.objects.get(case=case)
    response = client.post(
        url("goal_add", case),
        prefixed(
            "goal",
            {
                "life_domain": domains()[0].pk,
                "description": "Mother applies for a living wage",
                "responsible_organisation": world.welfare.pk,
                "responsible_professional": world.case_director.pk,
                "due_on": later(30).isoformat(),
                "version": plan.version,
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    response = client.post(
        url("measure_add", case),
        prefixed(
            "measure",
            {
                "kind": "direct",
                "description": "Alarm button",
                "responsible_organisation": world.police.pk,
                "version": plan.version,
            },
        ),
    )
    assert response.status_code == 302
    page = client.get(url("case_plan", case)).content.decode()
    assert "Mother applies for a living wage" in page and "Alarm button" in page
    assert "data-confirm" in page
    plan.refresh_from_db()
    response = client.post(
        url("plan_approve", case),
        prefixed("approve", {"route": "coordinator", "version": plan.version}) | CONFIRMED,
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert Evaluation.objects.filter(case=case).count() == 3
    page = client.get(url("case_plan", case)).content.decode()
    assert "execution can start" in page


def test_refused_approval_shows_why(client, world):
    case = planning_case(world)
    plan = draft_plan(world, case, measures=False)
    client.force_login(world.coordinator)
    response = client.post(
        url("plan_approve", case),
        prefixed("approve", {"route": "team_meeting", "version": plan.version}) | CONFIRMED,
    )
    assert response.status_code == 400
    assert "Give the date of the team meeting" in response.content.decode()
    response = client.post(
        url("plan_approve", case),
        prefixed(
            "approve",
            {
                "route": "team_meeting",
                "meeting_date": timezone.localdate().isoformat(),
                "version": plan.version,
            },
        )
        | CONFIRMED,
    )
    assert response.status_code == 400
    assert "direct safety measure" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_stale_draft_edit_answers_conflict(client, world):
    case = planning_case(world)
    plan = draft_plan(world, case)
    client.force_login(world.team_member)
    response = client.post(
        url("goal_add", case),
        prefixed(
            "goal",
            {
                "life_domain": domains()[1].pk,
                "description": "Father finds housing",
                "responsible_organisation": world.welfare.pk,
                "due_on": later(30).isoformat(),
                "version": plan.version - 1,
            },
        ),
    )
    assert response.status_code == 409
    assert "changed by" in response.content.decode()
    assert not Goal.objects.filter(description="Father finds housing").exists()


def test_team_member_may_draft_but_not_approve(client, world):
    case = planning_case(world)
    plan = draft_plan(world, case)
    client.force_login(world.team_member)
    page = client.get(url("case_plan", case)).content.decode()
    assert url("goal_add", case) in page and url("plan_approve", case) not in page
    response = client.post(
        url("plan_approve", case), prefixed("approve", {"route": "coordinator", "version": plan.version})
    )
    assert response.status_code == 403


def test_goal_edit_page(client, world):
    case = planning_case(world)
    plan = draft_plan(world, case)
    goal = plan.goals.get()
    client.force_login(world.coordinator)
    assert client.get(url("goal_edit", case, goal.pk)).status_code == 200
    response = client.post(
        url("goal_edit", case, goal.pk),
        prefixed(
            "goal",
            {
                "life_domain": goal.life_domain_id,
                "description": "Changed goal",
                "responsible_organisation": world.welfare.pk,
                "responsible_professional": world.case_director.pk,
                "due_on": later(40).isoformat(),
                "version": plan.version,
            },
        ),
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.description == "Changed goal"


def test_revise_and_compare_pages(client, world):
    case, _plan = running_case(world, goals=2)
    client.force_login(world.case_director)
    response = client.post(
        url("plan_revise", case),
        prefixed("revise", {"reason": "Couple stays together", "version": case.version}),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    page = client.get(url("plan_compare", case) + "?old=1&new=2").content.decode()
    assert "Version 1 compared with version 2" in page
    assert client.get(url("plan_version", case, 1)).status_code == 200
    assert client.get(url("plan_version", case, 9)).status_code == 404


def test_execution_page_and_forms(client, world):
    case, plan = running_case(world)
    client.force_login(world.case_director)
    response = client.get(url("case_execution", case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "First evaluation" in page or "Eerste evaluatie" in page
    mother = Person.objects.filter(case_memberships__case=case).first()
    response = client.post(
        url("contact_add", case),
        prefixed(
            "contact",
            {
                "kind": "home_visit",
                "at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "with_persons": [mother.pk],
                "summary": "Home visit, calm.",
            },
        ),
    )
    assert response.status_code == 302
    assert Contact.objects.filter(case=case).count() == 1
    response = client.post(
        url("action_add", case),
        prefixed(
            "action",
            {
                "description": "Call the school",
                "goal": plan.goals.get().pk,
                "owner_organisation": world.welfare.pk,
                "owner": world.case_director.pk,
                "due_on": later(7).isoformat(),
            },
        ),
    )
    assert response.status_code == 302
    response = client.post(
        url("referral_add", case), prefixed("referral", {"service": "Debt counselling", "status": "waiting"})
    )
    assert response.status_code == 302
    response = client.post(
        url("trauma_screening", case),
        prefixed("screening", {"person": mother.pk, "offered_on": timezone.localdate().isoformat()}),
    )
    assert response.status_code == 302
    page = client.get(url("case_execution", case)).content.decode()
    for text in ("Home visit, calm.", "Call the school", "Debt counselling", "waiting since"):
        assert text in page


def test_contact_with_non_member_is_shown_as_error(client, world):
    case, _plan = running_case(world)
    other = case_at(world, Stage.INTAKE, family_label="Family Janssens")
    stranger = Person.objects.filter(case_memberships__case=other).first()
    client.force_login(world.case_director)
    response = client.post(
        url("contact_add", case),
        prefixed(
            "contact",
            {
                "kind": "phone",
                "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "with_persons": [stranger.pk],
                "summary": "Call",
            },
        ),
    )
    assert response.status_code == 400  # not offered, so the form itself refuses
    assert not Contact.objects.exists()


def test_action_status_with_htmx_returns_the_row(client, world):
    case, _plan = running_case(world)
    action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=world.case_director,
        owner_organisation=world.welfare,
        due_on=later(5),
    )
    client.force_login(world.case_director)
    prefix = f"action-{action.pk}"
    response = client.post(
        url("action_status", case, action.pk),
        {
            f"{prefix}-status": "cannot_be_done",
            f"{prefix}-reason": "",
            f"{prefix}-version": action.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="action-{action.pk}"')
    assert "Say why the action cannot be done." in body
    response = client.post(
        url("action_status", case, action.pk),
        {
            f"{prefix}-status": "done",
            f"{prefix}-reason": "",
            f"{prefix}-version": action.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Status saved." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at
    # The same stale version again: refused, the row shows who changed it.
    response = client.post(
        url("action_status", case, action.pk),
        {
            f"{prefix}-status": "open",
            f"{prefix}-reason": "",
            f"{prefix}-version": action.version - 1,
        },
        HTTP_HX_REQUEST="true",
    )
    assert "changed by" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "done"


def test_action_status_without_htmx_redirects(client, world):
    case, _plan = running_case(world)
    action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=world.case_director,
        owner_organisation=world.welfare,
        due_on=later(5),
    )
    client.force_login(world.team_member)
    prefix = f"action-{action.pk}"
    response = client.post(
        url("action_status", case, action.pk),
        {f"{prefix}-status": "in_progress", f"{prefix}-version": action.version},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="plan.action_status_changed", actor=world.team_member).exists()


def test_evaluation_hold_through_the_page(client, world):
    case, plan = running_case(world)
    evaluation = Evaluation.objects.filter(case=case).order_by("due_on").first()
    goal = plan.goals.get()
    client.force_login(world.case_director)
    data = {
        "held_on": timezone.localdate().isoformat(),
        "summary": "Going well.",
        f"progress_{goal.pk}": "on_track",
        f"note_{goal.pk}": "",
        "decision": "close",
        "close_outcome": "",
        f"zrm_{domains()[0].pk}": "4",
    }
    response = client.post(url("evaluation_hold", case, evaluation.pk), prefixed("evaluation", data))
    assert response.status_code == 400
    assert "Choose the outcome" in response.content.decode()
    data["close_outcome"] = "goals_met"
    data["follow_up_on"] = later(180).isoformat()
    response = client.post(
        url("evaluation_hold", case, evaluation.pk), prefixed("evaluation", data) | CONFIRMED
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    page = client.get(url("case_execution", case)).content.decode()
    assert "Going well." in page


def test_police_form_only_for_police_and_coordinator(client, world):
    case, _plan = running_case(world)
    client.force_login(world.team_member)
    assert url("police_add", case) not in client.get(url("case_execution", case)).content.decode()
    response = client.post(
        url("police_add", case),
        prefixed("police", {"occurred_on": timezone.localdate().isoformat(), "summary": "x"}),
    )
    assert response.status_code == 403
    client.force_login(world.referrer)
    assert url("police_add", case) in client.get(url("case_execution", case)).content.decode()
    response = client.post(
        url("police_add", case),
        prefixed("police", {"occurred_on": timezone.localdate().isoformat(), "summary": "Call-out"}),
    )
    assert response.status_code == 302


def _ids(html: str) -> list[str]:
    import re

    return re.findall(r'\sid="([^"]+)"', html)


def test_pages_have_unique_ids_and_confirm_irreversible_steps(client, world):
    case, _plan = running_case(world, goals=2)
    services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=None,
        owner_organisation=world.welfare,
        due_on=later(5),
    )
    services.referral_create(actor=world.case_director, case=case, service="Therapy")
    client.force_login(world.coordinator)
    execution = client.get(url("case_execution", case)).content.decode()
    services.plan_revise(actor=world.coordinator, case=case, reason="Changed")
    plan_page = client.get(url("case_plan", case)).content.decode()
    for html in (execution, plan_page):
        ids = _ids(html)
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert duplicates == []
        assert "<script>" not in html and " style=" not in html
    import re

    def confirmed(html, name):
        pattern = rf'<form[^>]*action="{re.escape(url(name, case))}"[^>]*data-confirm="[^"]+"'
        return re.search(pattern, html, re.S) is not None

    assert confirmed(plan_page, "plan_approve")
    assert confirmed(plan_page, "plan_discard")
    evaluation = Evaluation.objects.filter(case=case).order_by("due_on").first()
    assert re.search(
        rf'action="{re.escape(url("evaluation_hold", case, evaluation.pk))}"[^>]*data-confirm=', execution
    )
