"""Accessibility in a real browser (issue 8, WCAG 2.1/2.2 AA).

* Every main page, in Dutch and in English, is scanned with axe-core (bundled in
  axe-playwright-python, so it runs offline): no serious or critical violation. The same
  visit checks that the page's ``lang`` follows the chosen language (``nl-BE`` for a
  Flemish region, ``nl`` before sign-in, ``en``), that the skip link is the first stop of
  the Tab key, and that the page body never scrolls sideways at 1280 px, at 640 px (a
  1280-px screen at 200 % zoom) and on a 360-px-wide phone.
* Forms announce their errors: a summary at the top that takes the focus and links to
  the fields, every wrong field ``aria-invalid`` and described by its error text.
* Keyboard: the skip link moves the focus to the main content and every stop of the Tab
  key shows a visible focus indicator.

The checks gather every problem of every page before failing, so one run shows them all.
"""

from __future__ import annotations

import re
from datetime import time as clock_time
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from ketenplan.accounts.tests.factories import PASSWORD
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, family, make_world
from ketenplan.meetings import services as meeting_services
from ketenplan.meetings.models import ConsultationHour
from ketenplan.meetings.tests.factories import meeting_at, team
from ketenplan.plans.models import Action
from ketenplan.risk import services as risk_services

from .pages import LOGIN, MFA_AUTHENTICATE, current_code, settle_htmx, sign_in_as

pytestmark = [pytest.mark.browser]

# Rules of WCAG 2.0/2.1/2.2 A and AA, and axe's best practices (landmarks, headings…).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
BLOCKING = {"serious", "critical"}
# Widths in CSS pixels: a desktop, the same desktop at 200 % zoom, a small phone.
WIDTHS = (1280, 640, 360)

_axe = Axe()


# --- Starting data --------------------------------------------------------------------------


def build_world():
    """A region with cases at several stages, a team meeting with its agenda, a
    consultation hour, an open escalation and a reporting-code guide."""
    world = make_world()
    world.executing = case_at(world, Stage.EXECUTION)
    world.planning = case_at(
        world, Stage.PLANNING, family_label="Family Wouters", members=family(family_name="Wouters")
    )
    world.weighing = case_at(
        world, Stage.WEIGHING, family_label="Family Maes", members=family(family_name="Maes")
    )
    world.registered = case_at(
        world, Stage.REGISTERED, family_label="Family Claes", members=family(family_name="Claes")
    )
    world.closed = case_at(
        world, Stage.CLOSED, family_label="Family Smets", members=family(family_name="Smets")
    )
    series = team(world)
    world.meeting = meeting_at(world, series, timezone.now() + timedelta(days=1))
    meeting_services.agenda_prepare(actor=world.coordinator, meeting=world.meeting)
    world.hour = meeting_services.consultation_hour_save(
        actor=world.coordinator,
        kind=ConsultationHour.Kind.VIDEO,
        weekday=1,
        start_time=clock_time(10, 0),
        duration_minutes=60,
        slot_minutes=20,
        video_url="https://video.example/consult",
        staff=[world.coordinator],
    )
    action = Action.objects.create(
        case=world.executing,
        description="Find housing",
        owner_organisation=world.welfare,
        due_on=timezone.localdate() + timedelta(days=10),
        created_by=world.coordinator,
    )
    world.escalation = meeting_services.escalation_raise(
        actor=world.case_director,
        case=world.executing,
        kind="blocked_action",
        action=action,
        reason="No answer from the housing corporation for six weeks.",
    )
    world.guide = risk_services.guide_start(actor=world.coordinator, title="Pupil group 5, bruises")
    world.person = world.executing.members.order_by("pk").first().person
    return world


def signed_in_pages(world) -> list[str]:
    """The main pages of a coordinator (who sees the most of the product). The
    registration form is scanned by the test itself (with the live search for known
    persons, and sent with mistakes); the accessibility statement before signing in."""
    ex, meeting = world.executing.pk, world.meeting.pk
    return [
        "/",
        "/board/",
        "/cases/",
        f"/cases/{ex}/",
        f"/cases/{ex}/dossier/",
        f"/cases/{ex}/risk/",
        f"/cases/{ex}/plan/",
        f"/cases/{ex}/execution/",
        f"/cases/{ex}/consent/",
        f"/cases/{ex}/timeline/",
        f"/cases/{world.registered.pk}/",
        f"/cases/{world.registered.pk}/steps/admissibility/",
        f"/cases/{world.planning.pk}/plan/",
        f"/cases/{world.weighing.pk}/risk/",
        f"/cases/{world.closed.pk}/",
        "/cases/information-requests/",
        "/cases/emergency/",
        f"/persons/{world.person.pk}/who-has-seen/",
        "/meetings/",
        f"/meetings/{meeting}/",
        f"/meetings/{meeting}/packet/",
        "/meetings/schedule/",
        "/meetings/consultations/",
        "/meetings/consultations/hours/",
        "/meetings/escalations/",
        f"/meetings/escalations/{world.escalation.pk}/",
        "/reporting-code/",
        f"/reporting-code/{world.guide.pk}/",
        "/people/professionals/",
        "/people/organisations/",
        "/people/invite/",
        "/api/tokens/",
        "/api/docs/",
    ]


# --- What is checked on one page --------------------------------------------------------------


def axe_problems(page: Page) -> list[str]:
    """The serious and critical axe violations of the page, one line per element."""
    results = _axe.run(page, options=AXE_OPTIONS).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [n for n in violation["nodes"] if not known_limitation(violation["id"], n)]
        for node in nodes[:5]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(
                f"axe {violation['impact']} {violation['id']} ({violation['help']}): {target}"
                f" — {node['html'][:160]}"
            )
    return lines


def known_limitation(rule: str, node: dict) -> bool:
    """Swagger UI (third-party, on the API documentation page) puts the link to an
    operation inside the button that unfolds it; the accessibility statement names this
    and offers the OpenAPI schema as the alternative."""
    return rule == "nested-interactive" and str(node["target"][0]).startswith("#operations-")


def overflow_problems(page: Page) -> list[str]:
    """Sideways scrolling of the page body at every width (a table may scroll inside its
    own container; the page itself must not)."""
    lines = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            culprit = page.evaluate(
                """(client) => {
                    const wide = [...document.querySelectorAll('body *')].filter(
                        e => e.getBoundingClientRect().right > client + 1);
                    const e = wide[wide.length - 1];
                    if (!e) return '?';
                    const cls = typeof e.className === 'string' ? e.className.trim() : '';
                    return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                        (cls ? '.' + cls.split(/\\s+/).join('.') : '');
                }""",
                client,
            )
            lines.append(f"scrolls sideways at {width} px: {scroll} > {client} (e.g. {culprit})")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return lines


def skip_link_problems(page: Page) -> list[str]:
    """The first stop of the Tab key is the skip link, and it shows."""
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => { const e = document.activeElement;
                   const r = e.getBoundingClientRect();
                   return {cls: e.className, visible: r.left >= 0 && r.top >= 0 && r.width > 0}; }"""
    )
    page.evaluate("() => document.activeElement.blur()")  # shown, it would cover the header
    if "skip-link" not in str(first["cls"]):
        return [f"the first Tab stop is not the skip link but {first['cls']!r}"]
    if not first["visible"]:
        return ["the skip link stays off-screen when it has the focus"]
    return []


def scan(page: Page, path: str, *, lang: re.Pattern, status: int = 200) -> list[str]:
    """Open ``path`` (or check the page already open when ``path`` is empty) and return
    its problems, each prefixed with the page."""
    fresh = bool(path)
    if path:
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # e.g. an error answer without a body
            return [f"{path}: did not open: {error.message.splitlines()[0]}"]
        got = response.status if response else None
        if got != status:
            return [f"{path}: answered {got}, expected {status}"]
    else:
        path = page.url
    if "/api/docs/" in path:  # Swagger UI draws itself after loading the schema
        page.locator("#swagger-ui .info").wait_for()
    problems = []
    if fresh:  # focus has not moved since the page loaded
        problems += skip_link_problems(page)
    actual_lang = page.locator("html").get_attribute("lang")
    if not actual_lang or not lang.fullmatch(actual_lang):
        problems.append(f"<html lang={actual_lang!r}>, expected {lang.pattern}")
    problems += axe_problems(page)
    problems += overflow_problems(page)
    return [f"{path}: {p}" for p in problems]


def lang_pattern(tag: str) -> re.Pattern:
    return re.compile(re.escape(tag))


def sign_in_scanning(page: Page, user, *, lang: re.Pattern) -> list[str]:
    """Sign in through the real pages, scanning the sign-in page and the page that asks
    for the authenticator code on the way."""
    problems = scan(page, LOGIN, lang=lang)
    form = page.locator("main form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill("wrong password")
    with page.expect_navigation():
        form.locator("button[type=submit]:not([form])").first.click()
    problems += scan(page, "", lang=lang)  # the sign-in page with its error
    form = page.locator("main form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]:not([form])").first.click()
    expect(page).to_have_url(re.compile(re.escape(MFA_AUTHENTICATE) + "$"))
    problems += scan(page, "", lang=lang)
    for _attempt in range(2):
        page.locator("main form input[name=code]").fill(current_code(user))
        with page.expect_navigation():
            page.locator("main form button[type=submit]:not([form])").first.click()
        if MFA_AUTHENTICATE not in page.url:
            break
    expect(page.locator(".whoami")).to_contain_text(user.full_name)
    return problems


def error_announcement_problems(page: Page) -> list[str]:
    """A form that came back with errors: the summary at the top has the focus, is
    announced (``role=alert``) and links to existing fields; every wrong field is
    ``aria-invalid`` and described by its own error text."""
    return page.evaluate(
        """() => {
            const problems = [];
            const summary = document.getElementById('error-summary');
            if (!summary) return ['no error summary'];
            if (summary.getAttribute('role') !== 'alert') problems.push('summary without role=alert');
            if (document.activeElement !== summary) problems.push('summary does not have the focus');
            const firstField = document.querySelector(
                'main form input:not([type=hidden]), main form select, main form textarea');
            const after = firstField && summary.compareDocumentPosition(firstField);
            if (firstField && !(after & Node.DOCUMENT_POSITION_FOLLOWING))
                problems.push('summary is not above the fields');
            const links = [...summary.querySelectorAll('a[href^="#"]')];
            if (!links.length) problems.push('summary links to no field');
            for (const a of links) {
                const target = document.getElementById(a.getAttribute('href').slice(1));
                if (!target) problems.push('summary link to a missing field ' + a.getAttribute('href'));
            }
            const invalid = [...document.querySelectorAll('main [aria-invalid="true"]')];
            if (!invalid.length) problems.push('no field is aria-invalid');
            for (const field of invalid) {
                const ids = (field.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
                const texts = ids.map(id => document.getElementById(id)).filter(Boolean)
                    .filter(e => e.classList.contains('errorlist') && e.textContent.trim());
                if (!texts.length) problems.push((field.name || field.id) + ' is not described by its error');
            }
            for (const list of document.querySelectorAll('main form .errorlist[id]')) {
                if (!document.querySelector('[aria-describedby~="' + list.id + '"]'))
                    problems.push('error ' + list.id + ' describes no field');
            }
            return problems;
        }"""
    )


# --- The tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_main_pages_pass_axe_fit_small_screens_and_say_their_language(new_context, settings, language):
    settings.LANGUAGE_CODE = "nl"  # the product's default (the suite otherwise runs in English)
    world = build_world()
    page = new_context(f"coordinator ({language})", language=language)
    anonymous = lang_pattern("nl" if language == "nl" else "en")
    # A Flemish region (the default): Dutch with the Flemish words.
    signed_in = lang_pattern("nl-BE" if language == "nl" else "en")
    problems = []

    # Before signing in: the public pages, then the sign-in itself.
    problems += scan(page, "/meetings/consultation-hours/", lang=anonymous)
    problems += scan(page, f"/meetings/consultation-hours/{world.hour.pk}/", lang=anonymous)
    problems += scan(page, "/accessibility/", lang=anonymous)
    problems += scan(page, "/cases/999999/nothing-here/", lang=anonymous, status=404)
    problems += sign_in_scanning(page, world.coordinator, lang=anonymous)

    for path in signed_in_pages(world):
        problems += scan(page, path, lang=signed_in)
    problems += scan(page, "/cases/999999/", lang=signed_in, status=404)

    # The registration form: the live search for known persons, then sent with mistakes.
    page.goto("/cases/register/")
    member = page.locator("fieldset.member").first
    member.locator("input[name$=given_names]").fill("Sara")
    # The answer for the whole name (one for "Sara" alone may come first on a slow machine).
    with page.expect_response(lambda r: "/proposals/" in r.url and "El Amrani" in unquote_plus(r.url)):
        member.locator("input[name$=family_name]").fill("El Amrani")
    settle_htmx(page)
    expect(member.locator(".proposal-panel")).not_to_be_empty()
    problems += scan(page, "", lang=signed_in)
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([name])").click()
    problems += [f"registration errors: {p}" for p in error_announcement_problems(page)]
    problems += scan(page, "", lang=signed_in)

    # "Forbidden": a partner without a role in the coordination point's work.
    partner = new_context(f"partner ({language})", language=language)
    sign_in_as(partner, world.outsider)
    problems += scan(partner, "/board/", lang=signed_in, status=403)

    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


def test_a_second_form_announces_its_errors(new_context):
    """The dossier's contribution form, sent empty: the same announcement as the
    registration form (summary, aria-invalid, aria-describedby)."""
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    page = new_context("team member")
    sign_in_as(page, world.coordinator)
    page.goto(f"/cases/{case.pk}/dossier/")
    form = page.locator("#add-contribution form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert error_announcement_problems(page) == []
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    # Following a link of the summary brings the focus to its field.
    link = summary.locator("a").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(target)).to_be_focused()
    assert axe_problems(page) == []


def test_keyboard_skip_link_and_visible_focus(page):
    """From the top of a page, Tab reaches the skip link first; Enter moves the focus to
    the main content; every further Tab stop shows a focus indicator, and Tab goes on
    through the page without getting stuck."""
    page.goto("/accessibility/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert focus_indicator(page), "the skip link shows no focus indicator"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.goto(LOGIN)
    seen = []
    for _stop in range(12):
        page.keyboard.press("Tab")
        described = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.tagName + '#' + (e.id || e.name || e.textContent.trim().slice(0, 20)); }"
        )
        if described.startswith("BODY"):
            break  # went round the page
        assert focus_indicator(page), f"no visible focus indicator on {described}"
        seen.append(described)
    assert len(seen) >= 5 and len(set(seen)) == len(seen), seen


def focus_indicator(page: Page) -> bool:
    """The focused element has an outline or a box shadow of its own."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
                   return outline || (s.boxShadow && s.boxShadow !== 'none'); }"""
    )
