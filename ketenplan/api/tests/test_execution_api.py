"""Execution and monitoring through the API: actions, contacts, referrals, trauma
screenings, police interventions and evaluations, with the rules of the execution page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.cases.models import Case, Stage
from ketenplan.cases.tests.factories import case_at, family
from ketenplan.plans import services
from ketenplan.plans.models import Action, Contact, Evaluation, PoliceIntervention, Referral, TraumaScreening
from ketenplan.plans.tests.factories import running_case

pytestmark = pytest.mark.django_db


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.fixture
def running(world):
    return running_case(world, goals=2)


def person_ids(case):
    return list(case.members.values_list("person_id", flat=True))


def make_action(world, case, **overrides):
    values = {
        "description": "Apply for social housing.",
        "owner_organisation": world.welfare,
        "owner": world.case_director,
        "due_on": timezone.localdate() + timedelta(days=10),
    }
    values.update(overrides)
    return services.action_create(actor=world.coordinator, case=case, **values)


def test_outsiders_get_not_found_on_every_execution_endpoint(world, as_, running):
    case, _plan = running
    action = make_action(world, case)
    referral = services.referral_create(actor=world.coordinator, case=case, service="Debt counselling")
    evaluation = case.evaluations.order_by("due_on").first()
    base = f"/api/cases/{case.pk}"
    calls = [
        ("get", f"{base}/actions/", None),
        ("post", f"{base}/actions/", {"description": "x"}),
        ("post", f"{base}/actions/{action.pk}/status/", {"status": "done", "expected_version": 1}),
        ("get", f"{base}/contacts/", None),
        ("post", f"{base}/contacts/", {"kind": "phone"}),
        ("get", f"{base}/referrals/", None),
        ("post", f"{base}/referrals/", {"service": "x"}),
        ("post", f"{base}/referrals/{referral.pk}/status/", {"status": "waiting", "expected_version": 1}),
        ("get", f"{base}/trauma-screenings/", None),
        ("post", f"{base}/trauma-screenings/", {"offered_on": days(0)}),
        ("get", f"{base}/police-interventions/", None),
        ("post", f"{base}/police-interventions/", {"occurred_on": days(0), "summary": "x"}),
        ("get", f"{base}/evaluations/", None),
        ("post", f"{base}/evaluations/{evaluation.pk}/hold/", {"decision": "continue"}),
    ]
    for method, path, body in calls:
        response = getattr(as_("outsider"), method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    action.refresh_from_db()
    referral.refresh_from_db()
    assert (action.status, referral.status) == ("open", "requested")
    assert Action.objects.filter(case=case).count() == 1


# --- Actions ----------------------------------------------------------------------------


def test_actions_are_listed_open_first(world, as_, running):
    case, plan = running
    done = make_action(world, case, description="Done already.")
    services.action_set_status(actor=world.coordinator, action=done, status="done", expected_version=1)
    open_one = make_action(
        world, case, goal=plan.goals.first(), due_on=timezone.localdate() + timedelta(days=30)
    )
    rows = as_("referrer").get(f"/api/cases/{case.pk}/actions/").json()
    assert [(r["id"], r["status"]) for r in rows] == [(open_one.pk, "open"), (done.pk, "done")]
    assert rows[0]["goal_id"] == plan.goals.first().pk


@pytest.mark.parametrize(
    "change, field",
    [
        ({"due_on": "2001-01-01"}, "due_on"),
        ({"description": ""}, "description"),
        ({"owner": "police"}, "owner"),
        ({"owner_organisation": "outsider"}, "owner_organisation"),
        ({"goal": 999999}, "goal"),
    ],
)
def test_bad_action_input_names_the_field_and_adds_nothing(world, as_, running, change, field):
    case, _plan = running
    replacements = {"police": world.referrer.pk, "outsider": world.addiction.pk}
    change = {k: replacements.get(v, v) for k, v in change.items()}
    payload = {
        "description": "Find a lawyer.",
        "owner_organisation": world.welfare.pk,
        "owner": world.case_director.pk,
        "due_on": days(5),
    }
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/actions/", {**payload, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Action.objects.filter(case=case).exists()


def test_only_the_owner_side_or_the_direction_changes_an_action(world, as_, running):
    case, _plan = running
    action = make_action(world, case)  # welfare's action
    body = {"status": "in_progress", "expected_version": action.version}
    assert (
        as_("referrer")
        .post(f"/api/cases/{case.pk}/actions/{action.pk}/status/", body, format="json")
        .status_code
        == 403
    )
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/actions/{action.pk}/status/", body, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)


def test_cannot_be_done_needs_a_reason(world, as_, running):
    case, _plan = running
    action = make_action(world, case)
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/actions/{action.pk}/status/",
        {"status": "cannot_be_done", "expected_version": action.version},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    action.refresh_from_db()
    assert (action.status, action.version) == ("open", 1)


def test_a_stale_action_version_is_a_conflict(world, as_, running):
    case, _plan = running
    action = make_action(world, case)
    services.action_set_status(
        actor=world.case_director, action=action, status="in_progress", expected_version=1
    )
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/actions/{action.pk}/status/",
        {"status": "done", "expected_version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_an_action_of_another_case_is_not_found_through_this_case(world, as_, running):
    case, _plan = running
    other, _other_plan = running_case(world)
    action = make_action(world, other)
    response = as_("coordinator").post(
        f"/api/cases/{case.pk}/actions/{action.pk}/status/",
        {"status": "done", "expected_version": 1},
        format="json",
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


# --- Contacts, referrals, screenings, police --------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"with_persons": []}, "with_persons"),
        ({"with_persons": "stranger"}, "with_persons"),
        ({"at": "future"}, "at"),
        ({"kind": "telepathy"}, "kind"),
        ({"summary": ""}, "summary"),
    ],
)
def test_bad_contact_input_names_the_field_and_logs_nothing(world, as_, running, change, field):
    case, _plan = running
    stranger = case_at(world, Stage.INTAKE, members=family(family_name="Maes")).members.first().person_id
    values = {
        "stranger": [stranger],
        "future": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    change = {k: values.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    payload = {
        "kind": "phone",
        "at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "with_persons": person_ids(case)[:1],
        "summary": "Checked in.",
    }
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/contacts/", {**payload, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_contacts_are_listed_newest_first(world, as_, running):
    case, _plan = running
    client = as_("case_director")
    for hours in (5, 1):
        client.post(
            f"/api/cases/{case.pk}/contacts/",
            {
                "kind": "phone",
                "at": (timezone.now() - timedelta(hours=hours)).isoformat(),
                "with_persons": person_ids(case)[:1],
                "summary": f"{hours} hours ago.",
            },
            format="json",
        )
    assert [c["summary"] for c in client.get(f"/api/cases/{case.pk}/contacts/").json()] == [
        "1 hours ago.",
        "5 hours ago.",
    ]


def test_referrals_and_their_status(world, as_, running):
    case, _plan = running
    client = as_("team_member")
    bad = client.post(f"/api/cases/{case.pk}/referrals/", {"service": "", "status": "waiting"}, format="json")
    assert bad.status_code == 400 and "service" in bad.json()
    started = client.post(
        f"/api/cases/{case.pk}/referrals/", {"service": "x", "status": "started"}, format="json"
    )
    assert started.status_code == 400 and "status" in started.json()
    assert not Referral.objects.exists()
    created = client.post(
        f"/api/cases/{case.pk}/referrals/",
        {"service": "Debt counselling", "organisation": world.addiction.pk},
        format="json",
    ).json()
    assert (created["status"], created["organisation_id"]) == ("requested", world.addiction.pk)
    url = f"/api/cases/{case.pk}/referrals/{created['id']}/status/"
    waiting = client.post(url, {"status": "waiting", "expected_version": created["version"]}, format="json")
    assert waiting.status_code == 200
    assert (waiting.json()["waiting_since"], waiting.json()["waiting_days"]) == (days(0), 0)
    stale = client.post(url, {"status": "started", "expected_version": created["version"]}, format="json")
    assert stale.status_code == 409
    same = client.post(
        url, {"status": "waiting", "expected_version": waiting.json()["version"]}, format="json"
    )
    assert same.status_code == 400 and "status" in same.json()
    assert Referral.objects.get().status == "waiting"


def test_trauma_screening_per_person(world, as_, running):
    case, _plan = running
    child = person_ids(case)[-1]
    client = as_("case_director")
    declined_but_done = client.post(
        f"/api/cases/{case.pk}/trauma-screenings/",
        {"person": child, "offered_on": days(-2), "declined": True, "done_on": days(-1)},
        format="json",
    )
    assert declined_but_done.status_code == 400 and "declined" in declined_but_done.json()
    stranger = case_at(world, Stage.INTAKE, members=family(family_name="Maes")).members.first().person_id
    other_family = client.post(
        f"/api/cases/{case.pk}/trauma-screenings/",
        {"person": stranger, "offered_on": days(-2)},
        format="json",
    )
    assert other_family.status_code == 400 and "person" in other_family.json()
    assert not TraumaScreening.objects.exists()
    offered = client.post(
        f"/api/cases/{case.pk}/trauma-screenings/", {"person": child, "offered_on": days(-2)}, format="json"
    )
    assert offered.status_code == 201
    done = client.post(
        f"/api/cases/{case.pk}/trauma-screenings/",
        {"person": child, "offered_on": days(-2), "done_on": days(0)},
        format="json",
    )
    assert done.json()["id"] == offered.json()["id"] and done.json()["done_on"] == days(0)
    assert len(client.get(f"/api/cases/{case.pk}/trauma-screenings/").json()) == 1


def test_police_interventions_by_police_or_coordinator(world, as_, running):
    case, _plan = running
    body = {"occurred_on": days(-1), "summary": "Call-out, calm on arrival."}
    assert (
        as_("team_member")
        .post(f"/api/cases/{case.pk}/police-interventions/", body, format="json")
        .status_code
        == 403
    )
    assert not PoliceIntervention.objects.exists()
    bad = as_("referrer").post(
        f"/api/cases/{case.pk}/police-interventions/", {**body, "occurred_on": days(3)}, format="json"
    )
    assert bad.status_code == 400 and "occurred_on" in bad.json()
    assert (
        as_("referrer").post(f"/api/cases/{case.pk}/police-interventions/", body, format="json").status_code
        == 201
    )
    listed = as_("team_member").get(f"/api/cases/{case.pk}/police-interventions/").json()
    assert [p["summary"] for p in listed] == ["Call-out, calm on arrival."]


# --- Evaluations ------------------------------------------------------------------------


def hold_payload(plan, **overrides):
    values = {
        "held_on": days(0),
        "summary": "Calmer at home.",
        "goal_progress": [{"goal": g.pk, "progress": "on_track"} for g in plan.goals.all()],
        "decision": "continue",
    }
    values.update(overrides)
    return values


def test_evaluations_are_listed_with_their_due_status(world, as_, running):
    case, _plan = running
    rows = as_("team_member").get(f"/api/cases/{case.pk}/evaluations/").json()
    assert rows and [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)
    assert {r["due_status"] for r in rows} <= {"on_time", "due_soon", "late"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"goal_progress": []}, "goal_progress"),
        ({"decision": "close"}, "close_outcome"),
        ({"decision": "maybe"}, "decision"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"zrm_scores": {"safety": 0}}, "zrm_scores"),
    ],
)
def test_bad_evaluation_input_names_the_field_and_holds_nothing(world, as_, running, change, field):
    case, plan = running
    evaluation = case.evaluations.order_by("due_on").first()
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/evaluations/{evaluation.pk}/hold/", hold_payload(plan, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    evaluation.refresh_from_db()
    assert evaluation.held_on is None
    assert Case.objects.get(pk=case.pk).stage == Stage.EXECUTION


def test_only_the_direction_holds_an_evaluation(world, as_, running):
    case, plan = running
    evaluation = case.evaluations.order_by("due_on").first()
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/evaluations/{evaluation.pk}/hold/", hold_payload(plan), format="json"
    )
    assert response.status_code == 403
    assert Evaluation.objects.get(pk=evaluation.pk).held_on is None


def test_an_evaluation_is_held_once(world, as_, running):
    case, plan = running
    evaluation = case.evaluations.order_by("due_on").first()
    url = f"/api/cases/{case.pk}/evaluations/{evaluation.pk}/hold/"
    assert as_("case_director").post(url, hold_payload(plan), format="json").status_code == 200
    again = as_("case_director").post(url, hold_payload(plan), format="json")
    assert again.status_code == 400


def test_an_evaluation_deciding_a_new_plan_version_reopens_planning(world, as_, running):
    case, plan = running
    evaluation = case.evaluations.order_by("due_on").first()
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/evaluations/{evaluation.pk}/hold/",
        hold_payload(plan, decision="new_plan_version", revise_reason="Father moved back in."),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING
    versions = as_("case_director").get(f"/api/cases/{case.pk}/plan/versions/").json()
    assert [(v["number"], v["status"]) for v in versions] == [(2, "draft"), (1, "approved")]


def test_an_evaluation_deciding_to_close_closes_the_case(world, as_, running):
    case, plan = running
    evaluation = case.evaluations.order_by("due_on").first()
    response = as_("case_director").post(
        f"/api/cases/{case.pk}/evaluations/{evaluation.pk}/hold/",
        hold_payload(plan, decision="close", close_outcome="violence_stopped", follow_up_on=days(90)),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


# --- Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["actions", "contacts", "referrals", "evaluations"])
def test_list_queries_do_not_grow_with_the_rows(world, as_, running, resource):
    case, plan = running
    client = as_("team_member")
    url = f"/api/cases/{case.pk}/{resource}/"

    def add(n):
        for i in range(n):
            make_action(world, case, goal=plan.goals.first(), description=f"Action {i}")
            services.contact_log(
                actor=world.case_director,
                case=case,
                kind="phone",
                at=timezone.now() - timedelta(hours=i + 1),
                with_persons=[m.person for m in case.members.select_related("person")],
                summary="x",
            )
            services.referral_create(actor=world.coordinator, case=case, service=f"Service {i}")

    add(1)
    client.get(url)  # warm up (token, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(4)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
