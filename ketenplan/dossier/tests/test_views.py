"""The dossier pages through the browser's eyes: forms, downloads, "not found" for
outsiders, and a query count that does not grow with the dossier."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.dossier import services
from ketenplan.dossier.models import Attachment, Contribution, InformationRequest
from ketenplan.persons.models import Person

from . import files
from .conftest import give_consent, stored_files

pytestmark = pytest.mark.django_db


def add(world, case, domain, actor=None, **kwargs):
    values = {
        "text": "Neighbours called the police twice last month.",
        "occurred_on": case.registered_at.date(),
        "source": "Police report",
    }
    values.update(kwargs)
    return services.contribution_add(
        actor=actor or world.team_member, case=case, life_domain=domain, **values
    )


def ask(world, case, today, actor=None, **kwargs):
    values = {
        "to_organisation": world.addiction,
        "question": "Is the father in treatment with you?",
        "due_on": today + timedelta(days=10),
    }
    values.update(kwargs)
    return services.information_request_create(actor=actor or world.team_member, case=case, **values)


def dossier_url(case):
    return reverse("dossier:case_dossier", args=[case.pk])


def contribution_post(domain, **extra):
    data = {
        "contribution-life_domain": domain.pk,
        "contribution-about_person": "",
        "contribution-occurred_on": "2026-01-15",
        "contribution-source": "Home visit",
        "contribution-text": "The children sleep badly and are afraid of their father.",
    }
    data.update(extra)
    return data


# --- The dossier page -------------------------------------------------------------------


def test_the_dossier_shows_contributions_per_life_domain(client, world, case, domains):
    safety, housing = domains[0], domains[1]
    add(world, case, safety, text="Threats by phone.")
    add(world, case, housing, text="Rent arrears of three months.", actor=world.referrer)
    client.force_login(world.coordinator)
    response = client.get(dossier_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.family_label in html
    safety_at, housing_at = html.index(f'id="domain-{safety.pk}"'), html.index(f'id="domain-{housing.pk}"')
    assert safety_at < html.index("Threats by phone.") < housing_at
    assert housing_at < html.index("Rent arrears of three months.")
    assert 'enctype="multipart/form-data"' in html
    assert AuditEvent.objects.filter(action="dossier.viewed", object_id=str(case.pk)).count() == 1


@pytest.mark.parametrize("by", ["life_domain", "about_person", "organisation"])
def test_the_dossier_can_be_filtered(client, world, case, domains, by):
    mother = Person.objects.get(case_memberships__case=case, given_names="Sara")
    give_consent(world, case, mother)
    kept = add(world, case, domains[0], text="KEPT", about_person=mother)
    add(world, case, domains[1], text="FILTERED OUT", actor=world.referrer)
    value = {"life_domain": domains[0].pk, "about_person": mother.pk, "organisation": kept.organisation_id}[
        by
    ]
    client.force_login(world.coordinator)
    html = client.get(dossier_url(case), {by: value}).content.decode()
    assert "KEPT" in html and "FILTERED OUT" not in html


def test_adding_a_contribution_with_documents(client, world, case, domains, media):
    client.force_login(world.team_member)
    data = contribution_post(domains[0])
    data["contribution-files"] = [
        files.upload("verslag.docx", files.docx()),
        files.upload("foto.png", files.png()),
    ]
    response = client.post(reverse("dossier:contribution_add", args=[case.pk]), data)
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#contribution-{contribution.pk}")
    assert contribution.organisation == world.welfare
    assert sorted(contribution.attachments.values_list("original_name", flat=True)) == [
        "foto.png",
        "verslag.docx",
    ]
    assert len(stored_files(media)) == 2
    page = client.get(dossier_url(case)).content.decode()
    assert "verslag.docx" in page


def test_a_spoofed_document_is_refused_with_a_clear_error(client, world, case, domains, media):
    client.force_login(world.team_member)
    data = contribution_post(domains[0])
    data["contribution-files"] = [files.upload("aangifte.pdf", files.pe_executable(), "application/pdf")]
    response = client.post(reverse("dossier:contribution_add", args=[case.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "aangifte.pdf" in html and "error-summary" in html
    assert not Contribution.objects.exists()
    assert stored_files(media) == []


def test_missing_fields_are_shown_on_the_form(client, world, case, domains):
    client.force_login(world.team_member)
    data = contribution_post(domains[0], **{"contribution-text": "", "contribution-source": ""})
    response = client.post(reverse("dossier:contribution_add", args=[case.pk]), data)
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist"') >= 2


def test_a_closed_case_takes_no_contributions(client, world, domains):
    closed = case_at(world, Stage.CLOSED)
    client.force_login(world.case_director)
    page = client.get(dossier_url(closed))
    assert page.status_code == 200
    assert "add-contribution" not in page.content.decode()
    response = client.post(
        reverse("dossier:contribution_add", args=[closed.pk]), contribution_post(domains[0])
    )
    assert response.status_code == 400
    assert not Contribution.objects.exists()


# --- Corrections ------------------------------------------------------------------------


def correction_post(contribution, **extra):
    data = {
        "contribution-life_domain": contribution.life_domain_id,
        "contribution-about_person": contribution.about_person_id or "",
        "contribution-occurred_on": contribution.occurred_on.isoformat(),
        "contribution-source": contribution.source,
        "contribution-text": "Corrected: three police call-outs last month.",
        "contribution-reason": "The number of call-outs was wrong.",
    }
    data.update(extra)
    return data


def test_correcting_keeps_the_history_visible(client, world, case, domains):
    original = add(world, case, domains[0], text="Two police call-outs last month.")
    client.force_login(world.case_director)  # same organisation as the author
    url = reverse("dossier:contribution_correct", args=[case.pk, original.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Two police call-outs" in form.content.decode()
    response = client.post(url, correction_post(original))
    assert response.status_code == 302
    correction = Contribution.objects.get(is_current=True)
    assert correction.supersedes_id == original.pk
    # The dossier shows the current version, with the earlier one in its history.
    page = client.get(dossier_url(case)).content.decode()
    assert "Corrected: three police call-outs" in page
    assert "Two police call-outs last month." in page
    assert "The number of call-outs was wrong." in page
    detail = client.get(reverse("dossier:contribution_detail", args=[case.pk, original.pk]))
    html = detail.content.decode()
    assert html.index("Corrected: three") < html.index("Two police call-outs")


def test_a_second_correction_of_the_same_version_is_a_conflict(client, world, case, domains):
    original = add(world, case, domains[0])
    services.contribution_correct(actor=world.team_member, original=original, text="Fixed.", reason="Typo.")
    client.force_login(world.case_director)
    url = reverse("dossier:contribution_correct", args=[case.pk, original.pk])
    response = client.post(url, correction_post(original))
    assert response.status_code == 409
    assert escape(world.team_member.full_name) in response.content.decode()
    assert Contribution.objects.count() == 2


def test_another_organisation_cannot_correct(client, world, case, domains):
    original = add(world, case, domains[0])
    client.force_login(world.referrer)
    url = reverse("dossier:contribution_correct", args=[case.pk, original.pk])
    assert client.get(url).status_code == 302  # sent to the read-only history
    assert client.post(url, correction_post(original)).status_code == 403
    assert Contribution.objects.count() == 1
    page = client.get(dossier_url(case)).content.decode()
    assert url not in page


# --- Downloads --------------------------------------------------------------------------


def test_a_download_is_served_safely_and_recorded(client, world, case, domains):
    contribution = add(
        world, case, domains[0], files=[files.upload("Verslag 2026 é.pdf", files.pdf(), "text/html")]
    )
    attachment = contribution.attachments.get()
    client.force_login(world.referrer)
    response = client.get(reverse("dossier:attachment_download", args=[case.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Verslag" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(action="dossier.attachment_downloaded").get()
    assert event.actor == world.referrer and event.object_id == str(attachment.pk)
    assert event.detail["case"] == case.pk


def test_an_image_is_never_shown_inline(client, world, case, domains):
    contribution = add(world, case, domains[0], files=[files.upload("foto.png", files.png(), "text/html")])
    client.force_login(world.team_member)
    response = client.get(
        reverse("dossier:attachment_download", args=[case.pk, contribution.attachments.get().pk])
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_document_of_another_case_is_not_found(client, world, case, domains):
    other = case_at(world, Stage.DOSSIER, family_label="Family Maes")
    contribution = add(world, other, domains[0], files=[files.upload("a.pdf", files.pdf())])
    client.force_login(world.team_member)  # takes part in both cases
    url = reverse("dossier:attachment_download", args=[case.pk, contribution.attachments.get().pk])
    assert client.get(url).status_code == 404


# --- Outsiders --------------------------------------------------------------------------


@pytest.fixture
def full_dossier(world, case, domains, today):
    contribution = add(world, case, domains[0], files=[files.upload("a.pdf", files.pdf())])
    request_obj = ask(world, case, today, to_organisation=world.shelter)
    return {
        "case": case,
        "contribution": contribution,
        "attachment": contribution.attachments.get(),
        "request": request_obj,
    }


def dossier_urls(d):
    case = d["case"]
    return [
        ("GET", reverse("dossier:case_dossier", args=[case.pk])),
        ("GET", reverse("dossier:contribution_add", args=[case.pk])),
        ("POST", reverse("dossier:contribution_add", args=[case.pk])),
        ("GET", reverse("dossier:contribution_detail", args=[case.pk, d["contribution"].pk])),
        ("GET", reverse("dossier:contribution_correct", args=[case.pk, d["contribution"].pk])),
        ("POST", reverse("dossier:contribution_correct", args=[case.pk, d["contribution"].pk])),
        ("GET", reverse("dossier:attachment_download", args=[case.pk, d["attachment"].pk])),
        ("GET", reverse("dossier:request_create", args=[case.pk])),
        ("POST", reverse("dossier:request_create", args=[case.pk])),
        ("GET", reverse("dossier:request_detail", args=[d["request"].pk])),
        ("POST", reverse("dossier:request_answer", args=[d["request"].pk])),
        ("POST", reverse("dossier:request_decline", args=[d["request"].pk])),
        ("POST", reverse("dossier:request_withdraw", args=[d["request"].pk])),
    ]


@pytest.mark.parametrize("persona", ["outsider", "unsigned"])
def test_outsiders_get_not_found_on_every_dossier_url(client, world, full_dossier, persona):
    client.force_login(getattr(world, persona))
    downloads_before = AuditEvent.objects.filter(action="dossier.attachment_downloaded").count()
    for method, url in dossier_urls(full_dossier):
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 404, (method, url, response.status_code)
    assert AuditEvent.objects.filter(action="dossier.attachment_downloaded").count() == downloads_before
    assert Contribution.objects.count() == 1
    full_dossier["request"].refresh_from_db()
    assert full_dossier["request"].status == InformationRequest.Status.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(client, full_dossier):
    for method, url in dossier_urls(full_dossier):
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_analyst_may_not_open_the_requests_list(client, world):
    client.force_login(world.analyst)
    assert client.get(reverse("dossier:inbox")).status_code == 403


# --- Information requests ---------------------------------------------------------------


def test_a_request_is_sent_answered_and_shown(client, world, case, today):
    client.force_login(world.team_member)
    response = client.post(
        reverse("dossier:request_create", args=[case.pk]),
        {
            "request-to_organisation": world.addiction.pk,
            "request-about_person": "",
            "request-question": "Is the father known to your service?",
            "request-due_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    request_obj = InformationRequest.objects.get()

    # The addressed organisation finds it in its list and answers it, without seeing the
    # dossier.
    client.force_login(world.outsider)
    inbox = client.get(reverse("dossier:inbox")).content.decode()
    assert "Is the father known to your service?" in inbox and case.reference in inbox
    detail = client.get(reverse("dossier:request_detail", args=[request_obj.pk]))
    assert detail.status_code == 200
    assert dossier_url(case) not in detail.content.decode()
    assert client.get(dossier_url(case)).status_code == 404
    answer = client.post(
        reverse("dossier:request_answer", args=[request_obj.pk]),
        {"answer-version": 1, "answer-answer": "Yes, in treatment since March."},
    )
    assert answer.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.ANSWERED

    client.force_login(world.coordinator)
    page = client.get(dossier_url(case)).content.decode()
    assert "Answered" in page or "Beantwoord" in page
    shown = client.get(reverse("dossier:request_detail", args=[request_obj.pk])).content.decode()
    assert "Yes, in treatment since March." in shown


def test_a_stale_answer_is_refused_with_who_changed_it(client, world, case, today):
    request_obj = ask(world, case, today)
    services.information_request_withdraw(
        actor=world.team_member, request_obj=request_obj, reason="Not needed any more.", expected_version=1
    )
    client.force_login(world.outsider)
    response = client.post(
        reverse("dossier:request_answer", args=[request_obj.pk]),
        {"answer-version": 1, "answer-answer": "Here it is."},
    )
    assert response.status_code == 409
    assert escape(world.team_member.full_name) in response.content.decode()
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.WITHDRAWN


def test_decline_needs_a_reason_and_withdraw_is_for_the_asking_organisation(client, world, case, today):
    request_obj = ask(world, case, today)
    client.force_login(world.outsider)
    url = reverse("dossier:request_decline", args=[request_obj.pk])
    assert client.post(url, {"decline-version": 1, "decline-reason": ""}).status_code == 400
    client.force_login(world.referrer)  # takes part, but did not ask
    withdraw = reverse("dossier:request_withdraw", args=[request_obj.pk])
    assert client.post(withdraw, {"withdraw-version": 1, "withdraw-reason": "No."}).status_code == 403
    client.force_login(world.case_director)  # same organisation as the asker
    data = {"withdraw-version": 1, "withdraw-reason": "Solved."}
    assert client.post(withdraw, data).status_code == 200  # asked to confirm, nothing changed
    request_obj.refresh_from_db()
    assert request_obj.status != InformationRequest.Status.WITHDRAWN
    assert client.post(withdraw, {**data, "confirmed": "yes"}).status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == InformationRequest.Status.WITHDRAWN


def test_overdue_requests_are_marked(client, world, case, today):
    request_obj = ask(world, case, today)
    InformationRequest.objects.filter(pk=request_obj.pk).update(due_on=today - timedelta(days=2))
    client.force_login(world.outsider)
    inbox = client.get(reverse("dossier:inbox")).content.decode()
    assert "badge--danger" in inbox
    client.force_login(world.team_member)
    assert "badge--danger" in client.get(dossier_url(case)).content.decode()


def test_a_request_with_a_past_due_date_is_refused_on_the_form(client, world, case, today):
    client.force_login(world.team_member)
    response = client.post(
        reverse("dossier:request_create", args=[case.pk]),
        {
            "request-to_organisation": world.addiction.pk,
            "request-question": "Anything?",
            "request-due_on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert not InformationRequest.objects.exists()


# --- Query counts -----------------------------------------------------------------------


def fill(world, case, domains, today, count):
    mother = Person.objects.get(case_memberships__case=case, given_names="Sara")
    authors = [world.team_member, world.referrer, world.coordinator]
    for i in range(count):
        contribution = add(
            world,
            case,
            domains[i % len(domains)],
            actor=authors[i % len(authors)],
            text=f"Contribution {i}",
            about_person=mother if i % 2 else None,
            files=[files.upload(f"doc{i}.pdf", files.pdf())] if i % 5 == 0 else (),
        )
        if i % 4 == 0:
            services.contribution_correct(
                actor=authors[i % len(authors)], original=contribution, text=f"Fixed {i}", reason="Typo."
            )
    for i in range(count // 5):
        ask(world, case, today, question=f"Q {i}")


def dossier_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dossier_url(case))
    assert response.status_code == 200
    return len(queries)


def test_the_dossier_page_needs_the_same_few_queries_however_big(client, world, domains, today):
    small = case_at(world, Stage.DOSSIER, family_label="Family Small")
    big = case_at(world, Stage.DOSSIER, family_label="Family Big")
    fill(world, small, domains, today, 10)
    fill(world, big, domains, today, 60)
    assert Contribution.objects.filter(case=big, is_current=True).count() == 60
    assert Attachment.objects.filter(case=big).count() > 10
    client.force_login(world.coordinator)
    dossier_queries(client, small)  # warm up session and caches
    small_count = dossier_queries(client, small)
    big_count = dossier_queries(client, big)
    assert small_count == big_count
    assert big_count <= 30, big_count
