"""Signing in: password, the second factor, lockout, idle timeout and what is revealed."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import PASSWORD, TOTP_SECRET, ProfessionalFactory, totp_code
from ketenplan.accounts.tests.helpers import (
    LOGIN,
    MFA_AUTHENTICATE,
    TOTP_SETUP,
    open_totp_setup,
    post_password,
    signed_in_user_id,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_totp_period")]


def message(adapter_cls, key) -> str:
    """An allauth error message as the user sees it (default language, HTML-escaped)."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(adapter_cls.error_messages[key]))


# --- With a second factor -------------------------------------------------------------


def test_sign_in_needs_the_code_after_the_password(client):
    user = ProfessionalFactory(roles=[Role.CASE_DIRECTOR], mfa=True)

    response = post_password(client, user.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    # The password alone signs nobody in: no page with data yet.
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN)

    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(TOTP_SECRET)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    post_password(client, user.email)
    right = totp_code(TOTP_SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(MFA_AUTHENTICATE, {"code": wrong})

    assert response.status_code == 200
    assert message(DefaultMFAAdapter, "incorrect_code") in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN)


def test_a_code_from_another_secret_is_refused(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    post_password(client, user.email)

    other_secret = "KETENPLANOTHERSECRETABCDEFGH2345"
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(other_secret)})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_a_used_code_cannot_be_replayed(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    code = totp_code(TOTP_SECRET)
    post_password(client, user.email)
    client.post(MFA_AUTHENTICATE, {"code": code})
    assert signed_in_user_id(client) == str(user.pk)

    other = Client()
    post_password(other, user.email)
    response = other.post(MFA_AUTHENTICATE, {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(other) is None


# --- Without a second factor ----------------------------------------------------------


@pytest.mark.parametrize(
    "roles",
    [[Role.PARTNER], [Role.COORDINATOR], [Role.ADMINISTRATOR], [Role.ANALYST, Role.REFERRER]],
)
def test_without_mfa_every_page_with_data_leads_to_setting_it_up(client, roles):
    user = ProfessionalFactory(roles=roles, mfa=False)

    response = post_password(client, user.email)
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(response["Location"])["Location"] == TOTP_SETUP

    for url in [
        "/",
        "/people/professionals/",
        "/people/organisations/",
        "/people/invite/",
        "/admin/",
        "/cases/",
        "/persons/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TOTP_SETUP, url
    api = client.get("/api/")
    assert api.status_code == 403
    assert api.json()["detail"]

    # The way out stays open: the set-up page itself and signing out.
    open_totp_setup(client)
    client.post("/accounts/logout/")
    assert signed_in_user_id(client) is None


def test_an_analyst_without_case_access_needs_no_second_factor(client):
    user = ProfessionalFactory(roles=[Role.ANALYST], mfa=False)

    response = post_password(client, user.email)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    home = client.get(response["Location"])
    assert home.status_code == 200


def test_setting_up_the_authenticator_app_opens_the_pages(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=False)
    post_password(client, user.email)
    open_totp_setup(client)
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(TOTP_SETUP, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert client.get("/")["Location"] == TOTP_SETUP

    response = client.post(TOTP_SETUP, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


# --- Wrong credentials, lockout, idle timeout -----------------------------------------


def _normalised(response, email: str) -> str:
    html = response.content.decode()
    html = html.replace(escape(email), "EMAIL").replace(email, "EMAIL")
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1TOKEN", html)


def test_wrong_credentials_do_not_reveal_whether_the_account_exists():
    existing = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    unknown_email = "nobody.at.all@partner.example"

    wrong_password = post_password(Client(), existing.email, "Not-the-password-123")
    unknown_account = post_password(Client(), unknown_email, "Not-the-password-123")

    assert wrong_password.status_code == unknown_account.status_code == 200
    assert message(DefaultAccountAdapter, "email_password_mismatch") in (
        wrong_password.content.decode()
    )
    assert _normalised(wrong_password, existing.email) == _normalised(
        unknown_account, unknown_email
    )


def test_five_failed_sign_ins_lock_the_account(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    too_many = message(DefaultAccountAdapter, "too_many_login_attempts")

    for _attempt in range(5):
        response = post_password(client, user.email, "Wrong-password-123")
        assert response.status_code == 200
        assert too_many not in response.content.decode()

    response = post_password(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert too_many in response.content.decode()
    assert response.get("Location") is None
    assert signed_in_user_id(client) is None
    # Case is no way around it.
    response = post_password(Client(), user.email.upper(), PASSWORD)
    assert too_many in response.content.decode()


def test_a_locked_address_does_not_lock_colleagues_out():
    victim = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    colleague = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    attacker = Client()
    for _attempt in range(6):
        post_password(attacker, victim.email, "Wrong-password-123")

    response = post_password(Client(), colleague.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE


def test_fewer_than_five_failures_do_not_lock(client):
    user = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    for _attempt in range(4):
        post_password(client, user.email, "Wrong-password-123")

    response = post_password(client, user.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE


def test_an_idle_session_expires_after_thirty_minutes(client, sign_in):
    sign_in(Role.PARTNER)
    start = timezone.now()
    assert settings.SESSION_COOKIE_AGE == 30 * 60

    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200  # activity keeps the session alive
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=76), tick=False):
        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_admin_sign_in_page_cannot_skip_the_second_factor_or_the_lockout(client):
    administrator = ProfessionalFactory(roles=[Role.ADMINISTRATOR], mfa=True)

    page = client.get("/admin/login/?next=/admin/")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": administrator.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert page.status_code == 302
    assert page["Location"].startswith(LOGIN)
    assert signed_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(LOGIN)


def test_an_unknown_address_is_locked_out_the_same_way():
    """Otherwise the lockout itself would tell which addresses have an account."""
    too_many = message(DefaultAccountAdapter, "too_many_login_attempts")
    existing = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    answers = {}
    for email in (existing.email, "nobody.at.all@partner.example"):
        client = Client()
        for _attempt in range(5):
            post_password(client, email, "Wrong-password-123")
        answers[email] = post_password(client, email, "Wrong-password-123")

    assert all(too_many in r.content.decode() for r in answers.values())
    (a_email, a), (b_email, b) = answers.items()
    assert _normalised(a, a_email) == _normalised(b, b_email)
