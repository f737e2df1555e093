"""The consent and emergency-access pages, as a browser uses them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from ketenplan.accounts.tests.factories import PASSWORD
from ketenplan.consent import services
from ketenplan.consent.models import Consent, EmergencyAccess, LegalBasis, NotAsked

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"consent:{name}", args=args)


def assert_no_inline_script_or_style(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style\b", html), "inline style element"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_the_overview_shows_every_member_their_state_and_history(client, world, case, fam, give):
    give(case, fam.sara, scope="chosen", organisations=[world.shelter])
    services.not_asked_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        reason="Asking him would endanger Sara.",
        protects=fam.sara,
    )
    client.force_login(world.shelter_worker)
    response = client.get(url("overview", case.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Sara", "Kevin", "Lina"):
        assert name in html
    assert "Asking him would endanger Sara." in html  # the reason is visible to the team
    assert world.shelter.name in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert_no_inline_script_or_style(html)
    # A partner records consent; only the coordinator or case director decides the rest.
    assert url("record", case.pk, fam.sara.pk) in html
    assert url("legal_basis", case.pk, fam.sara.pk) not in html


@pytest.mark.parametrize("who", ["outsider", "unsigned"])
def test_outsiders_get_not_found(client, world, case, who):
    client.force_login(getattr(world, who))
    assert client.get(url("overview", case.pk)).status_code == 404
    member = case.members.first()
    assert client.get(url("record", case.pk, member.pk)).status_code == 404


def test_analysts_are_refused_and_anonymous_visitors_sent_to_sign_in(client, world, case):
    response = client.get(url("overview", case.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.analyst)
    assert client.get(url("overview", case.pk)).status_code == 403
    assert client.get(url("emergency")).status_code == 403
    assert client.get(url("emergency_review_list")).status_code == 403


def test_recording_consent_through_the_form(client, world, case, fam):
    client.force_login(world.team_member)
    page = client.get(url("record", case.pk, fam.sara.pk))
    assert page.status_code == 200
    assert_no_inline_script_or_style(page.content.decode())
    response = client.post(
        url("record", case.pk, fam.sara.pk),
        {
            "status": "given",
            "scope": "chosen",
            "organisations": [world.shelter.pk, world.police.pk],
            "obtained_on": date.today().isoformat(),
            "obtained_how": "written",
            "evidence_note": "Signed form in our file.",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.status == "given" and consent.recorded_by == world.team_member
    assert set(consent.organisations.all()) == {world.shelter, world.police}


def test_a_refusal_needs_no_scope_and_errors_are_shown_on_the_form(client, world, case, fam):
    client.force_login(world.team_member)
    response = client.post(
        url("record", case.pk, fam.lina.pk),
        {
            "status": "given",
            "scope": "all_partners",
            "obtained_on": date.today().isoformat(),
            "obtained_how": "phone",
        },
    )
    assert response.status_code == 200  # Lina is 9: a parent answers for her
    assert "error-summary" in response.content.decode()
    assert not Consent.objects.exists()
    response = client.post(
        url("record", case.pk, fam.kevin.pk),
        {
            "status": "refused",
            "scope": "chosen",
            "organisations": [world.shelter.pk],
            "obtained_on": date.today().isoformat(),
            "obtained_how": "in_person",
        },
    )
    assert response.status_code == 302
    assert Consent.objects.get().status == "refused"


def test_withdrawal_asks_for_confirmation_and_takes_effect(client, world, case, fam, give):
    give(case, fam.sara)
    client.force_login(world.referrer)
    page = client.get(url("withdraw", case.pk, fam.sara.pk))
    assert page.status_code == 200
    assert 'data-confirm="' in page.content.decode()
    response = client.post(
        url("withdraw", case.pk, fam.sara.pk),
        {"obtained_on": date.today().isoformat(), "obtained_how": "phone", "note": "Called us."},
    )
    # Without JavaScript the server asks again, and nothing changes yet.
    assert response.status_code == 200 and 'name="confirmed" value="yes"' in response.content.decode()
    assert Consent.objects.latest("pk").status == "given"
    response = client.post(
        url("withdraw", case.pk, fam.sara.pk),
        {
            "obtained_on": date.today().isoformat(),
            "obtained_how": "phone",
            "note": "Called us.",
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    assert Consent.objects.latest("pk").status == "withdrawn"


def test_legal_basis_and_not_asked_pages_are_for_the_coordinator(client, world, case, fam):
    client.force_login(world.team_member)
    assert client.get(url("legal_basis", case.pk, fam.kevin.pk)).status_code == 404
    assert client.get(url("not_asked", case.pk, fam.kevin.pk)).status_code == 404
    client.force_login(world.coordinator)
    for page in (url("legal_basis", case.pk, fam.kevin.pk), url("not_asked", case.pk, fam.kevin.pk)):
        response = client.get(page)
        assert response.status_code == 200 and "Kevin" in response.content.decode()
        assert_no_inline_script_or_style(response.content.decode())
    response = client.post(
        url("legal_basis", case.pk, fam.kevin.pk),
        {
            "basis": "be_case_conference",
            "justification": "Case conference under the decree.",
            "valid_from": date.today().isoformat(),
            "valid_until": (date.today() + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    basis = LegalBasis.objects.get()
    page = client.get(url("legal_basis_end", case.pk, basis.pk))
    assert 'data-confirm="' in page.content.decode()
    assert (
        client.post(
            url("legal_basis_end", case.pk, basis.pk), {"reason": "Conference over.", "confirmed": "yes"}
        ).status_code
        == 302
    )
    basis.refresh_from_db()
    assert basis.ended_at is not None
    response = client.post(
        url("not_asked", case.pk, fam.kevin.pk), {"reason": "Safety of Sara.", "protects": fam.sara.pk}
    )
    assert response.status_code == 302
    assert NotAsked.objects.get().protects == fam.sara


def test_a_member_of_another_case_is_not_found(client, world, case):
    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at

    other = case_at(world, Stage.DOSSIER)
    client.force_login(world.coordinator)
    foreign_member = other.members.first()
    assert client.get(url("record", case.pk, foreign_member.pk)).status_code == 404


# --- Emergency access -------------------------------------------------------------------


def test_breaking_the_glass_through_the_page(
    client, world, case, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.outsider)
    page = client.get(url("emergency"))
    assert page.status_code == 200
    assert_no_inline_script_or_style(page.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("emergency"),
            {"reference": case.reference, "password": PASSWORD, "reason": "Acute danger at the door."},
        )
    access = EmergencyAccess.objects.get()
    assert response.status_code == 302 and response["Location"] == url("emergency_opened", access.pk)
    opened = client.get(response["Location"])
    assert case.reference in opened.content.decode()
    assert len(mailoutbox) == 1


def test_the_page_reveals_nothing_before_the_password_is_right(client, world, case):
    client.force_login(world.outsider)
    answers = []
    for reference in (case.reference, "2026-424242"):
        response = client.post(
            url("emergency"), {"reference": reference, "password": "wrong", "reason": "Danger"}
        )
        assert response.status_code == 200
        answers.append(_errors(response))
    assert answers[0] == answers[1]
    unknown = client.post(
        url("emergency"), {"reference": "2026-424242", "password": PASSWORD, "reason": "Danger"}
    )
    assert "reference" in unknown.context["form"].errors
    assert not EmergencyAccess.objects.exists()


def _errors(response) -> dict:
    return {k: list(v) for k, v in response.context["form"].errors.items()}


def test_someone_elses_emergency_access_page_is_not_found(client, world, case):
    access = services.emergency_access_open(
        actor=world.outsider, reference=case.reference, password=PASSWORD, reason="Danger"
    )
    client.force_login(world.shelter_worker)
    assert client.get(url("emergency_opened", access.pk)).status_code == 404


def test_the_review_list_and_review(client, world, case):
    access = services.emergency_access_open(
        actor=world.outsider, reference=case.reference, password=PASSWORD, reason="Danger at the door"
    )
    client.force_login(world.team_member)
    assert client.get(url("emergency_review_list")).status_code == 403
    client.force_login(world.coordinator)
    listing = client.get(url("emergency_review_list"))
    html = listing.content.decode()
    assert (
        case.reference in html and escape(world.outsider.full_name) in html and "Danger at the door" in html
    )
    assert_no_inline_script_or_style(html)
    page = client.get(url("emergency_review", access.pk))
    assert page.status_code == 200 and "Danger at the door" in page.content.decode()
    response = client.post(url("emergency_review", access.pk), {"note": "Justified."})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == world.coordinator


def test_a_coordinator_elsewhere_cannot_open_the_review(client, world, case):
    from ketenplan.cases.tests.factories import make_world

    access = services.emergency_access_open(
        actor=world.outsider, reference=case.reference, password=PASSWORD, reason="Danger"
    )
    elsewhere = make_world("Elsewhere")
    client.force_login(elsewhere.coordinator)
    assert client.get(url("emergency_review", access.pk)).status_code == 404
    assert case.reference not in client.get(url("emergency_review_list")).content.decode()


# --- Query counts -----------------------------------------------------------------------


def test_the_overview_needs_the_same_number_of_queries_for_any_family(
    client, world, case, fam, give, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ketenplan.cases import services as case_services
    from ketenplan.cases.models import MemberRole

    give(case, fam.lina, given_by=fam.sara, scope="chosen", organisations=[world.shelter])
    client.force_login(world.coordinator)
    client.get("/")  # the session's first request reads the region's words once
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("overview", case.pk)).status_code == 200
    for n in range(4):
        case_services.case_member_add(
            actor=world.coordinator,
            case=case,
            spec=case_services.MemberSpec(
                roles=[MemberRole.RELATIVE],
                new_person={
                    "given_names": f"Relative{n}",
                    "family_name": "Peeters",
                    "birth_date": date(1960, 1, n + 1),
                },
            ),
        )
    for member in case.members.select_related("person"):
        services.consent_record(actor=world.coordinator, case=case, person=member.person, status="asked")
    give(case, fam.sara, scope="chosen", organisations=[world.shelter, world.police])
    services.legal_basis_record(
        actor=world.coordinator,
        case=case,
        person=fam.kevin.person,
        basis="uk_marac",
        justification="MARAC",
        valid_until=date.today() + timedelta(days=3),
    )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url("overview", case.pk)).status_code == 200
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]
    assert len(large) <= 16  # 15 reads and the audit row of the read
