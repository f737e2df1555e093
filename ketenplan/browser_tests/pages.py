"""What a professional does in the browser, as small helpers (Page Object style).

``sign_in_as(page, user)`` types e-mail, password and the authenticator code into the
allauth pages. ``Persona`` is one professional at their own browser; the page classes
below read and fill one kind of Ketenplan page. Fields are found the way a user finds
them: by their label, inside the section or fieldset they belong to.
"""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import parse_qsl

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Locator, Page, expect

from ketenplan.accounts.tests.factories import PASSWORD, TOTP_SECRET

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"

# (user pk, TOTP counter) pairs typed during the current test: allauth refuses a code
# used twice within its period. Cleared for every test (see conftest).
USED_CODES: set[tuple[int, int]] = set()
# Never type a code this close (seconds) to the end of its period: it could expire
# between typing and the server checking it.
CODE_MARGIN = 4.0


def _exact(text: str) -> re.Pattern:
    """A label as Django renders it: the text, maybe followed by its suffix ':'."""
    return re.compile(rf"^\s*{re.escape(text)}\s*:?\s*$")


def field(scope: Page | Locator, label: str) -> Locator:
    """The form control labelled exactly ``label`` within ``scope``."""
    return scope.get_by_label(_exact(label))


def language_tag(language: str) -> re.Pattern:
    """The ``lang`` of a page in ``language``: the language, maybe with its region
    (``nl``, ``nl-be``, ``nl-NL``)."""
    return re.compile(rf"^{re.escape(language)}(-[A-Za-z]+)?$", re.IGNORECASE)


def iso(day: date) -> str:
    return day.isoformat()


# htmx marks the element of a request under way (``htmx-request``), the target while its
# content is swapped (``htmx-swapping``) and what came in until it settled
# (``htmx-settling``: removed right before ``htmx:afterSettle``, whose handlers, e.g. the
# focus kept in ketenplan.js, have run once the mark is gone).
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling"


def settle_htmx(page: Page) -> None:
    """Wait until htmx is idle: no request under way, nothing being swapped or settling.

    A request that waits for its trigger's ``delay`` is not marked yet: wait for its
    response first (``page.expect_response`` around the last keystroke), then settle."""
    page.wait_for_function("busy => !document.querySelector(busy)", arg=HTMX_BUSY)


def check_autosaved(page: Page, choice: Locator) -> None:
    """Tick ``choice`` as the last change of an autosaving form (htmx, a moment after the
    last change) and wait until the autosave that carries it has come back and settled."""
    carried = (choice.get_attribute("name"), choice.get_attribute("value"))
    with page.expect_response(
        lambda r: "/autosave/" in r.url and carried in parse_qsl(r.request.post_data or "")
    ):
        choice.check()
    settle_htmx(page)


def select_containing(select: Locator, text: str) -> None:
    """Choose the option whose label contains ``text`` (labels that carry more than a
    name, e.g. a goal's version and domain before its description)."""
    option = select.locator("option").filter(has_text=text)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


# --- Signing in ---------------------------------------------------------------------------


def current_code(user, secret: str = TOTP_SECRET) -> str:
    """The code the professional's authenticator app shows now: one not typed before in
    this test, and not about to expire (waits for the next period when needed)."""
    period = mfa_settings.TOTP_PERIOD
    while True:
        now = time.time()
        counter, into = divmod(now, period)
        counter = int(counter)
        if period - into < CODE_MARGIN or (user.pk, counter) in USED_CODES:
            time.sleep(period - into + 0.05)
            continue
        USED_CODES.add((user.pk, counter))
        return format_hotp_value(hotp_value(secret, counter))


def _submit(form: Locator) -> None:
    page = form.page
    with page.expect_navigation():
        # A form's own submit button; allauth's "Cancel" belongs to another form.
        form.locator("button[type=submit]:not([form])").first.click()


def sign_in_as(page: Page, user, *, password: str = PASSWORD, secret: str = TOTP_SECRET) -> None:
    """Sign in through the real pages: e-mail and password, then the authenticator code.

    Language-neutral (the fields are found by name), so it works in Dutch and English.
    Ends on the page after sign-in, with the professional's name in the header.
    """
    page.goto(LOGIN)
    login_form = page.locator("main form").filter(has=page.locator("input[name=login]"))
    login_form.locator("input[name=login]").fill(user.email)
    login_form.locator("input[name=password]").fill(password)
    _submit(login_form)
    expect(page).to_have_url(re.compile(re.escape(MFA_AUTHENTICATE) + "$"))
    code_form = page.locator("main form").filter(has=page.locator("input[name=code]"))
    for _attempt in range(2):
        code_form.locator("input[name=code]").fill(current_code(user, secret))
        _submit(code_form)
        if MFA_AUTHENTICATE not in page.url:
            break
        # Refused: only when the period turned over on a very slow machine; once more.
    expect(page.locator(".whoami")).to_contain_text(user.full_name)


# --- A professional at their browser ------------------------------------------------------


class Persona:
    """One professional with their own browser context (cookies, session)."""

    def __init__(self, role: str, user, page: Page):
        self.role = role
        self.user = user
        self.page = page

    def __repr__(self) -> str:
        return f"<Persona {self.role}: {self.user.email}>"

    def sign_in(self) -> Persona:
        sign_in_as(self.page, self.user)
        return self

    def go(self, path: str) -> Page:
        self.page.goto(path)
        return self.page

    def worklist(self, heading: str) -> Locator:
        """One list of "My work" on the home page, under its heading."""
        return self.page.locator("main h3", has_text=_exact(heading)).locator(
            "xpath=following-sibling::*[1]"
        )

    def open_from_worklist(self, heading: str, reference: str) -> CasePage:
        item = self.worklist(heading).locator("li").filter(has_text=reference)
        with self.page.expect_navigation():
            item.get_by_role("link").click()
        return CasePage(self.page)

    def expect_message(self, text: str) -> None:
        """A message (success, warning) shown at the top of the page."""
        expect(self.page.locator(".messages")).to_contain_text(text)

    def expect_confirmed(self, text: str) -> None:
        """The last confirmation dialog asked exactly this (and was accepted)."""
        assert self.page.dialogs, "no confirmation was asked"
        assert self.page.dialogs[-1] == text

    def expect_no_script_errors(self) -> None:
        assert self.page.problems == [], self.page.problems

    # Pages
    def case(self, case_id: int | None = None) -> CasePage:
        if case_id is not None:
            self.go(f"/cases/{case_id}/")
        return CasePage(self.page)

    def case_list(self) -> CaseListPage:
        self.go("/cases/")
        return CaseListPage(self.page)

    def registration(self) -> RegistrationPage:
        self.go("/cases/register/")
        return RegistrationPage(self.page)

    def dossier(self, case_id: int) -> DossierPage:
        self.go(f"/cases/{case_id}/dossier/")
        return DossierPage(self.page)

    def plan(self, case_id: int) -> PlanPage:
        self.go(f"/cases/{case_id}/plan/")
        return PlanPage(self.page)

    def execution(self, case_id: int) -> ExecutionPage:
        self.go(f"/cases/{case_id}/execution/")
        return ExecutionPage(self.page)


# --- Pages --------------------------------------------------------------------------------


class BasePage:
    def __init__(self, page: Page):
        self.page = page

    def button(self, name: str, scope: Page | Locator | None = None) -> Locator:
        return (scope or self.page).get_by_role("button", name=name, exact=True)

    def submit(self, name: str, scope: Page | Locator | None = None) -> None:
        with self.page.expect_navigation():
            self.button(name, scope).click()


class CaseListPage(BasePage):
    def rows(self) -> Locator:
        return self.page.locator("main table tbody tr")

    def row_for(self, reference: str) -> Locator:
        return self.rows().filter(has_text=reference)


class RegistrationPage(BasePage):
    def fill_registration(self, *, family: str, reason: str, violence: list[str], crisis: str = "") -> None:
        section = self.page.locator("fieldset.form-section").first
        field(section, "Family").fill(family)
        field(section, "Reason for registration").fill(reason)
        for kind in violence:
            section.get_by_label(kind, exact=True).check()
        if crisis:
            field(section, "Crisis measures taken so far").fill(crisis)

    def member(self, number: int) -> Locator:
        """The fieldset of family member ``number`` (1-based)."""
        return self.page.locator("fieldset.member").nth(number - 1)

    def fill_member(
        self, number: int, *, given: str, family: str, born: date | None = None, roles: list[str]
    ) -> None:
        """Type one family member, then wait for the live proposal panel to answer for
        what was typed (its request goes out a moment after the last keystroke)."""
        member = self.member(number)
        field(member, "Given names").fill(given)
        field(member, "Family name").fill(family)
        if born is not None:
            field(member, "Date of birth").fill(iso(born))
        # The roles come last: the proposal request that carries them is the final one.
        with self.page.expect_response(
            lambda r: "/cases/register/proposals/" in r.url and f"members-{number - 1}-roles=" in r.url
        ):
            for role in roles:
                member.get_by_label(role, exact=True).check()
        settle_htmx(self.page)

    def proposals_while_typing(self, number: int) -> Locator:
        """The live panel under a member: persons who may already be known."""
        return self.member(number).locator(".proposal-panel")

    def choose_same_person(self, number: int, name: str) -> None:
        choice = self.member(number).locator(".proposals")
        choice.locator("label").filter(has_text=f"Same person: {name}").click()

    def register(self) -> None:
        self.submit("Register the family")


class CasePage(BasePage):
    """The case overview: header with the stage, next steps, members, partners, decisions."""

    @property
    def header(self) -> Locator:
        return self.page.locator("header.case-header")

    def fact(self, term: str) -> Locator:
        """The value of one fact in the case header (Stage, Risk level, Case director…)."""
        return self.header.locator(".case-facts > div").filter(
            has=self.page.locator("dt", has_text=_exact(term))
        ).locator("dd")

    def expect_stage(self, label: str) -> None:
        expect(self.fact("Stage").locator(".badge")).to_have_text(label)

    @property
    def reference(self) -> str:
        text = self.header.locator(".case-header__reference").inner_text()
        return text.split()[-1]

    @property
    def case_id(self) -> int:
        return int(re.search(r"/cases/(\d+)/", self.page.url).group(1))

    @property
    def steps(self) -> Locator:
        return self.page.locator("section[aria-labelledby=steps-heading] .steps")

    def step_link(self, label: str) -> Locator:
        return self.steps.get_by_role("link", name=label, exact=True)

    def take_step(self, label: str) -> StepPage:
        with self.page.expect_navigation():
            self.step_link(label).click()
        return StepPage(self.page)

    def take_risk_step(self, label: str) -> RiskPage:
        """A weighing step: it is taken on the risk page, on the assessments."""
        with self.page.expect_navigation():
            self.step_link(label).click()
        return RiskPage(self.page)

    def tab(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.locator("nav.case-tabs").get_by_role("link", name=label, exact=True).click()

    def members_table(self) -> Locator:
        return self.page.locator("section[aria-labelledby=members-heading] table")

    def partners_table(self) -> Locator:
        return self.page.locator("section[aria-labelledby=partners-heading] table")

    def decisions(self) -> Locator:
        return self.page.locator("section[aria-labelledby=decisions-heading]")

    def timeline_steps(self) -> list[str]:
        """The steps on the timeline page, oldest first ("Step: from … to …")."""
        texts = self.page.locator("ol.timeline li.timeline__event--transition").all_inner_texts()
        return [m.group(0) for t in texts if (m := re.search(r"Step: from .+? to [^·\n]+?(?=\s*·|\n|$)", t))]

    def appoint_director(self) -> StepPage:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name="Appoint a case director", exact=True).click()
        return StepPage(self.page)


class StepPage(CasePage):
    """A step form of the case path (cases/step.html), with its confirmation dialog."""

    @property
    def form(self) -> Locator:
        return self.page.locator("main form.form")

    def field(self, label: str) -> Locator:
        return field(self.form, label)

    def criterion(self, label_start: str) -> Locator:
        return self.form.locator(".criterion").filter(has_text=label_start)

    def answer_criterion(self, label_start: str, *, met: bool, note: str) -> None:
        criterion = self.criterion(label_start)
        criterion.get_by_label("Yes" if met else "No", exact=True).check()
        field(criterion, "Note").fill(note)

    def choose(self, label: str) -> None:
        self.form.get_by_label(label, exact=True).check()

    def send(self, label: str) -> CasePage:
        self.submit(label, self.form)
        return CasePage(self.page)


class RiskPage(CasePage):
    """The risk page of a case: the proposed weighing, the assessments, and the team's
    confirmation of the weighing."""

    @property
    def proposal(self) -> Locator:
        return self.page.locator("section[aria-labelledby=proposal-heading]")

    def _form(self, heading_id: str) -> Locator:
        return self.page.locator(f"main form[aria-labelledby={heading_id}]")

    def start_assessment(self, *, instrument: str, about: str) -> AssessmentPage:
        form = self._form("new-heading")
        field(form, "Instrument").select_option(label=instrument)
        select_containing(field(form, "About"), about)
        self.submit("Start the assessment", form)
        return AssessmentPage(self.page)

    def confirm_weighing(self, *, level: str, reasoning: str, advice: str = "") -> CasePage:
        form = self._form("confirm-heading")
        form.get_by_label(level, exact=True).check()
        field(form, "Reasoning of the team").fill(reasoning)
        if advice:
            field(form, "Advice to the referrer").fill(advice)
        self.submit("Record the risk weighing", form)
        return CasePage(self.page)

    def errors(self) -> Locator:
        return self._form("confirm-heading").locator(".error-summary, .errorlist")


class AssessmentPage(CasePage):
    """One assessment being filled in: a question per fieldset, saved as a draft while
    answering (htmx), then finalised."""

    @property
    def form(self) -> Locator:
        return self.page.locator("main form.risk-form")

    def questions(self) -> Locator:
        """The questions answered by choice (yes / no / unknown, single choice)."""
        return self.form.locator(".risk-section fieldset").filter(has=self.page.locator("input[type=radio]"))

    def question(self, text: str) -> Locator:
        return self.questions().filter(has=self.page.locator("legend", has_text=text))

    def answer(self, text: str, answer: str) -> None:
        self.question(text).get_by_label(answer, exact=True).check()

    def answer_all(self, answer: str, *, except_for: dict[str, str]) -> None:
        """Answer every question with ``answer``, except those whose text starts one of
        ``except_for`` (question start → its answer); then wait for the autosave that
        carries the last answer."""
        questions = self.questions().all()
        for number, question in enumerate(questions, start=1):
            legend = question.locator("legend").inner_text()
            chosen = next((a for start, a in except_for.items() if legend.startswith(start)), answer)
            choice = question.get_by_label(chosen, exact=True)
            if number < len(questions):
                choice.check()
            else:
                check_autosaved(self.page, choice)

    def write(self, label: str, text: str) -> None:
        """A free-text answer. A text field reports its change (the autosave follows)
        when the focus leaves it: leave it now, not with the click on "Finalise"."""
        answer_field = field(self.form, label)
        answer_field.fill(text)
        answer_field.blur()

    def expect_draft_status(self, text: str) -> None:
        """The status line the autosave writes (e.g. "0 questions still to answer")."""
        expect(self.page.locator("#draft-status")).to_contain_text(text)
        settle_htmx(self.page)

    def finalise(self) -> Page:
        self.submit("Finalise", self.form)
        return self.page


class DossierPage(CasePage):
    def domain_section(self, domain: str) -> Locator:
        return self.page.locator("section.dossier-domain").filter(
            has=self.page.locator("h3", has_text=domain)
        )

    def add_contribution(self, *, domain: str, about: str | None, source: str, text: str) -> None:
        form = self.page.locator("#add-contribution form")
        field(form, "Life domain").select_option(label=domain)
        field(form, "About").select_option(label=about or "The family as a whole")
        field(form, "Source").fill(source)
        field(form, "Information").fill(text)
        self.submit("Add to the dossier", form)


class PlanPage(CasePage):
    @property
    def draft(self) -> Locator:
        return self.page.locator("#draft")

    @property
    def approval(self) -> Locator:
        """The draft section, which ends with what still stands in the way of approval."""
        return self.draft

    def _form(self, legend: str) -> Locator:
        return self.page.locator("main form").filter(
            has=self.page.locator("legend", has_text=_exact(legend))
        )

    def start_draft(self) -> None:
        self.submit("Start a draft", self._form("Start the plan"))

    def add_goal(self, *, domain: str, goal: str, for_whom: str | None, organisation: str,
                 professional: str, due: date) -> None:
        form = self._form("Add a goal")
        field(form, "Life domain").select_option(label=domain)
        field(form, "Goal").fill(goal)
        field(form, "For").select_option(label=for_whom or "The whole family")
        field(form, "Responsible organisation").select_option(label=organisation)
        field(form, "Responsible professional").select_option(label=professional)
        field(form, "Due on").fill(iso(due))
        self.submit("Add goal", form)

    def add_measure(self, *, kind: str, measure: str, organisation: str, due: date | None) -> None:
        form = self._form("Add a safety measure")
        form.get_by_label(kind, exact=True).check()
        field(form, "Measure").fill(measure)
        field(form, "Responsible organisation").select_option(label=organisation)
        if due is not None:
            field(form, "Due on").fill(iso(due))
        self.submit("Add measure", form)

    def approve(self, *, route: str) -> None:
        form = self._form("Approve the plan")
        form.get_by_label(route, exact=True).check()
        self.submit("Approve", form)


class ExecutionPage(CasePage):
    def _open(self, section: str, summary: str) -> Locator:
        """Unfold a form that sits folded under a section (``<details>``)."""
        details = self.page.locator(f"#{section} details").filter(
            has=self.page.locator("summary", has_text=_exact(summary))
        )
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        return details.locator("form")

    def evaluations_table(self) -> Locator:
        return self.page.locator("#evaluations table")

    def contacts_table(self) -> Locator:
        return self.page.locator("#contacts table")

    def action_row(self, text: str) -> Locator:
        return self.page.locator("#actions tbody tr").filter(has_text=text)

    def add_action(self, *, action: str, goal: str | None, organisation: str, owner: str | None,
                   due: date) -> None:
        form = self._open("actions", "Add an action")
        field(form, "Action").fill(action)
        if goal:
            select_containing(field(form, "Goal"), goal)
        field(form, "Organisation").select_option(label=organisation)
        if owner:
            field(form, "Owner").select_option(label=owner)
        field(form, "Due on").fill(iso(due))
        self.submit("Add action", form)

    def set_action_status(self, row: Locator, status: str) -> None:
        """Saved in place (htmx): the row comes back, the page stays."""
        field(row, "Status").select_option(label=status)
        row.get_by_role("button", name=re.compile(r"^Save status")).click()
        expect(row.get_by_role("status")).to_have_text("Status saved.")
        settle_htmx(self.page)  # the new row settles (and takes the focus) before the next step

    def log_contact(self, *, kind: str, with_whom: list[str], summary: str) -> None:
        form = self._open("contacts", "Record a contact")
        field(form, "Kind of contact").select_option(label=kind)
        for name in with_whom:
            form.get_by_label(name, exact=True).check()
        field(form, "Summary").fill(summary)
        self.submit("Record contact", form)

    def hold_evaluation(self, *, summary: str, progress: dict[str, str], decision: str) -> None:
        form = self.page.locator("#evaluations form")
        field(form, "How is it going").fill(summary)
        for domain, value in progress.items():
            goal = form.locator("fieldset fieldset").filter(
                has=self.page.locator("legend", has_text=f"{domain}:")
            )
            field(goal, "Progress").select_option(label=value)
        form.get_by_label(decision, exact=True).check()
        self.submit("Record evaluation", form)
