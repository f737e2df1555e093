"""The plan through the API: drafts, goals, safety measures, approval, revision and
comparison, with the same rules as the plan page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenplan.cases.models import Case, Stage
from ketenplan.plans.models import Goal, PlanVersion, SafetyMeasure, SelfRelianceScore
from ketenplan.plans.tests.factories import draft_plan, planning_case, running_case

pytestmark = pytest.mark.django_db


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def goal_payload(world, plan, **overrides):
    values = {
        "life_domain": "housing",
        "description": "Mother finds a home of her own.",
        "responsible_organisation": world.welfare.pk,
        "responsible_professional": world.case_director.pk,
        "due_on": days(90),
        "expected_version": plan.version,
    }
    values.update(overrides)
    return values


def snapshot(plan: PlanVersion):
    plan.refresh_from_db()
    return (
        plan.version,
        plan.status,
        sorted(plan.goals.values_list("pk", "description", "due_on")),
        sorted(plan.safety_measures.values_list("pk", "kind", "description")),
    )


def test_versions_list_and_detail(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case, goals=2)
    client = as_("team_member")
    versions = client.get(f"/api/cases/{case.pk}/plan/versions/").json()
    assert [(v["number"], v["status"], v["version"]) for v in versions] == [(1, "draft", plan.version)]
    detail = client.get(f"/api/cases/{case.pk}/plan/versions/1/").json()
    assert len(detail["goals"]) == 2
    assert [m["kind"] for m in detail["safety_measures"]] == ["direct", "structural"]
    assert detail["approval_problems"] == []
    assert client.get(f"/api/cases/{case.pk}/plan/versions/9/").status_code == 404


def test_starting_a_draft(world, as_):
    case = planning_case(world)
    response = as_("team_member").post(f"/api/cases/{case.pk}/plan/versions/", {}, format="json")
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["status"]) == (1, "draft")
    again = as_("team_member").post(f"/api/cases/{case.pk}/plan/versions/", {}, format="json")
    assert again.status_code == 400
    assert PlanVersion.objects.filter(case=case).count() == 1


def test_a_professional_without_the_right_is_forbidden(world, as_):
    # The case director's colleague role is only "partner" until appointed.
    case = planning_case(world, director=False)
    response = as_("case_director").post(f"/api/cases/{case.pk}/plan/versions/", {}, format="json")
    assert response.status_code == 403
    assert not PlanVersion.objects.filter(case=case).exists()


def test_outsiders_get_not_found_on_every_plan_endpoint(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case)
    goal, measure = plan.goals.get(), plan.safety_measures.first()
    before = snapshot(plan)
    base = f"/api/cases/{case.pk}/plan"
    calls = [
        ("get", f"{base}/versions/", None),
        ("post", f"{base}/versions/", {}),
        ("get", f"{base}/versions/1/", None),
        ("get", f"{base}/compare/?old=1&new=2", None),
        ("post", f"{base}/draft/goals/", goal_payload(world, plan)),
        ("post", f"{base}/draft/goals/{goal.pk}/", goal_payload(world, plan)),
        ("post", f"{base}/draft/goals/{goal.pk}/remove/", {"expected_version": plan.version}),
        ("post", f"{base}/draft/safety-measures/{measure.pk}/remove/", {"expected_version": plan.version}),
        ("post", f"{base}/draft/discard/", {"expected_version": plan.version}),
        ("post", f"{base}/approve/", {"route": "coordinator", "expected_version": plan.version}),
        ("post", f"{base}/revise/", {"reason": "x", "expected_version": case.version}),
        ("get", f"{base}/self-reliance/", None),
        ("post", f"{base}/self-reliance/", {"scores": {"safety": 2}}),
    ]
    for method, path, body in calls:
        response = getattr(as_("outsider"), method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert snapshot(plan) == before


def test_editing_the_draft(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case, goals=1)
    client, base = as_("case_director"), f"/api/cases/{case.pk}/plan/draft"
    added = client.post(f"{base}/goals/", goal_payload(world, plan), format="json")
    assert added.status_code == 201, added.content
    new_goal = next(g for g in added.json()["goals"] if g["description"] == "Mother finds a home of her own.")
    changed = client.post(
        f"{base}/goals/{new_goal['id']}/",
        goal_payload(
            world, plan, description="Mother rents a flat.", expected_version=added.json()["version"]
        ),
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert "Mother rents a flat." in {g["description"] for g in changed.json()["goals"]}
    removed = client.post(
        f"{base}/goals/{new_goal['id']}/remove/",
        {"expected_version": changed.json()["version"]},
        format="json",
    )
    assert len(removed.json()["goals"]) == 1
    measure = plan.safety_measures.get(kind=SafetyMeasure.Kind.STRUCTURAL)
    changed = client.post(
        f"{base}/safety-measures/{measure.pk}/",
        {
            "kind": "structural",
            "description": "Perpetrator programme, weekly.",
            "responsible_organisation": world.welfare.pk,
            "expected_version": removed.json()["version"],
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    removed = client.post(
        f"{base}/safety-measures/{measure.pk}/remove/",
        {"expected_version": changed.json()["version"]},
        format="json",
    )
    assert [m["kind"] for m in removed.json()["safety_measures"]] == ["direct"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"due_on": "2001-01-01"}, "due_on"),
        ({"description": ""}, "description"),
        ({"life_domain": "astrology"}, "life_domain"),
        ({"responsible_organisation": "outsider"}, "responsible_organisation"),
        ({"responsible_professional": "police"}, "responsible_professional"),
    ],
)
def test_bad_goal_input_names_the_field_and_changes_nothing(world, as_, change, field):
    case = planning_case(world)
    plan = draft_plan(world, case)
    replacements = {"outsider": world.addiction.pk, "police": world.referrer.pk}
    change = {k: replacements.get(v, v) for k, v in change.items()}
    before = snapshot(plan)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/draft/goals/", goal_payload(world, plan, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(plan) == before


def test_a_stale_draft_version_is_a_conflict(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case)
    before = snapshot(plan)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/draft/goals/",
        goal_payload(world, plan, expected_version=plan.version - 1),
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == plan.version
    assert snapshot(plan) == before


def test_approval_by_the_coordinator_only(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case)
    body = {"route": "coordinator", "expected_version": plan.version}
    assert (
        as_("team_member").post(f"/api/cases/{case.pk}/plan/approve/", body, format="json").status_code == 403
    )
    response = as_("coordinator").post(f"/api/cases/{case.pk}/plan/approve/", body, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["approval_route"]) == ("approved", "coordinator")
    assert Case.objects.get(pk=case.pk).plan_approved_on == timezone.localdate()


def test_approval_in_a_team_meeting_needs_its_date(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case)
    before = snapshot(plan)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/approve/",
        {"route": "team_meeting", "expected_version": plan.version},
        format="json",
    )
    assert response.status_code == 400
    assert "meeting_date" in response.json()
    assert snapshot(plan) == before


def test_a_draft_without_a_direct_safety_measure_is_not_approved(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case, measures=False)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/approve/",
        {"route": "coordinator", "expected_version": plan.version},
        format="json",
    )
    assert response.status_code == 400
    assert "direct safety measure" in response.json()["detail"]
    plan.refresh_from_db()
    assert plan.status == PlanVersion.Status.DRAFT


def test_discarding_the_draft(world, as_):
    case = planning_case(world)
    plan = draft_plan(world, case)
    stale = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/draft/discard/", {"expected_version": plan.version - 1}, format="json"
    )
    assert stale.status_code == 409
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/draft/discard/", {"expected_version": plan.version}, format="json"
    )
    assert response.status_code == 204
    assert not PlanVersion.objects.filter(case=case).exists()


def test_revising_the_plan_and_comparing_versions(world, as_):
    case, _plan = running_case(world, goals=2)
    director = as_("case_director")
    stale = director.post(
        f"/api/cases/{case.pk}/plan/revise/",
        {"reason": "The couple stays together.", "expected_version": case.version - 1},
        format="json",
    )
    assert stale.status_code == 409
    response = director.post(
        f"/api/cases/{case.pk}/plan/revise/",
        {"reason": "The couple stays together.", "expected_version": case.version},
        format="json",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["number"], draft["status"], draft["reason"]) == (2, "draft", "The couple stays together.")
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING
    first, second = draft["goals"]
    director.post(
        f"/api/cases/{case.pk}/plan/draft/goals/{first['id']}/",
        {
            "life_domain": first["life_domain"],
            "description": "Both parents follow a programme.",
            "responsible_organisation": first["responsible_organisation_id"],
            "responsible_professional": first["responsible_professional_id"],
            "due_on": first["due_on"],
            "expected_version": draft["version"],
        },
        format="json",
    )
    director.post(
        f"/api/cases/{case.pk}/plan/draft/goals/{second['id']}/remove/",
        {"expected_version": draft["version"] + 1},
        format="json",
    )
    comparison = as_("team_member").get(f"/api/cases/{case.pk}/plan/compare/?old=1&new=2").json()
    assert comparison["counts"] == {"added": 0, "removed": 1, "changed": 1, "unchanged": 0}
    changed = next(g for g in comparison["goals"] if g["state"] == "changed")
    assert changed["changed_fields"] == ["description"]
    assert (comparison["old"]["status"], comparison["new"]["status"]) == ("approved", "draft")


@pytest.mark.parametrize("query, field", [("old=1&new=1", "new"), ("old=1", "new"), ("old=x&new=2", "old")])
def test_comparing_needs_two_version_numbers(world, as_, query, field):
    case, _plan = running_case(world)
    response = as_("team_member").get(f"/api/cases/{case.pk}/plan/compare/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_revising_is_for_the_case_director(world, as_):
    case, _plan = running_case(world)
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/plan/revise/", {"reason": "x", "expected_version": case.version}, format="json"
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).stage == Stage.EXECUTION


def test_revising_outside_execution_is_refused_by_the_path(world, as_):
    case = planning_case(world)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/revise/", {"reason": "x", "expected_version": case.version}, format="json"
    )
    assert response.status_code == 409
    assert not PlanVersion.objects.filter(case=case).exists()


def test_self_reliance_at_the_start(world, as_):
    case = planning_case(world)
    client = as_("coordinator")
    bad = client.post(
        f"/api/cases/{case.pk}/plan/self-reliance/", {"scores": {"astrology": 3}}, format="json"
    )
    assert bad.status_code == 400
    assert "scores" in bad.json()
    out_of_range = client.post(
        f"/api/cases/{case.pk}/plan/self-reliance/", {"scores": {"safety": 9}}, format="json"
    )
    assert out_of_range.status_code == 400
    assert not SelfRelianceScore.objects.exists()
    response = client.post(
        f"/api/cases/{case.pk}/plan/self-reliance/", {"scores": {"safety": 2, "housing": 4}}, format="json"
    )
    assert response.status_code == 201, response.content
    assert sorted((s["life_domain"], s["score"]) for s in response.json()) == [("housing", 4), ("safety", 2)]
    assert len(as_("team_member").get(f"/api/cases/{case.pk}/plan/self-reliance/").json()) == 2


def test_a_goal_of_an_approved_version_cannot_be_changed(world, as_):
    case, plan = running_case(world)
    goal = plan.goals.get()
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/plan/draft/goals/{goal.pk}/", goal_payload(world, plan), format="json"
    )
    assert response.status_code == 404
    assert Goal.objects.get(pk=goal.pk).description == goal.description
