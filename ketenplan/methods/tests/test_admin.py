"""An administrator adds or replaces a profile in the admin by pasting or uploading YAML."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from ketenplan.audit.models import AuditEvent
from ketenplan.methods.definitions import SHIPPED_PROFILES_DIR
from ketenplan.methods.models import LifeDomain, MethodProfile

from .test_services import snapshot

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:methods_methodprofile_add")


def change_url(profile) -> str:
    return reverse("admin:methods_methodprofile_change", args=[profile.pk])


def test_the_add_page_asks_for_yaml(alice_client):
    response = alice_client.get(ADD_URL)
    assert response.status_code == 200
    assert b'name="yaml_text"' in response.content
    assert b'name="yaml_file"' in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_adding_a_profile_by_pasting_yaml(alice_client, alice, profile_yaml):
    response = alice_client.post(ADD_URL, {"yaml_text": profile_yaml(), "_save": "Save"})
    assert response.status_code == 302
    profile = MethodProfile.objects.get(key="test-profile")
    assert profile.name_en == "Test profile"
    assert profile.is_active
    event = AuditEvent.objects.get(action="methods.profile_created")
    assert event.actor == alice
    assert event.detail["source"] == "admin"


def test_adding_a_profile_by_uploading_a_file(alice_client, profile_yaml):
    upload = SimpleUploadedFile(
        "test-profile.yaml", profile_yaml().encode("utf-8"), content_type="application/yaml"
    )
    response = alice_client.post(ADD_URL, {"yaml_text": "", "yaml_file": upload})
    assert response.status_code == 302
    assert MethodProfile.objects.filter(key="test-profile").exists()


def test_a_malformed_profile_is_shown_with_every_problem_and_not_saved(
    alice_client, profile_yaml
):
    def broken(data):
        data["milestones"][0]["offset"]["unit"] = "fortnights"
        data["milestones"][1]["offset"]["amount"] = -1
        data["milestones"][2]["key"] = "evaluation-1m"
        data["milestones"][2]["anchor"] = "case_closed"
        del data["milestones"][0]["name"]

    before = snapshot()
    response = alice_client.post(ADD_URL, {"yaml_text": profile_yaml(broken)})
    assert response.status_code == 200
    for problem in [
        "milestones[1].name: this field is required but missing.",
        "milestones[1].offset.unit: “fortnights” is not allowed; "
        "choose one of: days, weeks, months, years.",
        "milestones[2].offset.amount: must not be negative (is -1).",
        "milestones[3].anchor: “case_closed” is not allowed; "
        "choose one of: registration, plan_approved.",
        "milestones[3].key: “evaluation-1m” is already used by milestones[1]; "
        "keys must be unique.",
    ]:
        assert escape(problem) in response.content.decode()
    assert snapshot() == before


def test_a_malformed_upload_is_not_saved(alice_client):
    upload = SimpleUploadedFile("bad.yaml", b"key: [unclosed\n")
    before = snapshot()
    response = alice_client.post(ADD_URL, {"yaml_text": "", "yaml_file": upload})
    assert response.status_code == 200
    assert "this is not valid YAML" in response.content.decode()
    assert snapshot() == before


def test_an_upload_that_is_not_utf8_is_not_saved(alice_client):
    upload = SimpleUploadedFile("bad.yaml", b"\xff\xfe\x00\x01")
    response = alice_client.post(ADD_URL, {"yaml_file": upload})
    assert response.status_code == 200
    assert "The file is not UTF-8 text." in response.content.decode()


def test_adding_nothing_is_refused(alice_client):
    before = snapshot()
    response = alice_client.post(ADD_URL, {"yaml_text": "  "})
    assert response.status_code == 200
    assert escape("Paste or upload the profile's definition.") in response.content.decode()
    assert snapshot() == before


def test_adding_an_existing_key_is_refused(alice_client):
    text = (SHIPPED_PROFILES_DIR / "marac.yaml").read_text(encoding="utf-8")
    before = snapshot()
    response = alice_client.post(ADD_URL, {"yaml_text": text})
    assert response.status_code == 200
    assert escape("A profile with key “marac” exists already") in response.content.decode()
    assert snapshot() == before


def test_the_change_page_shows_the_definition(alice_client):
    profile = MethodProfile.objects.get(key="mdaplusplus")
    response = alice_client.get(change_url(profile))
    assert response.status_code == 200
    content = response.content.decode()
    assert "stable-safety-carried-out" in content
    assert "<pre>" in content


def test_loading_a_new_version_from_the_change_page(alice_client, profile_yaml):
    alice_client.post(ADD_URL, {"yaml_text": profile_yaml()})
    profile = MethodProfile.objects.get(key="test-profile")
    response = alice_client.post(
        change_url(profile), {"is_active": "on", "yaml_text": profile_yaml(version=2)}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.version == 2
    assert AuditEvent.objects.filter(action="methods.profile_updated").count() == 1


def test_a_new_version_must_keep_the_key(alice_client, profile_yaml):
    profile = MethodProfile.objects.get(key="marac")
    before = snapshot()
    response = alice_client.post(
        change_url(profile), {"is_active": "on", "yaml_text": profile_yaml(version=2)}
    )
    assert response.status_code == 200
    assert escape("defines profile “test-profile”, not “marac”") in response.content.decode()
    assert snapshot() == before


def test_deactivating_from_the_change_page(alice_client):
    profile = MethodProfile.objects.get(key="marac")
    response = alice_client.post(change_url(profile), {"yaml_text": ""})  # box unticked
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.is_active
    assert profile.version == 1
    assert AuditEvent.objects.filter(action="methods.profile_deactivated").count() == 1


def test_profiles_cannot_be_deleted(alice_client):
    profile = MethodProfile.objects.get(key="marac")
    response = alice_client.get(reverse("admin:methods_methodprofile_delete", args=[profile.pk]))
    assert response.status_code == 403


def test_a_coordinator_cannot_reach_the_admin(client, bob, profile_yaml):
    client.force_login(bob)
    response = client.post(ADD_URL, {"yaml_text": profile_yaml()})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not MethodProfile.objects.filter(key="test-profile").exists()


def test_adding_a_life_domain_in_the_admin(alice_client, alice):
    response = alice_client.post(
        reverse("admin:methods_lifedomain_add"),
        {"key": "spirituality", "name_nl": "Zingeving", "name_en": "Meaning", "order": 140,
         "is_active": "on"},
    )
    assert response.status_code == 302
    domain = LifeDomain.objects.get(key="spirituality")
    event = AuditEvent.objects.get(action="methods.life_domain_created")
    assert (event.actor, event.object_id) == (alice, str(domain.pk))


def test_a_life_domain_key_cannot_be_changed(alice_client):
    domain = LifeDomain.objects.get(key="justice")
    response = alice_client.post(
        reverse("admin:methods_lifedomain_change", args=[domain.pk]),
        {"key": "law", "name_nl": "Justitie", "name_en": "Justice", "order": 130},
    )
    assert response.status_code == 302
    domain.refresh_from_db()
    assert domain.key == "justice"
    assert not domain.is_active
    assert AuditEvent.objects.filter(action="methods.life_domain_changed").count() == 1
