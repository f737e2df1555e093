"""The dossier through the API: contributions, corrections, documents and information
requests, with the same rules as the dossier pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, family
from ketenplan.dossier import selectors, services
from ketenplan.dossier.models import Attachment, Contribution, InformationRequest
from ketenplan.dossier.tests.files import pdf, png, upload
from ketenplan.methods.models import LifeDomain

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return case_at(world, Stage.DOSSIER)


def domain(key="safety"):
    return LifeDomain.objects.get(key=key)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def contribute(world, case, actor=None, **overrides):
    values = {
        "life_domain": domain(),
        "text": "Third call-out this year.",
        "occurred_on": days(-2),
        "source": "Police report",
    }
    values.update(overrides)
    return services.contribution_add(actor=actor or world.referrer, case=case, **values)


def ask(world, case, to=None, actor=None):
    return services.information_request_create(
        actor=actor or world.team_member,
        case=case,
        to_organisation=to or world.shelter,
        question="Did the mother stay with you before?",
        due_on=days(7),
    )


def victim_of(case):
    return next(m.person for m in case.members.select_related("person") if "victim" in m.roles)


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


# --- Contributions --------------------------------------------------------------------


def test_the_list_is_exactly_what_the_dossier_page_shows(world, case, as_):
    first = contribute(world, case)
    services.contribution_correct(
        actor=world.referrer, original=first, text="Fourth call-out.", reason="Typo"
    )
    contribute(world, case, actor=world.team_member, life_domain=domain("finances"), source="Intake")
    response = as_("team_member").get(f"/api/cases/{case.pk}/contributions/")
    assert response.status_code == 200
    page = selectors.dossier_contributions(user=world.team_member, case=case)
    expected = [
        (e.contribution.pk, [h.pk for h in e.history], e.can_correct)
        for g in page.groups()
        for e in g.entries
    ]
    got = [
        (e["contribution"]["id"], [h["id"] for h in e["history"]], e["can_correct"]) for e in response.json()
    ]
    assert got == expected
    assert [len(e[1]) for e in got] == [1, 0]  # the correction carries its earlier version
    assert AuditEvent.objects.filter(action="dossier.viewed", actor=world.team_member).exists()


def test_the_list_can_be_filtered_like_the_page(world, case, as_):
    contribute(world, case)
    finances = contribute(world, case, life_domain=domain("finances"))
    rows = as_("referrer").get(f"/api/cases/{case.pk}/contributions/?life_domain=finances").json()
    assert [r["contribution"]["id"] for r in rows] == [finances.pk]


def test_adding_a_contribution(world, case, as_):
    victim = victim_of(case)
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/contributions/",
        {
            "life_domain": "housing",
            "about_person": victim.pk,
            "occurred_on": days(-1).isoformat(),
            "source": "Home visit",
            "text": "The lease is in the father's name.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["life_domain"], body["about_person_id"], body["organisation_id"]) == (
        "housing",
        victim.pk,
        world.welfare.pk,
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"source": ""}, "source"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"life_domain": "no-such-domain"}, "life_domain"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_contribution_input_names_the_field_and_adds_nothing(world, case, as_, change, field):
    payload = {"life_domain": "safety", "occurred_on": days(-1).isoformat(), "source": "Visit", "text": "x"}
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/", {**payload, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Contribution.objects.filter(case=case).exists()


def test_about_a_person_of_another_family_is_refused(world, case, as_):
    other = case_at(world, Stage.DOSSIER, members=family(family_name="Maes"))
    stranger = other.members.first().person
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/",
        {
            "life_domain": "safety",
            "about_person": stranger.pk,
            "occurred_on": days(-1).isoformat(),
            "source": "Visit",
            "text": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "about_person" in response.json()


def test_a_closed_case_takes_no_contributions(world, as_):
    case = case_at(world, Stage.CLOSED)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/",
        {"life_domain": "safety", "occurred_on": days(-1).isoformat(), "source": "Visit", "text": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "closed" in response.json()["detail"]


def test_a_correction_keeps_the_earlier_version_readable(world, case, as_):
    original = contribute(world, case)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/correct/",
        {"text": "Fourth call-out this year.", "reason": "Counted wrongly."},
        format="json",
    )
    assert response.status_code == 201, response.content
    correction = response.json()
    assert correction["supersedes_id"] == original.pk
    assert correction["source"] == "Police report"  # fields left out keep their value
    versions = as_("team_member").get(f"/api/cases/{case.pk}/contributions/{correction['id']}/").json()
    assert [v["id"] for v in versions["versions"]] == [correction["id"], original.pk]
    assert versions["can_correct"] is False  # another organisation's contribution


def test_correcting_a_version_corrected_meanwhile_is_a_conflict(world, case, as_):
    original = contribute(world, case)
    services.contribution_correct(
        actor=world.referrer, original=original, text="Someone else's fix.", reason="x"
    )
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/correct/",
        {"text": "My fix.", "reason": "y"},
        format="json",
    )
    assert response.status_code == 409
    assert "changed by" in response.json()["detail"]
    assert Contribution.objects.filter(case=case).count() == 2


def test_only_the_contributing_organisation_corrects(world, case, as_):
    original = contribute(world, case)
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/correct/",
        {"text": "Not mine to change.", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert Contribution.objects.filter(case=case).count() == 1


def test_a_correction_without_reason_names_the_field(world, case, as_):
    original = contribute(world, case)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/correct/", {"text": "Changed."}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


# --- Documents --------------------------------------------------------------------------


def test_documents_are_uploaded_as_a_new_version_and_downloaded_through_the_policy(world, case, as_, media):
    original = contribute(world, case)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/attachments/",
        {"files": [upload("report.pdf", pdf()), upload("photo.png", png())], "reason": "Report and photo."},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    attachments = response.json()["attachments"]
    assert [a["content_type"] for a in attachments] == ["application/pdf", "image/png"]
    download = as_("team_member").get(attachments[1]["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == png()
    as_pdf = as_("team_member").get(attachments[0]["download_url"], HTTP_ACCEPT="application/pdf")
    assert (as_pdf.status_code, as_pdf["Content-Type"]) == (200, "application/pdf")
    assert AuditEvent.objects.filter(action="dossier.attachment_downloaded", actor=world.team_member).exists()


def test_a_spoofed_document_is_refused_and_nothing_is_stored(world, case, as_, media):
    original = contribute(world, case)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/attachments/",
        {"files": [upload("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)], "reason": "Invoice."},
        format="multipart",
    )
    assert response.status_code == 400
    assert "files" in response.json()
    assert Contribution.objects.filter(case=case).count() == 1
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_upload_without_files_names_the_field(world, case, as_):
    original = contribute(world, case)
    response = as_("referrer").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/attachments/", {"reason": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert "files" in response.json()


def test_another_organisation_cannot_add_documents(world, case, as_, media):
    original = contribute(world, case)
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/contributions/{original.pk}/attachments/",
        {"files": [upload("report.pdf", pdf())], "reason": "x"},
        format="multipart",
    )
    assert response.status_code == 403
    assert stored_files(media) == []


def test_a_document_of_another_case_is_not_found(world, case, as_):
    other = case_at(world, Stage.DOSSIER, members=family(family_name="Maes"))
    contribution = contribute(world, other, files=[upload("report.pdf", pdf())])
    attachment = contribution.attachments.get()
    assert as_("referrer").get(f"/api/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert as_("referrer").get(f"/api/cases/{other.pk}/attachments/{attachment.pk}/").status_code == 200


# --- Outsiders --------------------------------------------------------------------------


def test_outsiders_get_not_found_on_every_dossier_endpoint(world, case, as_, media):
    contribution = contribute(world, case, files=[upload("report.pdf", pdf())])
    attachment = contribution.attachments.get()
    request_obj = ask(world, case)
    outsider = as_("outsider")
    base = f"/api/cases/{case.pk}"
    calls = [
        ("get", f"{base}/contributions/", None),
        ("post", f"{base}/contributions/", {"life_domain": "safety", "text": "x", "source": "y"}),
        ("get", f"{base}/contributions/{contribution.pk}/", None),
        ("post", f"{base}/contributions/{contribution.pk}/correct/", {"text": "x", "reason": "y"}),
        ("get", f"{base}/attachments/{attachment.pk}/", None),
        ("get", f"{base}/information-requests/", None),
        ("post", f"{base}/information-requests/", {"to_organisation": world.shelter.pk}),
        ("get", f"/api/information-requests/{request_obj.pk}/", None),
        (
            "post",
            f"/api/information-requests/{request_obj.pk}/answer/",
            {"answer": "x", "expected_version": 1},
        ),
        (
            "post",
            f"/api/information-requests/{request_obj.pk}/withdraw/",
            {"reason": "x", "expected_version": 1},
        ),
    ]
    for method, path, body in calls:
        response = getattr(outsider, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    upload_response = outsider.post(
        f"{base}/contributions/{contribution.pk}/attachments/",
        {"files": [upload("x.pdf", pdf())], "reason": "x"},
        format="multipart",
    )
    assert upload_response.status_code == 404
    assert not AuditEvent.objects.filter(actor=world.outsider, action__startswith="dossier.").exists()
    assert Contribution.objects.filter(case=case).count() == 1


# --- Information requests ---------------------------------------------------------------


def test_the_asked_organisation_sees_and_answers_the_request_without_the_case(world, case, as_):
    request_obj = ask(world, case, to=world.addiction)
    asked = as_("outsider")  # addiction care: asked, but not taking part
    detail = asked.get(f"/api/information-requests/{request_obj.pk}/").json()
    assert (detail["case_reference"], detail["can_answer"], detail["can_withdraw"]) == (
        case.reference,
        True,
        False,
    )
    assert asked.get(f"/api/cases/{case.pk}/contributions/").status_code == 404
    response = asked.post(
        f"/api/information-requests/{request_obj.pk}/decline/",
        {"reason": "No legal basis to share.", "expected_version": detail["version"]},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == (
        "declined",
        "No legal basis to share.",
    )


def test_the_inbox_lists_requests_to_my_organisation(world, case, as_):
    to_shelter = ask(world, case)
    ask(world, case, to=world.addiction)
    shelter_worker = _professional(world.shelter)
    from .conftest import api_as

    client = api_as(shelter_worker)
    assert [r["id"] for r in client.get("/api/information-requests/").json()["results"]] == [to_shelter.pk]
    services.information_request_answer(
        actor=shelter_worker, request_obj=to_shelter, answer="Yes, in 2022.", expected_version=1
    )
    assert client.get("/api/information-requests/").json()["count"] == 0
    assert client.get("/api/information-requests/?status=all").json()["count"] == 1


def _professional(organisation):
    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import ProfessionalFactory

    return ProfessionalFactory(organisation=organisation, roles=[Role.PARTNER], mfa=True)


def test_asking_a_request(world, case, as_):
    victim = victim_of(case)
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/information-requests/",
        {
            "to_organisation": world.shelter.pk,
            "question": "Did she stay with you?",
            "due_on": days(5).isoformat(),
            "about_person": victim.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["to_organisation_id"], body["can_withdraw"]) == (
        "open",
        world.shelter.pk,
        True,
    )
    listed = as_("referrer").get(f"/api/cases/{case.pk}/information-requests/").json()
    assert [r["id"] for r in listed] == [body["id"]]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"due_on": "2000-01-01"}, "due_on"),
        ({"question": ""}, "question"),
        ({"to_organisation": "own"}, "to_organisation"),
        ({"to_organisation": "unsigned"}, "to_organisation"),
    ],
)
def test_bad_request_input_names_the_field_and_asks_nothing(world, case, as_, change, field):
    organisations = {"own": world.welfare.pk, "unsigned": world.unsigned_org.pk}
    if "to_organisation" in change:
        change = {"to_organisation": organisations[change["to_organisation"]]}
    payload = {"to_organisation": world.shelter.pk, "question": "Known?", "due_on": days(5).isoformat()}
    response = as_("team_member").post(
        f"/api/cases/{case.pk}/information-requests/", {**payload, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not InformationRequest.objects.exists()


def test_only_the_asked_organisation_answers(world, case, as_):
    request_obj = ask(world, case)
    response = as_("team_member").post(
        f"/api/information-requests/{request_obj.pk}/answer/",
        {"answer": "Answering my own question.", "expected_version": request_obj.version},
        format="json",
    )
    assert response.status_code == 403
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.OPEN


def test_only_the_asking_organisation_withdraws(world, case, as_):
    request_obj = ask(world, case, to=world.addiction)
    assert (
        as_("outsider")
        .post(
            f"/api/information-requests/{request_obj.pk}/withdraw/",
            {"reason": "x", "expected_version": request_obj.version},
            format="json",
        )
        .status_code
        == 403
    )
    response = as_("team_member").post(
        f"/api/information-requests/{request_obj.pk}/withdraw/",
        {"reason": "Found it in our own files.", "expected_version": request_obj.version},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_a_stale_request_version_is_a_conflict(world, case, as_):
    request_obj = ask(world, case, to=world.addiction)
    services.information_request_withdraw(
        actor=world.team_member, request_obj=request_obj, reason="Not needed.", expected_version=1
    )
    response = as_("outsider").post(
        f"/api/information-requests/{request_obj.pk}/answer/",
        {"answer": "Too late.", "expected_version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    request_obj.refresh_from_db()
    assert (request_obj.status, request_obj.answer) == ("withdrawn", "")


def test_an_empty_answer_names_the_field(world, case, as_):
    request_obj = ask(world, case, to=world.addiction)
    response = as_("outsider").post(
        f"/api/information-requests/{request_obj.pk}/answer/",
        {"answer": "", "expected_version": request_obj.version},
        format="json",
    )
    assert response.status_code == 400
    assert "answer" in response.json()


@pytest.mark.parametrize("resource", ["contributions", "information-requests"])
def test_list_queries_do_not_grow_with_the_rows(world, case, as_, media, resource):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            c = contribute(world, case, text=f"Fact {i}", files=[upload("report.pdf", pdf())])
            services.contribution_correct(actor=world.referrer, original=c, text=f"Fact {i}!", reason="x")
            ask(world, case)

    client = as_("team_member")
    url = f"/api/cases/{case.pk}/{resource}/"
    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(4)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
