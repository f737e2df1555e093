"""Inviting a professional, end to end: the form, the e-mail over SMTP, the link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from ketenplan.accounts import services
from ketenplan.accounts.models import Invitation, Organisation, Professional, Role
from ketenplan.accounts.tests.factories import OrganisationFactory, ProfessionalFactory
from ketenplan.accounts.tests.helpers import (
    MFA_AUTHENTICATE,
    TOTP_SETUP,
    post_password,
    signed_in_user_id,
)
from ketenplan.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

INVITE = "/people/invite/"
NEW_PASSWORD = "Veilig-thuis-wachtwoord-77"
LINK = re.compile(r"(https?://\S+/invitation/[^/\s]+/)")


@pytest.fixture
def coordinator_client(client, sign_in):
    coordinator = sign_in(Role.COORDINATOR, Role.TEAM_MEMBER)
    client.coordinator = coordinator
    return client


def invite(client, django_capture_on_commit_callbacks, **overrides):
    organisation = overrides.pop("organisation", None) or client.coordinator.organisation
    data = {
        "full_name": "Inge Invitee",
        "email": "inge.invitee@partner.example",
        "organisation": organisation.pk,
        "job_title": "Maatschappelijk werker",
        "roles": [Role.PARTNER, Role.CASE_DIRECTOR],
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(INVITE, data)


def link_path(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = LINK.findall(body)
    assert len(found) == 1, body
    assert found[0].startswith(settings.BASE_URL)
    return urlsplit(found[0]).path


def test_invitation_end_to_end(coordinator_client, smtp_sink, django_capture_on_commit_callbacks):
    response = invite(coordinator_client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    messages = smtp_sink.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "inge.invitee@partner.example"
    assert smtp_sink.envelopes[0].rcpt_tos == ["inge.invitee@partner.example"]
    path = link_path(messages[0])
    invitee = Professional.objects.get(email="inge.invitee@partner.example")
    assert not invitee.has_usable_password()
    assert invitee.roles == {Role.PARTNER, Role.CASE_DIRECTOR}
    # Only a hash of the secret is stored.
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash__contains=token).exists()

    browser = Client()
    assert browser.get(path).status_code == 200
    # Password validators apply: a short, common password is refused and changes nothing.
    weak = browser.post(path, {"password1": "welkom123", "password2": "welkom123"})
    assert weak.status_code == 200
    assert b"errorlist" in weak.content
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
    mismatch = browser.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 200
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()

    accepted = browser.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert accepted.status_code == 302
    assert signed_in_user_id(browser) == str(invitee.pk)
    # Signed in, but a partner sees nothing before setting up the second factor.
    assert browser.get("/")["Location"] == TOTP_SETUP
    # ... which opens at once, without asking for the password just chosen.
    setup = browser.get(TOTP_SETUP)
    assert setup.status_code == 200
    assert b'name="code"' in setup.content
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action="professional.invitation_accepted", actor=invitee
    ).exists()

    # The account works with the chosen password from now on.
    browser.post("/accounts/logout/")
    response = post_password(Client(), invitee.email, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] != "/accounts/login/"

    # The link is used up.
    reused = Client().get(path)
    assert reused.status_code == 410
    assert (
        Client()
        .post(path, {"password1": "Other-password-99x", "password2": "Other-password-99x"})
        .status_code
        == 410
    )
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)


def test_an_expired_link_is_rejected(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    invite(coordinator_client, django_capture_on_commit_callbacks)
    path = link_path(smtp_sink.wait_for(1)[0])
    invitee = Professional.objects.get(email="inge.invitee@partner.example")

    later = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert Client().get(path).status_code == 410
        response = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 410
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_a_link_is_valid_until_it_expires(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    invite(coordinator_client, django_capture_on_commit_callbacks)
    path = link_path(smtp_sink.wait_for(1)[0])

    almost = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, minutes=-5)
    with time_machine.travel(almost, tick=False):
        response = Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302


def test_a_replaced_link_is_rejected(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    invite(coordinator_client, django_capture_on_commit_callbacks)
    invite(coordinator_client, django_capture_on_commit_callbacks)
    first, second = (link_path(m) for m in smtp_sink.wait_for(2))
    assert first != second

    old = Client().post(first, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert old.status_code == 410
    invitee = Professional.objects.get(email="inge.invitee@partner.example")
    assert not invitee.has_usable_password()
    assert (
        Client().post(second, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 302
    )


def test_an_unknown_link_is_rejected(client):
    assert client.get("/invitation/not-a-real-token/").status_code == 410


def test_someone_with_an_account_cannot_be_invited_again(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    existing = ProfessionalFactory(organisation=coordinator_client.coordinator.organisation)

    response = invite(
        coordinator_client, django_capture_on_commit_callbacks, email=existing.email.upper()
    )

    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert smtp_sink.wait_for(1, timeout=0.3) == []
    assert not Invitation.objects.filter(professional=existing).exists()


def test_an_invalid_form_shows_errors_and_changes_nothing(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "nl"  # the shipped default (tests otherwise run in English)
    count = Professional.objects.count()

    response = invite(
        coordinator_client, django_capture_on_commit_callbacks, email="not-an-address", roles=[]
    )

    assert response.status_code == 200
    assert response.content.count(b'class="errorlist"') == 2
    # In the user's language (Dutch by default), next to the field.
    with translation.override(settings.LANGUAGE_CODE):
        expected = escape(str(EmailValidator.message))
    with translation.override("en"):
        assert expected != escape(str(EmailValidator.message))  # really translated
    assert expected in response.content.decode()
    assert Professional.objects.count() == count
    assert not Invitation.objects.exists()
    assert smtp_sink.wait_for(1, timeout=0.3) == []


# --- Who may invite whom --------------------------------------------------------------


@pytest.mark.parametrize(
    "roles", [[Role.PARTNER], [Role.TEAM_MEMBER, Role.CASE_DIRECTOR], [Role.REFERRER]]
)
def test_only_coordinators_and_administrators_invite(client, sign_in, roles):
    professional = sign_in(*roles)

    assert client.get(INVITE).status_code == 403
    response = client.post(
        INVITE,
        {
            "full_name": "X",
            "email": "x@partner.example",
            "organisation": professional.organisation.pk,
            "roles": [Role.PARTNER],
        },
    )

    assert response.status_code == 403
    assert not Professional.objects.filter(email="x@partner.example").exists()


def test_a_coordinator_cannot_grant_the_administrator_role(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    form = coordinator_client.get(INVITE)
    assert f'value="{Role.ADMINISTRATOR}"'.encode() not in form.content

    response = invite(
        coordinator_client, django_capture_on_commit_callbacks, roles=[Role.ADMINISTRATOR]
    )

    assert response.status_code == 200
    assert not Professional.objects.filter(email="inge.invitee@partner.example").exists()
    assert smtp_sink.wait_for(1, timeout=0.3) == []
    # Nor through the service, whatever the form offers.
    with pytest.raises(ValidationError):
        services.professional_invite(
            actor=coordinator_client.coordinator,
            email="other@partner.example",
            full_name="Other",
            organisation=coordinator_client.coordinator.organisation,
            roles=[Role.PARTNER, Role.ADMINISTRATOR],
        )
    assert not Professional.objects.filter(email="other@partner.example").exists()


def test_an_administrator_can_grant_the_administrator_role(
    client, sign_in, smtp_sink, django_capture_on_commit_callbacks
):
    admin = sign_in(Role.ADMINISTRATOR)
    client.coordinator = admin

    response = invite(client, django_capture_on_commit_callbacks, roles=[Role.ADMINISTRATOR])

    assert response.status_code == 302
    assert Professional.objects.get(email="inge.invitee@partner.example").roles == {
        Role.ADMINISTRATOR
    }
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_coordinator_invites_only_into_their_own_region(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    elsewhere = OrganisationFactory()  # another region
    nearby = OrganisationFactory(region=coordinator_client.coordinator.organisation.region)

    refused = invite(coordinator_client, django_capture_on_commit_callbacks, organisation=elsewhere)
    accepted = invite(
        coordinator_client,
        django_capture_on_commit_callbacks,
        organisation=nearby,
        email="nearby@partner.example",
    )

    assert refused.status_code == 200
    assert not Professional.objects.filter(email="inge.invitee@partner.example").exists()
    assert accepted.status_code == 302
    assert Professional.objects.get(email="nearby@partner.example").organisation == nearby
    assert Organisation.objects.count() == 3
    assert [m["To"] for m in smtp_sink.wait_for(1)] == ["nearby@partner.example"]


def test_an_invitee_without_mfa_cannot_skip_setting_it_up_by_signing_in_again(
    coordinator_client, smtp_sink, django_capture_on_commit_callbacks
):
    invite(coordinator_client, django_capture_on_commit_callbacks)
    path = link_path(smtp_sink.wait_for(1)[0])
    Client().post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    browser = Client()
    response = post_password(browser, "inge.invitee@partner.example", NEW_PASSWORD)

    assert response["Location"] != MFA_AUTHENTICATE  # nothing enrolled yet
    assert browser.get("/")["Location"] == TOTP_SETUP
    assert browser.get("/people/professionals/")["Location"] == TOTP_SETUP
