"""Signing in with the second factor, in the browser, in the default language (Dutch)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import PASSWORD, ProfessionalFactory, RegionFactory

from .pages import LOGIN, MFA_AUTHENTICATE, current_code, language_tag

pytestmark = [pytest.mark.browser]


def test_sign_in_needs_password_and_authenticator_code(page, settings, base_url):
    settings.LANGUAGE_CODE = "nl"  # the product's default (tests otherwise run in English)
    # And chosen explicitly too: the live server of another test on this worker may still
    # run under the suite's English default.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": base_url}])
    user = ProfessionalFactory(
        roles=[Role.PARTNER], mfa=True, organisation__region=RegionFactory(), full_name="Ilse Claes"
    )

    # A page with case data sends the visitor to the sign-in page first.
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN) + r"\?next=/cases/$"))
    expect(page.locator("html")).to_have_attribute("lang", language_tag("nl"))
    form = page.locator("main form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # The password alone opens nothing: the code is asked for.
    expect(page).to_have_url(re.compile(re.escape(MFA_AUTHENTICATE) + "$"))
    code = page.locator("main form input[name=code]")
    expect(code).to_be_visible()
    expect(page.locator(".whoami")).to_have_count(0)

    # A wrong code is refused, on the same page.
    right = current_code(user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    code.fill(wrong)
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(re.escape(MFA_AUTHENTICATE) + "$"))
    expect(page.locator("main .errorlist")).to_have_count(1)
    expect(page.locator(".whoami")).to_have_count(0)

    # The right code signs in and leads on to the page asked for.
    page.locator("main form input[name=code]").fill(right)
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.locator(".whoami")).to_have_text(f"{user.full_name} · {user.organisation.name}")
    expect(page.locator("html")).to_have_attribute("lang", language_tag("nl"))

    # Signing out ends it: case pages ask for a sign-in again.
    with page.expect_navigation():
        page.locator(".site-tools form[action='/accounts/logout/'] button").click()
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN)))
    expect(page.locator(".whoami")).to_have_count(0)
