"""The case path through the JSON API: same services, same rules, same messages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import AdmissibilityDecision, Case, RiskLevel, RiskWeighing, Stage
from ketenplan.cases.tests.factories import case_at, family, final_assessment, make_world
from ketenplan.dossier.tests.files import pdf, upload

from .conftest import api_as

pytestmark = pytest.mark.django_db


def criteria(met=True):
    return {c: {"met": met, "note": "Checked."} for c in AdmissibilityDecision.Criterion.values}


def today():
    return timezone.localdate()


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:2000])
    return response.json() if response.content else None


def test_full_journey_from_registration_to_closure(world, as_):
    """Registration → admissibility → intake → dossier with contributions of two partners
    and an answered information request → weighing → plan (goal, direct safety measure)
    → approval → case director → execution with actions, contacts, referral, screening
    and a police intervention → evaluation (continue) → closure → follow-up; every step
    through the API, each by the persona whose job it is."""
    referrer, coordinator = as_("referrer"), as_("coordinator")
    partner, director, asked = as_("team_member"), as_("case_director"), as_("outsider")

    # Registration by the police.
    case = ok(
        referrer.post(
            "/api/cases/",
            {
                "family_label": "Family Janssens",
                "reason": "Repeated police call-outs; the mother fears for her life.",
                "violence_kinds": ["partner"],
                "members": [
                    {
                        "roles": ["victim"],
                        "new_person": {
                            "given_names": "Ilse",
                            "family_name": "Janssens",
                            "birth_date": "1985-03-01",
                        },
                    },
                    {
                        "roles": ["alleged_perpetrator"],
                        "new_person": {"given_names": "Marc", "family_name": "Wuyts"},
                    },
                ],
            },
            format="json",
        ),
        201,
    )
    case_id = case["id"]
    url = f"/api/cases/{case_id}"
    assert case["stage"] == Stage.REGISTERED
    assert {m["name"] for m in case["members"]} == {"Ilse Janssens", "Marc Wuyts"}

    # Admissibility and intake by the coordinator; a child joins the family.
    case = ok(
        coordinator.post(
            f"{url}/admissibility/",
            {"answers": criteria(), "expected_version": case["version"]},
            format="json",
        )
    )
    assert case["stage"] == Stage.INTAKE
    case = ok(
        coordinator.post(
            f"{url}/members/",
            {
                "roles": ["child_victim"],
                "new_person": {"given_names": "Noor", "family_name": "Wuyts", "birth_date": "2016-05-04"},
                "expected_version": case["version"],
            },
            format="json",
        ),
        201,
    )
    child = next(m for m in case["members"] if m["name"] == "Noor Wuyts")
    case = ok(
        coordinator.post(
            f"{url}/members/{child['id']}/roles/",
            {"roles": ["child_victim", "child_witness"], "expected_version": case["version"]},
            format="json",
        )
    )
    assert next(m for m in case["members"] if m["id"] == child["id"])["roles"] == [
        "child_victim",
        "child_witness",
    ]
    case = ok(
        coordinator.post(
            f"{url}/partners/",
            {
                "organisation_id": world.shelter.pk,
                "reason": "Safe place.",
                "expected_version": case["version"],
            },
            format="json",
        )
    )
    case = ok(
        coordinator.post(f"{url}/intake-complete/", {"expected_version": case["version"]}, format="json")
    )
    assert case["stage"] == Stage.DOSSIER
    persons = {m["name"]: m["person_id"] for m in case["members"]}

    # The dossier: two partners contribute, one adds a document, another reads it.
    police_info = ok(
        referrer.post(
            f"{url}/contributions/",
            {
                "life_domain": "safety",
                "about_person": persons["Marc Wuyts"],
                "occurred_on": days(-3),
                "source": "Police report of last week",
                "text": "Third call-out; threats with a knife.",
            },
            format="json",
        ),
        201,
    )
    welfare_info = ok(
        partner.post(
            f"{url}/contributions/",
            {
                "life_domain": "finances",
                "occurred_on": days(-1),
                "source": "Intake interview",
                "text": "Rent arrears of three months.",
            },
            format="json",
        ),
        201,
    )
    with_document = ok(
        partner.post(
            f"{url}/contributions/{welfare_info['id']}/attachments/",
            {"files": [upload("arrears.pdf", pdf())], "reason": "Landlord's letter added."},
            format="multipart",
        ),
        201,
    )
    assert with_document["supersedes_id"] == welfare_info["id"]
    document = with_document["attachments"][0]
    assert document["content_type"] == "application/pdf"
    download = referrer.get(document["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf()
    assert download["Content-Disposition"].startswith("attachment")
    dossier = ok(referrer.get(f"{url}/contributions/"))
    assert {e["contribution"]["id"] for e in dossier} == {police_info["id"], with_document["id"]}
    assert (
        next(e for e in dossier if e["contribution"]["id"] == with_document["id"])["history"][0]["id"]
        == (welfare_info["id"])
    )

    # An information request to addiction care, which takes no part in the case: it sees
    # the request in its inbox and answers it, and still cannot open the case.
    question = ok(
        partner.post(
            f"{url}/information-requests/",
            {
                "to_organisation": world.addiction.pk,
                "question": "Is the father in treatment?",
                "due_on": days(7),
            },
            format="json",
        ),
        201,
    )
    inbox = ok(asked.get("/api/information-requests/"))
    assert [r["id"] for r in inbox["results"]] == [question["id"]]
    assert asked.get(f"{url}/").status_code == 404
    answered = ok(
        asked.post(
            f"/api/information-requests/{question['id']}/answer/",
            {"answer": "Yes, since March, twice a week.", "expected_version": question["version"]},
            format="json",
        )
    )
    assert answered["status"] == "answered"
    assert ok(partner.get(f"{url}/information-requests/"))[0]["answer"] == "Yes, since March, twice a week."

    # Risk weighing: the coordinator finalised a DASH-style checklist (high; assessments
    # are made on the risk page); the team confirms it, so a plan is made.
    case = ok(coordinator.get(f"{url}/"))
    case = ok(coordinator.post(f"{url}/dossier-ready/", {"expected_version": case["version"]}, format="json"))
    final_assessment(world, Case.objects.get(pk=case_id), level=RiskLevel.HIGH)
    case = ok(
        coordinator.post(
            f"{url}/risk-weighing/",
            {
                "level": "high",
                "reasoning": "Strangulation and threats to kill.",
                "expected_version": case["version"],
            },
            format="json",
        )
    )
    assert case["stage"] == Stage.PLANNING

    # The plan: a draft with a goal and a direct safety measure, approved by the coordinator.
    plan = ok(coordinator.post(f"{url}/plan/versions/", {"reason": "First plan"}, format="json"), 201)
    assert (plan["number"], plan["status"]) == (1, "draft")
    plan = ok(
        coordinator.post(
            f"{url}/plan/draft/goals/",
            {
                "life_domain": "safety",
                "description": "Mother and children live safely in their own home.",
                "responsible_organisation": world.welfare.pk,
                "responsible_professional": world.case_director.pk,
                "due_on": days(120),
                "expected_version": plan["version"],
            },
            format="json",
        ),
        201,
    )
    assert plan["approval_problems"] == ["The safety plan needs at least one direct safety measure."]
    plan = ok(
        coordinator.post(
            f"{url}/plan/draft/safety-measures/",
            {
                "kind": "direct",
                "description": "Exclusion order for the father; alarm button for the mother.",
                "responsible_organisation": world.police.pk,
                "expected_version": plan["version"],
            },
            format="json",
        ),
        201,
    )
    assert plan["approval_problems"] == []
    goal_id = plan["goals"][0]["id"]

    # The case director: required before execution, which is refused without one.
    refused = coordinator.post(
        f"{url}/start-execution/", {"expected_version": case["version"]}, format="json"
    )
    assert refused.status_code == 409
    assert "plan" in refused.json()["detail"]
    plan = ok(
        coordinator.post(
            f"{url}/plan/approve/",
            {"route": "coordinator", "expected_version": plan["version"]},
            format="json",
        )
    )
    assert plan["status"] == "approved"
    case = ok(coordinator.get(f"{url}/"))
    refused = coordinator.post(
        f"{url}/start-execution/", {"expected_version": case["version"]}, format="json"
    )
    assert refused.status_code == 409
    assert "case director" in refused.json()["detail"]
    case = ok(
        coordinator.post(
            f"{url}/case-director/",
            {"professional_id": world.case_director.pk, "expected_version": case["version"]},
            format="json",
        )
    )
    case = ok(director.post(f"{url}/start-execution/", {"expected_version": case["version"]}, format="json"))
    assert case["stage"] == Stage.EXECUTION

    # Execution: an action under the goal, carried out; contacts, a referral, a screening,
    # and a police intervention recorded by the police.
    action = ok(
        director.post(
            f"{url}/actions/",
            {
                "description": "Apply for a rent arrears arrangement.",
                "goal": goal_id,
                "owner_organisation": world.welfare.pk,
                "owner": world.case_director.pk,
                "due_on": days(14),
            },
            format="json",
        ),
        201,
    )
    action = ok(
        director.post(
            f"{url}/actions/{action['id']}/status/",
            {"status": "in_progress", "expected_version": action["version"]},
            format="json",
        )
    )
    action = ok(
        partner.post(
            f"{url}/actions/{action['id']}/status/",
            {"status": "done", "expected_version": action["version"]},
            format="json",
        )
    )
    assert action["status"] == "done" and action["completed_at"]
    contact = ok(
        director.post(
            f"{url}/contacts/",
            {
                "kind": "home_visit",
                "at": (timezone.now() - timedelta(hours=2)).isoformat(),
                "with_persons": [persons["Ilse Janssens"], persons["Noor Wuyts"]],
                "summary": "Calm at home; the alarm button works.",
            },
            format="json",
        ),
        201,
    )
    assert {p["name"] for p in contact["with_persons"]} == {"Ilse Janssens", "Noor Wuyts"}
    referral = ok(
        director.post(
            f"{url}/referrals/",
            {"service": "Trauma therapy for children", "person": persons["Noor Wuyts"], "status": "waiting"},
            format="json",
        ),
        201,
    )
    assert referral["waiting_days"] == 0
    referral = ok(
        director.post(
            f"{url}/referrals/{referral['id']}/status/",
            {"status": "started", "note": "First session held.", "expected_version": referral["version"]},
            format="json",
        )
    )
    assert referral["started_on"] == today().isoformat()
    ok(
        director.post(
            f"{url}/trauma-screenings/",
            {"person": persons["Noor Wuyts"], "offered_on": days(-1), "done_on": days(0)},
            format="json",
        ),
        201,
    )
    ok(
        referrer.post(
            f"{url}/police-interventions/",
            {"occurred_on": days(-1), "summary": "Neighbours called; no violence found."},
            format="json",
        ),
        201,
    )

    # The first evaluation of the method profile: progress, a ZRM score, continue.
    evaluations = ok(director.get(f"{url}/evaluations/"))
    assert evaluations and all(e["held_on"] is None for e in evaluations)
    held = ok(
        director.post(
            f"{url}/evaluations/{evaluations[0]['id']}/hold/",
            {
                "held_on": days(0),
                "summary": "Going well; the father keeps to the order.",
                "goal_progress": [{"goal": goal_id, "progress": "on_track", "note": "Safe so far."}],
                "zrm_scores": {"safety": 3},
                "decision": "continue",
            },
            format="json",
        )
    )
    assert held["decision"] == "continue" and held["due_status"] in ("done", "done_late")
    assert [(s["life_domain"], s["score"]) for s in held["self_reliance_scores"]] == [("safety", 3)]
    assert ok(director.get(f"{url}/plan/versions/{plan['number']}/"))["goals"][0]["progress"] == "on_track"

    # Closure with the outcome and a follow-up date; the follow-up itself later.
    case = ok(director.get(f"{url}/"))
    case = ok(
        director.post(
            f"{url}/close/",
            {
                "outcome": "goals_met",
                "note": "Safe at home.",
                "follow_up_on": days(180),
                "expected_version": case["version"],
            },
            format="json",
        )
    )
    assert case["stage"] == Stage.CLOSED
    ok(
        director.post(
            f"{url}/follow-up/", {"note": "No new registration, no police call-out."}, format="json"
        )
    )
    transitions = ok(director.get(f"{url}/transitions/"))
    assert [t["to_stage"] for t in transitions] == [
        "registered",
        "intake",
        "dossier",
        "weighing",
        "planning",
        "execution",
        "closed",
    ]
    # The API went through the services: each write and recorded read left its audit row.
    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "case.member_added",
        "dossier.contribution_added",
        "dossier.attachment_downloaded",
        "dossier.request_answered",
        "plan.approved",
        "plan.evaluation_held",
        "case.follow_up_recorded",
    } <= recorded


def test_stale_version_is_refused_with_conflict(world):
    case = case_at(world, Stage.REGISTERED)
    client = api_as(world.coordinator)
    r = client.post(
        f"/api/cases/{case.pk}/admissibility/",
        {"answers": criteria(), "expected_version": case.version - 1},
        format="json",
    )
    assert r.status_code == 409
    case.refresh_from_db()
    assert case.stage == Stage.REGISTERED


def test_weighing_needs_a_final_assessment_like_on_the_risk_page(world):
    case = case_at(world, Stage.WEIGHING)
    client = api_as(world.coordinator)
    weighing = {"level": "high", "reasoning": "Threats to kill.", "expected_version": case.version}
    refused = client.post(f"/api/cases/{case.pk}/risk-weighing/", weighing, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Finalise at least one assessment before the team weighs the risk."}
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.stage, fresh.version) == (Stage.WEIGHING, case.version)
    assert not RiskWeighing.objects.filter(case=case).exists()

    final_assessment(world, case, level=RiskLevel.MEDIUM)
    lower = client.post(
        f"/api/cases/{case.pk}/risk-weighing/", {**weighing, "level": "low", "advice": "x"}, format="json"
    )
    assert lower.status_code == 400 and "never lower" in lower.json()["level"][0]
    done = client.post(
        f"/api/cases/{case.pk}/risk-weighing/",
        {**weighing, "level": "medium", "advice": "Keep in touch with the family."},
        format="json",
    )
    assert done.status_code == 200
    assert (done.json()["stage"], done.json()["closure_kind"]) == (Stage.CLOSED, "advice")
    assert RiskWeighing.objects.get(case=case).basis.proposed_level == RiskLevel.MEDIUM


def test_invalid_input_names_the_fields_and_changes_nothing(world):
    case = case_at(world, Stage.REGISTERED)
    client = api_as(world.coordinator)
    answers = criteria()
    answers["complex"]["note"] = ""
    r = client.post(
        f"/api/cases/{case.pk}/admissibility/",
        {"answers": answers, "expected_version": case.version},
        format="json",
    )
    assert r.status_code == 400
    assert "complex" in r.json()
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_outsiders_get_not_found_and_do_not_see_the_case_in_lists(world):
    case = case_at(world, Stage.INTAKE)
    outsider = api_as(world.outsider)
    assert outsider.get(f"/api/cases/{case.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/api/cases/{case.pk}/intake-complete/", {"expected_version": case.version}, format="json"
        ).status_code
        == 404
    )
    assert outsider.get("/api/cases/").json()["count"] == 0
    assert api_as(world.team_member).get("/api/cases/").json()["count"] == 1


def test_wrong_role_is_forbidden_like_on_the_pages(world):
    case = case_at(world, Stage.REGISTERED)
    # The police referred the family and take part, but only the coordinator decides.
    r = api_as(world.referrer).post(
        f"/api/cases/{case.pk}/admissibility/",
        {"answers": criteria(), "expected_version": case.version},
        format="json",
    )
    assert r.status_code == 403
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_revoked_or_unknown_tokens_are_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer kp_not-a-token")
    assert client.get("/api/cases/").status_code == 401


def test_analyst_cannot_read_cases(world):
    assert api_as_session(world.analyst).get("/api/cases/").status_code == 403


def api_as_session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_schema_is_served_and_valid_openapi(world):
    client = api_as_session(world.coordinator)
    r = client.get("/api/schema/?format=json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    assert (
        "/api/cases/{id}/admissibility/" in schema["paths"]
        or "/api/cases/{pk}/admissibility/" in schema["paths"]
    )
    assert client.get("/api/docs/").status_code == 200


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


# --- Family members, partners, case director, follow-up ---------------------------------


def new_member(version, **overrides):
    values = {
        "roles": ["child_witness"],
        "new_person": {"given_names": "Mila", "family_name": "Peeters", "birth_date": "2019-02-03"},
        "expected_version": version,
    }
    values.update(overrides)
    return values


def test_adding_a_family_member_and_changing_roles(world):
    case = case_at(world, Stage.INTAKE)
    client = api_as(world.team_member)
    response = client.post(f"/api/cases/{case.pk}/members/", new_member(case.version), format="json")
    assert response.status_code == 201, response.content
    members = client.get(f"/api/cases/{case.pk}/members/").json()
    mila = next(m for m in members if m["name"] == "Mila Peeters")
    assert mila["roles"] == ["child_witness"]
    r = client.post(
        f"/api/cases/{case.pk}/members/{mila['id']}/roles/",
        {"roles": ["child_victim"], "expected_version": response.json()["version"]},
        format="json",
    )
    assert r.status_code == 200
    assert next(m for m in r.json()["members"] if m["id"] == mila["id"])["roles"] == ["child_victim"]


def test_an_existing_person_is_linked_by_id(world):
    earlier = case_at(world, Stage.CLOSED)
    person = earlier.members.first().person
    case = case_at(world, Stage.INTAKE, members=family(family_name="Maes"))
    r = api_as(world.coordinator).post(
        f"/api/cases/{case.pk}/members/",
        {"roles": ["relative"], "person_id": person.pk, "expected_version": case.version},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert person.pk in {m["person_id"] for m in r.json()["members"]}
    assert r.json()["is_repeat"] is True


@pytest.mark.parametrize(
    "change, field",
    [
        ({"roles": []}, "roles"),
        ({"roles": ["neighbour"]}, "roles"),
        ({"new_person": {"given_names": "", "family_name": "Peeters"}}, "new_person"),
        ({"person_id": 1}, "non_field_errors"),  # both a person and a new one
    ],
)
def test_bad_member_input_names_the_field_and_adds_nobody(world, change, field):
    case = case_at(world, Stage.INTAKE)
    count = case.members.count()
    r = api_as(world.coordinator).post(
        f"/api/cases/{case.pk}/members/", new_member(case.version, **change), format="json"
    )
    assert r.status_code == 400
    assert field in r.json()
    assert case.members.count() == count
    assert Case.objects.get(pk=case.pk).version == case.version


def test_a_stale_case_version_refuses_a_new_member(world):
    case = case_at(world, Stage.INTAKE)
    count = case.members.count()
    r = api_as(world.coordinator).post(
        f"/api/cases/{case.pk}/members/", new_member(case.version - 1), format="json"
    )
    assert r.status_code == 409
    assert r.json()["current_version"] == case.version
    assert case.members.count() == count


def test_members_of_a_closed_case_are_not_changed(world):
    case = case_at(world, Stage.CLOSED)
    member = case.members.first()
    client = api_as(world.coordinator)
    assert (
        client.post(f"/api/cases/{case.pk}/members/", new_member(case.version), format="json").status_code
        == 403
    )
    r = client.post(
        f"/api/cases/{case.pk}/members/{member.pk}/roles/",
        {"roles": ["relative"], "expected_version": case.version},
        format="json",
    )
    assert r.status_code == 403
    member.refresh_from_db()
    assert member.roles != ["relative"]


def test_outsiders_get_not_found_on_members_partners_director_and_follow_up(world):
    case = case_at(world, Stage.CLOSED)
    member = case.members.first()
    outsider = api_as(world.outsider)
    base = f"/api/cases/{case.pk}"
    for method, path, body in [
        ("get", f"{base}/members/", None),
        ("post", f"{base}/members/", new_member(case.version)),
        ("post", f"{base}/members/{member.pk}/roles/", {"roles": ["relative"], "expected_version": 1}),
        ("post", f"{base}/partners/", {"organisation_id": world.addiction.pk}),
        ("post", f"{base}/case-director/", {"professional_id": world.outsider.pk}),
        ("post", f"{base}/follow-up/", {"note": "x"}),
    ]:
        assert getattr(outsider, method)(path, body, format="json").status_code == 404, path


def test_a_member_of_another_case_is_not_found(world):
    case = case_at(world, Stage.INTAKE)
    other = case_at(world, Stage.INTAKE, members=family(family_name="Maes"))
    r = api_as(world.coordinator).post(
        f"/api/cases/{case.pk}/members/{other.members.first().pk}/roles/",
        {"roles": ["relative"], "expected_version": case.version},
        format="json",
    )
    assert r.status_code == 404


def test_partners_by_coordinator_or_case_director_only(world):
    case = case_at(world, Stage.EXECUTION)
    body = {"organisation_id": world.shelter.pk, "expected_version": case.version}
    assert (
        api_as(world.team_member).post(f"/api/cases/{case.pk}/partners/", body, format="json").status_code
        == 403
    )
    stale = api_as(world.case_director).post(
        f"/api/cases/{case.pk}/partners/", {**body, "expected_version": case.version - 1}, format="json"
    )
    assert stale.status_code == 409
    r = api_as(world.case_director).post(f"/api/cases/{case.pk}/partners/", body, format="json")
    assert r.status_code == 200
    assert world.shelter.pk in {p["organisation_id"] for p in r.json()["participations"]}
    unsigned = api_as(world.case_director).post(
        f"/api/cases/{case.pk}/partners/",
        {"organisation_id": world.unsigned_org.pk},
        format="json",
    )
    assert unsigned.status_code == 400
    assert "organisation" in unsigned.json()


def test_the_case_director_is_appointed_by_the_coordinator(world):
    case = case_at(world, Stage.PLANNING)
    body = {"professional_id": world.case_director.pk, "expected_version": case.version}
    assert (
        api_as(world.referrer).post(f"/api/cases/{case.pk}/case-director/", body, format="json").status_code
        == 403
    )
    assert Case.objects.get(pk=case.pk).case_director_id is None


def test_the_follow_up_after_closure(world):
    open_case = case_at(world, Stage.EXECUTION)
    early = api_as(world.case_director).post(
        f"/api/cases/{open_case.pk}/follow-up/", {"note": "x"}, format="json"
    )
    assert early.status_code == 400
    case = case_at(world, Stage.CLOSED)
    assert (
        api_as(world.team_member)
        .post(f"/api/cases/{case.pk}/follow-up/", {"note": "x"}, format="json")
        .status_code
        == 403
    )
    empty = api_as(world.case_director).post(f"/api/cases/{case.pk}/follow-up/", {"note": ""}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()
    done = api_as(world.case_director).post(
        f"/api/cases/{case.pk}/follow-up/", {"note": "No new call-outs."}, format="json"
    )
    assert done.status_code == 200
    assert case.closure.follow_up_note == "No new call-outs."


def test_a_person_id_from_a_case_the_user_cannot_see_cannot_be_linked(world):
    other = make_world()
    hidden = case_at(other, Stage.REGISTERED)
    stranger = hidden.members.first().person
    mine = case_at(world, Stage.INTAKE)
    r = api_as(world.coordinator).post(
        f"/api/cases/{mine.pk}/members/",
        {"person_id": stranger.pk, "roles": ["relative"], "expected_version": mine.version},
        format="json",
    )
    assert r.status_code == 404
    assert not mine.members.filter(person=stranger).exists()
