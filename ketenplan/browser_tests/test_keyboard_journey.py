"""A keyboard-only journey (issue 8, WCAG 2.1.1 Keyboard, 2.1.2 No Keyboard Trap, 2.4.1
Bypass Blocks, 2.4.7 Focus Visible, 2.4.11 Focus Not Obscured).

The coordinator signs in (e-mail, password, authenticator code), registers a family and,
on a case the factories brought to the planning stage, completes a plan: a goal per life
domain, a direct safety measure, the approval, a case director and an action with a
deadline. Only the keyboard is used: Tab and Shift+Tab to move, Enter and Space to act,
arrow keys in selects and radio groups, typing in fields. Locators and scripts only
*look*: which element has the focus, what a field holds, what a page says.

``tab_to`` presses Tab until the focus reaches the wanted control and fails with the
path the focus took when it never does (unreachable, or caught in a trap). Every stop
on the way must show its focus: an outline or a shadow of its own, on screen, not
hidden under something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ketenplan.accounts.tests.factories import PASSWORD
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.plans.models import Action, PlanVersion, SafetyMeasure

from .pages import LOGIN, MFA_AUTHENTICATE, current_code, settle_htmx
from .test_accessibility import focus_indicator

pytestmark = [pytest.mark.browser]

# --- What has the focus -------------------------------------------------------------------

# The focused element, described the way a screen reader would name it: its name (label,
# aria-label, or text), the legends of the fieldsets around it, and whether the focus can
# be seen there (on screen and not covered by another element).
_FOCUSED = r"""() => {
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return null;
    const clean = t => (t || '').replace(/\s+/g, ' ').trim();
    let name = '';
    const by = e.getAttribute('aria-labelledby');
    if (by) name = by.split(/\s+/).map(id => document.getElementById(id))
        .filter(Boolean).map(x => x.textContent).join(' ');
    if (!name) name = e.getAttribute('aria-label') || '';
    if (!name && e.labels && e.labels.length) name = [...e.labels].map(l => l.textContent).join(' ');
    if (!name && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName)) name = e.textContent;
    name = clean(name).replace(/\s*:$/, '');
    const legends = [];
    for (let f = e.closest('fieldset'); f; f = f.parentElement && f.parentElement.closest('fieldset')) {
        const legend = f.querySelector(':scope > legend');
        if (legend) legends.unshift(clean(legend.textContent));
    }
    const r = e.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
        && r.top < window.innerHeight && r.left < window.innerWidth;
    let covered = null;
    if (onScreen) {
        const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
        const y = Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1);
        const hit = document.elementFromPoint(x, y);
        const mine = hit && (e.contains(hit) || (e.labels && [...e.labels].some(l => l.contains(hit))));
        if (!mine) covered = hit
            ? hit.tagName.toLowerCase() + (hit.className ? '.' + hit.className : '') : '?';
    }
    return {
        tag: e.tagName.toLowerCase(), type: e.type || '', id: e.id, name,
        group: legends.join(' / '), onScreen, covered,
        checked: !!e.checked, value: e.value === undefined ? null : e.value,
        selected: e.tagName === 'SELECT' && e.selectedIndex >= 0
            ? clean(e.options[e.selectedIndex].text) : null,
    };
}"""


@dataclass(frozen=True)
class Stop:
    tag: str
    type: str
    id: str
    name: str
    group: str
    on_screen: bool
    covered: str | None
    checked: bool
    value: str | None
    selected: str | None

    def __str__(self) -> str:
        kind = self.tag if not self.type or self.tag == self.type else f"{self.tag}[{self.type}]"
        where = f" in “{self.group}”" if self.group else ""
        return f"{kind} “{self.name[:60]}”{where}"


def focused(page: Page) -> Stop | None:
    info = page.evaluate(_FOCUSED)
    if info is None:
        return None
    info["on_screen"] = info.pop("onScreen")
    return Stop(**info)


Target = str | re.Pattern | Callable[[Stop], bool]


def _matches(stop: Stop | None, target: Target, within: str | None) -> bool:
    if stop is None:
        return False
    if within is not None and within not in stop.group:
        return False
    if callable(target) and not isinstance(target, re.Pattern):
        return target(stop)
    if isinstance(target, re.Pattern):
        return bool(target.search(stop.name))
    return stop.name == target


def _describe(target: Target, within: str | None) -> str:
    what = target.pattern if isinstance(target, re.Pattern) else getattr(target, "__name__", target)
    return f"“{what}”" + (f" in “{within}”" if within else "")


def assert_focus_visible(page: Page, stop: Stop) -> None:
    """WCAG 2.4.7 and 2.4.11: the focused element draws an indicator of its own, is on
    screen, and nothing covers it."""
    assert focus_indicator(page), f"no visible focus indicator on {stop}"
    assert stop.on_screen, f"the focused {stop} is off screen"
    assert stop.covered is None, f"the focused {stop} is covered by {stop.covered}"


def _key(stop: Stop | None) -> tuple | None:
    return stop and (stop.tag, stop.type, stop.id, stop.name, stop.group)


# Tab moves through the parts of a date (3) or date-and-time field (up to 6) one by one.
PARTS_OF_A_FIELD = 6


def tab_to(
    page: Page, target: Target, *, within: str | None = None, max_steps: int = 40, backwards: bool = False
) -> Stop:
    """Press Tab (Shift+Tab when ``backwards``) until the focused element is ``target``:
    its accessible name exactly (a string), a pattern found in it, or a predicate on the
    ``Stop``; ``within`` must be part of the legends around it. Every stop on the way must
    show its focus. Fails, listing the path the focus took, when the focus goes round the
    whole page, stays stuck on one element (a keyboard trap) or needs more than
    ``max_steps`` presses."""
    key = "Shift+Tab" if backwards else "Tab"
    path: list[Stop | None] = []
    seen: set = set()
    same = 0
    for _step in range(max_steps):
        page.keyboard.press(key)
        stop = focused(page)
        if stop is not None:
            assert_focus_visible(page, stop)
        if _matches(stop, target, within):
            return stop
        if path and _key(stop) == _key(path[-1]):
            same += 1
            if same >= PARTS_OF_A_FIELD:
                problem = f"the focus stays on {stop}: a keyboard trap"
                break
            continue  # the next part of a date field
        same = 0
        if _key(stop) in seen:
            problem = "the focus went round the whole page"
            break
        seen.add(_key(stop))
        path.append(stop)
    else:
        problem = f"not reached in {max_steps} presses of {key}"
        stop = path.pop()
    lines = "\n".join(
        f"  {n:>2}. {s or '(nothing: the page itself)'}" for n, s in enumerate([*path, stop], 1)
    )
    pytest.fail(
        f"{key} never reaches {_describe(target, within)} on {page.url}: {problem}.\n"
        f"The focus went:\n{lines}",
        pytrace=False,
    )


def expect_focus(page: Page, target: Target, *, within: str | None = None) -> Stop:
    stop = focused(page)
    assert _matches(stop, target, within), (
        f"the focus is on {stop or 'nothing (the page itself)'}, not on {_describe(target, within)}"
    )
    return stop


def skip_to_main(page: Page) -> None:
    """On a freshly opened page: the first Tab stop is the skip link, visibly; Enter
    moves the focus to the main content, from where Tab goes on."""
    stop = tab_to(page, "Skip to main content", max_steps=1)
    assert stop.tag == "a"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def into_main(page: Page) -> None:
    """On a freshly opened page, to the start of the main content: by the skip link; a
    page opened at ``#main`` (after a form sent from a page reached by the skip link: the
    address keeps its ``#main`` through the redirect) has the focus there already."""
    anchor = urlsplit(page.url).fragment
    if anchor == "main":
        expect(page.locator("main#main")).to_be_focused()
    elif not anchor:
        skip_to_main(page)
    # else: opened at another anchor of the content (``#actions``), Tab goes on from there.


# --- Acting by keyboard -------------------------------------------------------------------


def follow(page: Page, key: str = "Enter") -> None:
    """Press ``key`` on the focused link or submit button and wait for the next page (its
    load: a skip link's move within the page is a navigation too, and must not count)."""
    with page.expect_event("load"):
        page.keyboard.press(key)


def type_text(page: Page, text: str) -> None:
    page.keyboard.type(text)


# The order in which the browser shows the parts of a date field (its own language, not
# the page's): learnt from the first date typed, as a user would on a strange computer.
_DATE_ORDERS = {"dmy": "%d%m%Y", "mdy": "%m%d%Y", "ymd": "%Y%m%d"}
_date_order: list[str] = []


def type_date(page: Page, day: date) -> None:
    """Type a date into the focused date field, part by part. The first time, try the
    orders in turn: when the field holds another date, go back to its first part (out of
    the field with Shift+Tab, in again with Tab) and type it the other way."""
    field_id = focused(page).id
    value = None
    for attempt, order in enumerate(_date_order or list(_DATE_ORDERS)):
        if attempt:
            for _ in range(PARTS_OF_A_FIELD + 1):
                page.keyboard.press("Shift+Tab")
                if focused(page).id != field_id:
                    break
            page.keyboard.press("Tab")
        page.keyboard.type(day.strftime(_DATE_ORDERS[order]))
        value = page.evaluate("() => document.activeElement.value")
        if value == day.isoformat():
            _date_order[:] = [order]
            return
    pytest.fail(f"typed {day:%d %m %Y}, the date field holds {value!r}", pytrace=False)


def choose_option(page: Page, text: str) -> None:
    """In the focused select (closed, as a keyboard user leaves it): arrow keys until the
    option that starts with ``text`` is selected."""
    options, index = page.evaluate(
        "() => { const e = document.activeElement;"
        " return [[...e.options].map(o => o.text.replace(/\\s+/g, ' ').trim()), e.selectedIndex]; }"
    )
    wanted = [n for n, option in enumerate(options) if option.startswith(text)]
    assert len(wanted) == 1, f"{len(wanted)} options start with {text!r}: {options}"
    key = "ArrowDown" if wanted[0] > index else "ArrowUp"
    for _ in range(abs(wanted[0] - index)):
        page.keyboard.press(key)
    stop = focused(page)
    assert stop.selected == options[wanted[0]], f"{stop} shows {stop.selected!r}, not {options[wanted[0]]!r}"


def choose_radio(page: Page, label: str) -> None:
    """In a radio group with the focus: arrow keys to the choice ``label`` (arrows check
    what they move to); Space when the focus already is on it."""
    names, current = page.evaluate(
        "() => { const e = document.activeElement;"
        " const group = [...document.querySelectorAll('input[type=radio]')]"
        "   .filter(r => r.form === e.form && r.name === e.name);"
        " return [group.map(r => [...r.labels].map(l => l.textContent).join(' ')"
        "   .replace(/\\s+/g, ' ').trim()), group.indexOf(e)]; }"
    )
    wanted = [n for n, name in enumerate(names) if name.startswith(label)]
    assert len(wanted) == 1, f"{len(wanted)} choices start with {label!r}: {names}"
    if wanted[0] == current:
        page.keyboard.press("Space")
    key = "ArrowDown" if wanted[0] > current else "ArrowUp"
    for _ in range(abs(wanted[0] - current)):
        page.keyboard.press(key)
    stop = focused(page)
    assert stop.name.startswith(label) and stop.checked, f"{stop} is not the checked choice {label!r}"


def check(page: Page) -> None:
    """Space ticks the focused checkbox."""
    page.keyboard.press("Space")
    stop = focused(page)
    assert stop.type == "checkbox" and stop.checked, f"{stop} is not a ticked checkbox"


# --- The journey --------------------------------------------------------------------------

MOTHER = ("Sara", "El Amrani", date(1990, 4, 2))  # known from the case in planning
FATHER = ("Jens", "Vermeulen", date(1985, 3, 14))
CHILD = ("Noor", "Vermeulen", date(2015, 9, 30))


def sign_in(page: Page, user) -> None:
    page.goto(LOGIN)
    skip_to_main(page)
    tab_to(page, lambda s: s.tag == "input" and s.type == "email", max_steps=10)
    type_text(page, user.email)
    tab_to(page, lambda s: s.type == "password", max_steps=5)
    type_text(page, PASSWORD)
    tab_to(page, lambda s: s.tag == "button" and s.type == "submit", max_steps=10)
    follow(page)
    expect(page).to_have_url(re.compile(re.escape(MFA_AUTHENTICATE) + "$"))
    for _attempt in range(2):
        into_main(page)
        tab_to(page, lambda s: s.tag == "input" and s.id.endswith("code"), max_steps=10)
        type_text(page, current_code(user))
        tab_to(page, lambda s: s.tag == "button" and s.type == "submit", max_steps=5)
        follow(page)
        if MFA_AUTHENTICATE not in page.url:
            break
        # Refused: only when the code's period turned over on a very slow machine.
    expect(page.locator(".whoami")).to_contain_text(user.full_name)


def proposals_with_roles(response, number: int) -> bool:
    """The live panel's answer for family member ``number`` once a role is ticked."""
    return "/cases/register/proposals/" in response.url and f"members-{number - 1}-roles=" in response.url


def register_a_family(page: Page) -> str:
    skip_to_main(page)  # on the home page, after signing in
    tab_to(page, "Register a family", max_steps=60)
    page.keyboard.press("Shift+Tab")  # and back: Shift+Tab works too
    page.keyboard.press("Tab")
    expect_focus(page, "Register a family")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a family")

    into_main(page)
    tab_to(page, "Family", within="The registration")
    type_text(page, "Family Vermeulen")
    tab_to(page, "Reason for registration")
    type_text(page, "The police were called twice this month; the son is afraid to go home.")
    for kind in ("Partner violence", "Child abuse"):
        tab_to(page, kind, within="Violence concerned")
        check(page)
    tab_to(page, "Crisis measures taken so far")
    type_text(page, "Temporary exclusion order for the father (10 days).")

    for number, (given, family_name, born), role in (
        (1, MOTHER, "Victim"),
        (2, FATHER, "Alleged perpetrator"),
        (3, CHILD, "Child (witness)"),
    ):
        member = f"Family member {number}"
        tab_to(page, "Given names", within=member)
        type_text(page, given)
        tab_to(page, "Family name", within=member)
        type_text(page, family_name)
        tab_to(page, "Date of birth", within=member)
        type_date(page, born)
        tab_to(page, role, within=member)
        # The role is the member's last keystroke: a moment later (its trigger's delay) the
        # live panel asks for proposals. Wait for that answer to settle, so no panel
        # changes under the keyboard further on and sending the form cuts off no request.
        with page.expect_response(lambda r, n=number: proposals_with_roles(r, n)):
            check(page)
        settle_htmx(page)
    # The live panel proposes the mother, known from another case, while typing.
    expect(page.locator("fieldset.member").first.locator(".proposal-panel")).to_contain_text(
        "1 person who may already be known"
    )
    tab_to(page, "Register the family")
    follow(page)

    # Not registered yet: is the mother the person already known?
    expect(page.locator("main .message--warning")).to_contain_text("Some family members may already be known")
    into_main(page)
    tab_to(page, lambda s: s.type == "radio", within="is this the same person", max_steps=60)
    choose_radio(page, "Same person: Sara El Amrani")
    tab_to(page, "Register the family", max_steps=60)
    follow(page)
    expect(page.locator(".messages")).to_contain_text("Family registered as case")
    return page.locator("header.case-header .case-header__reference").inner_text().split()[-1]


def open_from_the_case_list(page: Page, reference: str) -> None:
    """From any page: the main menu's "Cases", then the case's reference in the list."""
    if urlsplit(page.url).fragment:  # opened at an anchor in the content: back up to the menu
        tab_to(page, "Cases", max_steps=30, backwards=True)
    else:
        tab_to(page, "Skip to main content", max_steps=1)
        tab_to(page, "Cases", max_steps=10)  # the skip link is for those who do not want the menu
    follow(page)
    into_main(page)
    tab_to(page, reference, max_steps=40)
    follow(page)
    expect(page.locator("header.case-header")).to_contain_text(reference)


def case_tab(page: Page, label: str) -> None:
    """A tab of the case (Overview, Plan, Execution…), from the top of a case page."""
    into_main(page)
    tab_to(page, lambda s: s.tag == "a" and s.name == label, max_steps=20)
    follow(page)


def add_goal(
    page: Page, *, domain: str, goal: str, person: str, organisation: str, professional: str, due: date
) -> None:
    tab_to(page, "Life domain", within="Add a goal", max_steps=30)
    choose_option(page, domain)
    tab_to(page, "Goal", within="Add a goal")
    type_text(page, goal)
    tab_to(page, "For", within="Add a goal")
    choose_option(page, person)
    tab_to(page, "Responsible organisation", within="Add a goal")
    choose_option(page, organisation)
    tab_to(page, "Responsible professional", within="Add a goal")
    choose_option(page, professional)
    tab_to(page, "Due on", within="Add a goal")
    type_date(page, due)
    tab_to(page, "Add goal")
    follow(page)
    expect(page.locator(".messages")).to_contain_text("Goal added.")
    expect(page.locator("#draft table").first).to_contain_text(goal)


def make_the_plan(page: Page, world, case: Case) -> None:
    today = timezone.localdate()
    welfare, police = world.welfare.name, world.police.name
    director = world.case_director.full_name
    open_from_the_case_list(page, case.reference)
    case_tab(page, "Plan")
    expect(page.locator("main")).to_contain_text("There is no plan yet.")

    into_main(page)
    tab_to(page, "Start a draft")
    follow(page)  # the confirmation is a native dialog: answered by keyboard, too
    assert page.dialogs[-1] == "Start a new draft version of the plan?"
    expect(page.locator(".messages")).to_contain_text("Draft of plan version 1 started.")

    # A goal per life domain. After adding one, the page opens at the goals, and Tab goes
    # on from there to the form for the next.
    into_main(page)
    add_goal(
        page,
        domain="Finances",
        goal="The mother applies for a living wage.",
        person="Sara El Amrani",
        organisation=welfare,
        professional=director,
        due=today + timedelta(weeks=3),
    )
    assert page.url.endswith("#draft-goals")
    add_goal(
        page,
        domain="Children's development",
        goal="Lina gets trauma-focused help at school.",
        person="Lina Peeters",
        organisation=welfare,
        professional=director,
        due=today + timedelta(days=90),
    )

    # The direct safety measure.
    tab_to(page, lambda s: s.type == "radio", within="Add a safety measure", max_steps=30)
    choose_radio(page, "Direct safety")
    tab_to(page, "Measure", within="Add a safety measure")
    type_text(page, "Exclusion order extended; the father does not come home.")
    tab_to(page, "Responsible organisation", within="Add a safety measure")
    choose_option(page, police)
    tab_to(page, "Due on", within="Add a safety measure")
    type_date(page, today + timedelta(days=7))
    tab_to(page, "Add measure")
    follow(page)
    expect(page.locator(".messages")).to_contain_text("Safety measure added.")
    expect(page.locator("#draft")).to_contain_text("The draft is complete and can be approved.")

    # The approval, by the coordinator.
    tab_to(page, lambda s: s.type == "radio", within="Approve the plan", max_steps=30)
    choose_radio(page, "The coordinator")
    tab_to(page, "Approve")
    follow(page)
    assert page.dialogs[-1].startswith("Approve this plan version?")
    expect(page.locator(".messages")).to_contain_text("Plan version 1 is approved.")

    # The case director, from the case overview.
    case_tab(page, "Overview")
    into_main(page)
    tab_to(page, "Appoint a case director")
    follow(page)
    into_main(page)
    tab_to(page, "Case director")
    choose_option(page, director)
    tab_to(page, "Reason")
    type_text(page, "Welfare knows the mother best.")
    tab_to(page, "Appoint")
    follow(page)
    expect(page.locator(".messages")).to_contain_text(f"{director} is now the case director.")

    # An action with a deadline, under the first goal, on the execution page: its form is
    # folded away under a summary that Enter unfolds.
    case_tab(page, "Execution")
    into_main(page)
    tab_to(page, lambda s: s.tag == "summary" and s.name == "Add an action")
    page.keyboard.press("Enter")
    expect(page.locator("#actions details")).to_have_attribute("open", "")
    tab_to(page, "Action", within="")
    type_text(page, "Make an appointment at the social welfare centre with the mother.")
    tab_to(page, "Goal")
    choose_option(page, "v1 · Finances")
    tab_to(page, "Organisation")
    choose_option(page, welfare)
    tab_to(page, "Owner")
    choose_option(page, director)
    tab_to(page, "Due on")
    type_date(page, today + timedelta(days=7))
    tab_to(page, "Add action")
    follow(page)
    expect(page.locator(".messages")).to_contain_text("Action added.")
    row = page.locator("#actions tbody tr").filter(has_text="social welfare centre")
    expect(row).to_contain_text(director)
    expect(row.locator(".badge")).to_have_text("Open")

    # Its status, saved in place (htmx swaps the row): the focus must not drop to the page.
    into_main(page)
    tab_to(page, "Status", max_steps=20)
    choose_option(page, "In progress")
    tab_to(page, re.compile(r"^Save status"))
    with page.expect_response(lambda r: "/status/" in r.url and r.request.method == "POST"):
        page.keyboard.press("Enter")
    # The new row takes the focus once it settled (ketenplan.js, on htmx:afterSettle).
    settle_htmx(page)
    expect(row.get_by_role("status")).to_have_text("Status saved.")
    expect(row.locator(".badge")).to_have_text("In progress")
    # The focus stays on the button in the new row, visibly, and Tab goes on from there.
    expect(row.get_by_role("button", name=re.compile(r"^Save status"))).to_be_focused()
    stop = expect_focus(page, re.compile(r"^Save status"))
    assert_focus_visible(page, stop)
    tab_to(page, lambda s: s.tag == "summary" and s.name == "Add an action", max_steps=5)


def test_keyboard_only_sign_in_registration_and_plan(page):
    world = make_world()
    planning = case_at(world, Stage.PLANNING)

    sign_in(page, world.coordinator)
    reference = register_a_family(page)
    registered = Case.objects.get(reference=reference)
    assert registered.family_label == "Family Vermeulen"
    assert sorted(m.person.given_names for m in registered.members.select_related("person")) == [
        "Jens",
        "Noor",
        "Sara",
    ]
    # The mother was linked to the person already known, not created twice.
    mother = registered.members.get(person__given_names="Sara").person
    assert mother.case_memberships.filter(case=planning).exists()

    make_the_plan(page, world, planning)
    planning.refresh_from_db()
    assert planning.case_director == world.case_director
    plan = PlanVersion.objects.get(case=planning, status=PlanVersion.Status.APPROVED)
    assert sorted(plan.goals.values_list("life_domain__key", flat=True)) == ["child-development", "finances"]
    assert plan.safety_measures.filter(kind=SafetyMeasure.Kind.DIRECT).count() == 1
    action = Action.objects.get(case=planning)
    assert action.due_on == timezone.localdate() + timedelta(days=7)
    assert action.goal.life_domain.key == "finances"
    assert not page.problems, page.problems
