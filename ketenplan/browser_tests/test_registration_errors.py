"""Bad input on the registration form: an error summary in the user's language, linked
to the fields, the input kept, and nothing registered."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from ketenplan.cases.models import Case
from ketenplan.cases.tests.factories import make_world
from ketenplan.persons.models import Person

from .pages import Persona, language_tag, settle_htmx

pytestmark = [pytest.mark.browser]

HEADING = "Please correct the following"


def in_language(language: str) -> dict[str, str]:
    """What the user should read in ``language`` (a page's ``lang``, e.g. ``nl-be``):
    the summary's heading from Ketenplan's catalogue, "required" from Django's."""
    with translation.override(language):
        return {
            "heading": gettext(HEADING),
            "required": str(forms.Field.default_error_messages["required"]),
        }


@pytest.mark.parametrize("language", ["en", "nl"])
def test_bad_registration_shows_an_error_summary_and_changes_nothing(persona, language):
    world = make_world()
    referrer: Persona = persona("referrer (police)", world.referrer, language=language).sign_in()
    cases, persons = Case.objects.count(), Person.objects.count()

    page = referrer.go("/cases/register/")
    form = page.locator("main form")
    # A family name, but no reason and no kind of violence; member 1 without a family
    # name or role; member 2 complete.
    form.locator("input[name=family_label]").fill("Family Janssens")
    member1, member2 = page.locator("fieldset.member").nth(0), page.locator("fieldset.member").nth(1)
    member1.locator("input[name$=given_names]").fill("Ilse")
    member2.locator("input[name$=given_names]").fill("Marc")
    member2.locator("input[name$=family_name]").fill("Wuyts")
    # Let the live proposal panels answer first (a request cut off by leaving the page
    # would be logged as an error).
    with page.expect_response(lambda r: "/proposals/" in r.url and "members-1-roles=" in r.url):
        member2.locator("input[name$=roles][value=alleged_perpetrator]").check()
    settle_htmx(page)
    with page.expect_navigation():
        form.locator("button[type=submit]:not([name])").click()

    # The page comes back in the same language with a summary that takes the focus
    # (screen readers announce it) and links every error to its field.
    expect(page.locator("html")).to_have_attribute("lang", language_tag(language))
    texts = in_language(page.locator("html").get_attribute("lang"))
    required = texts["required"]
    if language != "en":  # really translated, not the English falling through
        english = in_language("en")
        assert texts["heading"] != english["heading"] and texts["required"] != english["required"]
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    # Reason, violence concerned, and member 1's family name and roles: all required.
    expect(summary.locator("li")).to_have_count(4)
    expect(summary.locator("a")).to_have_count(4)
    expect(summary.locator("li").filter(has_text=required)).to_have_count(4)
    expect(summary.locator("h2")).to_have_text(texts["heading"])
    for href in summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        expect(page.locator(href), f"{href} is on the page").to_have_count(1)

    reason = form.locator("textarea[name=reason]")
    error_id = "id_reason_errors"
    expect(reason).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
    expect(page.locator(f"#{error_id}")).to_have_text(required)
    # Following the summary's link brings the user to the field.
    summary.locator("a[href='#id_reason']").click()
    expect(reason).to_be_focused()

    # The input is kept, so only the mistakes need fixing.
    expect(form.locator("input[name=family_label]")).to_have_value("Family Janssens")
    expect(member1.locator("input[name$=given_names]")).to_have_value("Ilse")
    expect(member2.locator("input[name$=family_name]")).to_have_value("Wuyts")
    expect(member2.locator("input[name$=roles][value=alleged_perpetrator]")).to_be_checked()

    # Nothing was registered.
    assert (Case.objects.count(), Person.objects.count()) == (cases, persons)
    referrer.case_list()
    expect(page.locator("main")).not_to_contain_text("Janssens")
    referrer.expect_no_script_errors()


def test_enter_in_a_field_registers_instead_of_adding_a_member(persona):
    """Enter submits with the form's main button ("Register the family"), not with the
    first one on the page ("Add another family member")."""
    world = make_world()
    referrer: Persona = persona("referrer (police)", world.referrer, language="en").sign_in()
    page = referrer.go("/cases/register/")
    members_before = page.locator("fieldset.member").count()
    family = page.locator("main form input[name=family_label]")
    family.fill("Family Janssens")

    with page.expect_navigation():
        family.press("Enter")

    # Registering with the reason missing: the error summary, not one member more.
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("fieldset.member")).to_have_count(members_before)
    referrer.expect_no_script_errors()
