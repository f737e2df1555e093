"""The case path through the JSON API: same services, same rules, same messages."""

import pytest
from rest_framework.test import APIClient

from ketenplan.api import services as api_services
from ketenplan.cases.models import AdmissibilityDecision, Case, Stage
from ketenplan.cases.tests.factories import approve_plan, case_at, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def api_as(user) -> APIClient:
    client = APIClient()
    token = api_services.api_token_create(actor=user, name="test", valid_days=30)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def criteria(met=True):
    return {c: {"met": met, "note": "Checked."} for c in AdmissibilityDecision.Criterion.values}


def test_full_journey_from_registration_to_closure(world):
    referrer, coordinator, director = (
        api_as(world.referrer),
        api_as(world.coordinator),
        api_as(world.case_director),
    )
    response = referrer.post(
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
    )
    assert response.status_code == 201, response.content
    case_id, version = response.json()["id"], response.json()["version"]
    assert response.json()["stage"] == Stage.REGISTERED
    assert {m["name"] for m in response.json()["members"]} == {"Ilse Janssens", "Marc Wuyts"}

    r = coordinator.post(
        f"/api/cases/{case_id}/admissibility/",
        {"answers": criteria(), "expected_version": version},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["stage"] == Stage.INTAKE
    r = coordinator.post(
        f"/api/cases/{case_id}/intake-complete/", {"expected_version": r.json()["version"]}, format="json"
    )
    r = coordinator.post(
        f"/api/cases/{case_id}/dossier-ready/", {"expected_version": r.json()["version"]}, format="json"
    )
    r = coordinator.post(
        f"/api/cases/{case_id}/risk-weighing/",
        {
            "level": "high",
            "reasoning": "Strangulation and threats to kill.",
            "expected_version": r.json()["version"],
        },
        format="json",
    )
    assert r.json()["stage"] == Stage.PLANNING, r.content
    r = coordinator.post(
        f"/api/cases/{case_id}/case-director/", {"professional_id": world.case_director.pk}, format="json"
    )
    assert r.status_code == 200, r.content
    # Without an approved plan execution cannot start: refused with the reason, nothing changes.
    refused = director.post(
        f"/api/cases/{case_id}/start-execution/", {"expected_version": r.json()["version"]}, format="json"
    )
    assert refused.status_code == 409
    assert "plan" in refused.json()["detail"]
    approve_plan(world, Case.objects.get(pk=case_id))
    r = director.post(
        f"/api/cases/{case_id}/start-execution/", {"expected_version": r.json()["version"]}, format="json"
    )
    assert r.json()["stage"] == Stage.EXECUTION, r.content
    r = director.post(
        f"/api/cases/{case_id}/close/",
        {
            "outcome": "goals_met",
            "note": "Safe at home.",
            "expected_version": r.json()["version"],
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["stage"] == Stage.CLOSED
    transitions = director.get(f"/api/cases/{case_id}/transitions/").json()
    assert [t["to_stage"] for t in transitions] == [
        "registered",
        "intake",
        "dossier",
        "weighing",
        "planning",
        "execution",
        "closed",
    ]


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
