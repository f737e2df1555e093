"""The personas of the demo region, one journey each, through the browser.

Each test builds its own starting data with the factories (a region, its organisations
and professionals, a case at the stage the persona meets it) and from then on only
clicks and types: a real sign-in with the second factor, the real pages and forms,
found by their roles and labels the way assistive technology finds them. Each test
checks what that persona sees, and what they must not see. A failing test leaves a
screenshot and the HTML of every open page under ``test-results/browser/<test>/``
(see ``conftest.py``).

* the coordinator decides admissibility: admissible → intake; not admissible → written
  advice, the case closes as advice (and the referrer reads that advice);
* two partners add to the dossier per life domain; each sees the other's contribution
  only where the person's consent covers their organisation, and otherwise only that
  something is withheld;
* the case director runs the plan: contacts, the scheduled evaluations, closure with the
  progress per goal and the self-reliance scores measured;
* a partner of an organisation outside the case sees nothing of it: not in lists,
  search, "My work" or the registration's proposals; every direct address answers
  "not found" and its page reveals nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketenplan.cases.models import Case, ClosureKind, ClosureOutcome, Stage
from ketenplan.cases.tests.factories import case_at, family, make_world, register
from ketenplan.consent import services as consent_services
from ketenplan.consent.models import ConsentScope, ConsentStatus, ObtainedHow
from ketenplan.dossier import services as dossier_services
from ketenplan.methods.models import LifeDomain
from ketenplan.persons.models import Person
from ketenplan.plans.models import Evaluation
from ketenplan.plans.tests.factories import running_case

from .pages import (
    CasePage,
    DossierPage,
    ExecutionPage,
    Persona,
    PlanPage,
    StepPage,
    check_autosaved,
    field,
    iso,
    select_containing,
    settle_htmx,
)

pytestmark = [pytest.mark.browser]

MOTHER = "Sara El Amrani"
FATHER = "Kevin Peeters"
CHILD = "Lina Peeters"
CRITERIA = {
    "very_unsafe": "The family situation is very unsafe",
    "complex": "So complex that it needs",
    "multiple_domains": "Problems in several life domains",
    "help_stuck": "Help is stuck",
}
NOT_FOUND = "This page does not exist, or you have no access to it."


def person(name: str) -> Person:
    given, family = name.split(" ", 1)
    return Person.objects.get(given_names=given, family_name=family)


def open_case_from_list(someone: Persona, reference: str) -> CasePage:
    """The case list, then the case's reference: the way a professional finds a case."""
    cases = someone.case_list()
    row = cases.row_for(reference)
    expect(row).to_have_count(1)
    with someone.page.expect_navigation():
        row.get_by_role("link", name=reference, exact=True).click()
    return CasePage(someone.page)


# --- 1. The coordinator decides admissibility ----------------------------------------------


def test_coordinator_finds_a_registration_admissible_and_the_case_moves_to_intake(persona):
    world = make_world()
    case = register(world)  # by the police officer, waiting for the coordinator

    coordinator = persona("coordinator", world.coordinator).sign_in()
    waiting = coordinator.worklist("Registrations waiting for an admissibility decision")
    expect(waiting.locator("li", has_text=case.reference)).to_contain_text("Family Peeters")
    overview = coordinator.open_from_worklist(
        "Registrations waiting for an admissibility decision", case.reference
    )
    overview.expect_stage("Registered")
    expect(overview.page.locator("section[aria-labelledby=registration-heading]")).to_contain_text(
        "Third police call-out this year"
    )
    expect(overview.decisions()).to_contain_text("No decisions yet.")
    # Both ways out of "registered" are the coordinator's to take.
    expect(overview.step_link("Not admissible: close with advice")).to_be_visible()

    step = overview.take_step("Admissible: start intake")
    expect(step.page.get_by_role("heading", name="Admissibility", exact=True)).to_be_visible()
    for key, label in CRITERIA.items():
        step.answer_criterion(label, met=True, note=f"Met ({key}): police report and welfare file agree.")
    overview = step.send("Record the decision")
    coordinator.expect_confirmed("The decision cannot be undone. Record it?")
    coordinator.expect_message("Admissible: the case moves on to intake.")
    overview.expect_stage("Intake")

    decision = overview.decisions().locator("article.decision")
    expect(decision).to_have_count(1)
    expect(decision.get_by_role("heading", level=3)).to_contain_text("Admissible")
    expect(decision.get_by_role("heading", level=3)).to_contain_text(world.coordinator.full_name)
    rows = decision.get_by_role("table", name="Admissibility criteria").locator("tbody tr")
    expect(rows).to_have_count(len(CRITERIA))
    for key, label in CRITERIA.items():
        row = rows.filter(has_text=label)
        expect(row).to_contain_text("Yes")
        expect(row).to_contain_text(f"Met ({key}): police report and welfare file agree.")
    # The core partners joined as the operational team; the next step is the intake.
    expect(overview.partners_table()).to_contain_text(world.welfare.name)
    expect(overview.step_link("Intake done: build the dossier")).to_be_visible()
    # Decided: the registration no longer waits on "My work".
    coordinator.go("/")
    expect(coordinator.page.locator("main")).not_to_contain_text(case.reference)
    coordinator.expect_no_script_errors()

    case.refresh_from_db()
    assert case.stage == Stage.INTAKE


def test_coordinator_finds_a_registration_not_admissible_and_closes_it_with_written_advice(persona):
    world = make_world()
    case = register(world, family_label="Family Wuyts", members=family(family_name="Wuyts"))
    advice = (
        "Not for the chain approach: the police and welfare already work together. "
        "Keep the family in the welfare programme and call us again if the violence returns."
    )

    coordinator = persona("coordinator", world.coordinator).sign_in()
    overview = coordinator.open_from_worklist(
        "Registrations waiting for an admissibility decision", case.reference
    )
    step = overview.take_step("Not admissible: close with advice")
    step.answer_criterion(CRITERIA["very_unsafe"], met=True, note="Violence reported twice.")
    step.answer_criterion(CRITERIA["complex"], met=False, note="Welfare alone can help; no justice needed.")
    step.answer_criterion(CRITERIA["multiple_domains"], met=True, note="Housing and finances too.")
    step.answer_criterion(CRITERIA["help_stuck"], met=False, note="Help has just started and is accepted.")

    # Without the advice the decision is refused, and the page says what is missing.
    step.submit("Record the decision", step.form)
    coordinator.expect_confirmed("The decision cannot be undone. Record it?")
    summary = step.page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the following")
    expect(summary.get_by_role("link")).to_contain_text("Written advice to the referrer")
    # What was answered is kept.
    expect(step.criterion(CRITERIA["complex"]).get_by_label("No", exact=True)).to_be_checked()
    step.expect_stage("Registered")

    step = StepPage(step.page)
    step.field("Written advice to the referrer").fill(advice)
    overview = step.send("Record the decision")
    coordinator.expect_message("Not admissible: the case is closed with advice to the referrer.")
    overview.expect_stage("Closed")
    decision = overview.decisions().locator("article.decision").first
    expect(decision.get_by_role("heading", level=3)).to_contain_text("Not admissible")
    expect(decision.locator("tbody tr").filter(has_text=CRITERIA["complex"])).to_contain_text("No")
    closure = overview.decisions().locator("article.decision").last
    expect(closure.get_by_role("heading", level=3)).to_contain_text("Closed with advice to the referrer")
    expect(closure).to_contain_text("Not admissible")
    expect(closure).to_contain_text(advice)
    expect(overview.page.locator("section[aria-labelledby=steps-heading]")).to_contain_text(
        "The case is closed."
    )

    # The police officer who registered the family reads the written advice.
    referrer = persona("referrer (police)", world.referrer).sign_in()
    overview = open_case_from_list(referrer, case.reference)
    overview.expect_stage("Closed")
    expect(overview.decisions()).to_contain_text(advice)
    for someone in (coordinator, referrer):
        someone.expect_no_script_errors()

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closure.kind == ClosureKind.ADVICE
    assert case.closure.outcome == ClosureOutcome.NOT_ADMISSIBLE


# --- 2. Two partners build the dossier --------------------------------------------------------


def add_contribution(
    dossier: DossierPage, someone: Persona, *, domain: str, about: str | None, source: str, text: str
) -> None:
    dossier.add_contribution(domain=domain, about=about, source=source, text=text)
    someone.expect_message("Your contribution was added to the dossier.")
    expect(dossier.domain_section(domain)).to_contain_text(text)


def withheld_notice(dossier: DossierPage):
    return dossier.page.get_by_role("note").filter(has_text="withheld from your organisation")


def test_two_partners_see_each_others_contributions_only_where_consent_covers_them(persona):
    world = make_world()
    case = case_at(world, Stage.DOSSIER)
    # Starting data: the father consents to sharing with all partners; the mother only
    # with welfare (not with the police); nobody answered for the daughter yet.
    consent_services.consent_record(
        actor=world.coordinator,
        case=case,
        person=person(FATHER),
        status=ConsentStatus.GIVEN,
        obtained_how=ObtainedHow.IN_PERSON,
    )
    consent_services.consent_record(
        actor=world.coordinator,
        case=case,
        person=person(MOTHER),
        status=ConsentStatus.GIVEN,
        scope=ConsentScope.CHOSEN,
        organisations=[world.welfare],
        obtained_how=ObtainedHow.WRITTEN,
    )
    police_on_father = "Kevin was convicted of assault in 2021; a weapon was seized at home."
    police_on_child = "Lina was at home during all three call-outs and hid in her room."
    welfare_on_mother = "Sara has panic attacks since the last incident and sees our psychologist."
    welfare_on_family = "Rent arrears of four months; the landlord has started an eviction."

    police = persona("partner (police)", world.referrer).sign_in()
    dossier = police.dossier(case.pk)
    dossier.expect_stage("Dossier")
    expect(dossier.page.get_by_role("heading", name="What the partners know")).to_be_visible()
    expect(dossier.page.locator("main")).to_contain_text("Nothing has been added to the dossier yet.")
    add_contribution(
        dossier,
        police,
        domain="Justice",
        about=FATHER,
        source="Police record, judgement of 2021",
        text=police_on_father,
    )
    add_contribution(
        dossier,
        police,
        domain="Children's development",
        about=CHILD,
        source="Police reports of the call-outs",
        text=police_on_child,
    )

    welfare = persona("partner (welfare)", world.team_member).sign_in()
    dossier = welfare.dossier(case.pk)
    # The father's consent covers welfare: the police's contribution about him is shown,
    # with who contributed it. Nobody answered for the daughter: withheld, not shown.
    expect(dossier.domain_section("Justice")).to_contain_text(police_on_father)
    expect(dossier.domain_section("Justice")).to_contain_text(world.police.name)
    expect(withheld_notice(dossier)).to_have_text(
        "1 contribution about a family member is withheld from your organisation: "
        "that person's consent or a legal basis does not cover it."
    )
    expect(dossier.domain_section("Children's development")).to_have_count(0)
    assert police_on_child not in dossier.page.content()
    add_contribution(
        dossier,
        welfare,
        domain="Mental health",
        about=MOTHER,
        source="Welfare psychologist, intake interview",
        text=welfare_on_mother,
    )
    add_contribution(
        dossier,
        welfare,
        domain="Housing",
        about=None,
        source="Conversation with the landlord",
        text=welfare_on_family,
    )
    # Welfare's own contributions are always shown to welfare.
    expect(dossier.domain_section("Mental health")).to_contain_text(welfare_on_mother)

    # Back at the police: welfare's contribution about the family as a whole is shown;
    # the one about the mother is not (her consent leaves the police out), only the notice.
    dossier = police.dossier(case.pk)
    expect(dossier.domain_section("Housing")).to_contain_text(welfare_on_family)
    expect(dossier.domain_section("Housing")).to_contain_text(world.welfare.name)
    expect(dossier.domain_section("Justice")).to_contain_text(police_on_father)
    expect(dossier.domain_section("Children's development")).to_contain_text(police_on_child)
    expect(withheld_notice(dossier)).to_have_text(
        "1 contribution about a family member is withheld from your organisation: "
        "that person's consent or a legal basis does not cover it."
    )
    expect(dossier.domain_section("Mental health")).to_have_count(0)
    html = dossier.page.content()
    assert welfare_on_mother not in html
    assert "Welfare psychologist" not in html  # not even the source
    for someone in (police, welfare):
        someone.expect_no_script_errors()


# --- 4. The case director runs the plan ----------------------------------------------------


def zrm(execution: ExecutionPage, scores: dict[str, str]) -> None:
    """Unfold the optional self-reliance scores of the evaluation form and fill them."""
    form = execution.page.locator("#evaluations form")
    details = form.locator("details").filter(has=execution.page.locator("summary", has_text="Self-reliance"))
    details.locator("summary").click()
    for domain, value in scores.items():
        field(details, domain).select_option(label=value)


def test_case_director_logs_contacts_holds_the_evaluations_and_closes_with_measured_outcomes(persona):
    world = make_world()
    case, plan = running_case(world, goals=2)
    goals = list(plan.goals.order_by("pk").select_related("life_domain"))
    domains = [g.life_domain.name for g in goals]
    follow_up = timezone.localdate() + timedelta(days=365)

    director = persona("case director (welfare)", world.case_director).sign_in()
    directed = director.worklist("Cases you direct").locator("li", has_text=case.reference)
    expect(directed).to_contain_text("Execution")
    overview = director.open_from_worklist("Cases you direct", case.reference)
    overview.expect_stage("Execution")
    expect(overview.fact("Case director")).to_contain_text(world.case_director.full_name)
    overview.tab("Execution")
    execution = ExecutionPage(director.page)
    expect(execution.page.locator("main")).to_contain_text("Next evaluation: First evaluation (1 month)")
    schedule = execution.evaluations_table().locator("tbody tr")
    expect(schedule).to_have_count(3)

    # Contacts with the family, of two kinds.
    execution.log_contact(
        kind="Home visit",
        with_whom=[MOTHER, CHILD],
        summary="Home visit: the mother feels safer; Lina sleeps through the night.",
    )
    director.expect_message("Contact recorded.")
    execution.log_contact(
        kind="Phone", with_whom=[FATHER], summary="Phone call: the father started the perpetrator programme."
    )
    director.expect_message("Contact recorded.")
    contacts = execution.contacts_table().locator("tbody tr")
    expect(contacts).to_have_count(2)
    expect(contacts.filter(has_text="Home visit")).to_contain_text(f"{MOTHER}, {CHILD}")
    expect(contacts.filter(has_text="Phone")).to_contain_text(FATHER)
    expect(contacts.first).to_contain_text(world.case_director.full_name)

    # The first evaluation on the schedule: going well, the plan goes on.
    expect(
        execution.page.get_by_role("heading", name="Record the evaluation: First evaluation (1 month)")
    ).to_be_visible()
    zrm(execution, {domains[0]: "3 · barely self-reliant", domains[1]: "2 · not self-reliant"})
    execution.hold_evaluation(
        summary="No new incidents; the exclusion order holds and the mother has started counselling.",
        progress={domains[0]: "On track", domains[1]: "On track"},
        decision="Continue the plan",
    )
    director.expect_confirmed(
        "Record this evaluation? It cannot be changed afterwards; a decision for a new plan "
        "version or to close the case is carried out at once."
    )
    director.expect_message("Evaluation recorded.")
    first = execution.evaluations_table().locator("tbody tr").filter(has_text="First evaluation (1 month)")
    expect(first).to_contain_text("Continue the plan")
    expect(first).to_contain_text(f"{domains[0]} 3")
    execution.expect_stage("Execution")

    # The next one on the schedule: the goals are achieved, the case closes.
    expect(
        execution.page.get_by_role("heading", name="Record the evaluation: Second evaluation (4 months)")
    ).to_be_visible()
    zrm(execution, {domains[0]: "5 · fully self-reliant", domains[1]: "4 · sufficiently self-reliant"})
    form = execution.page.locator("#evaluations form")
    field(form, "Outcome").select_option(label="Goals met")
    field(form, "Closing note").fill("Both goals achieved; welfare goes on with the family on its own.")
    field(form, "Follow-up check on").fill(iso(follow_up))
    execution.hold_evaluation(
        summary="Safe at home for four months; the daughter's trauma care ended well.",
        progress={domains[0]: "Achieved", domains[1]: "Achieved"},
        decision="Close the case",
    )
    director.expect_message("Evaluation recorded.")
    execution.expect_stage("Closed")
    second = execution.evaluations_table().locator("tbody tr").filter(has_text="Second evaluation (4 months)")
    expect(second).to_contain_text("Close the case")
    expect(second).to_contain_text("Achieved")
    expect(second).to_contain_text(f"{domains[0]} 5")
    expect(second).to_contain_text(f"{domains[1]} 4")
    # Closed: no evaluation form any more.
    expect(execution.page.locator("#evaluations form")).to_have_count(0)

    overview = director.case(case.pk)
    overview.expect_stage("Closed")
    closure = overview.decisions().locator("article.decision").last
    expect(closure.get_by_role("heading", level=3)).to_contain_text("Closed after the chain approach")
    expect(closure).to_contain_text("Goals met")
    expect(closure).to_contain_text("Both goals achieved")
    expect(overview.page.locator("section[aria-labelledby=steps-heading]")).to_contain_text(
        "The case is closed."
    )
    # The case no longer needs the director's attention.
    director.go("/")
    expect(director.page.locator("main")).not_to_contain_text(case.reference)
    director.expect_no_script_errors()

    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closure.outcome == ClosureOutcome.GOALS_MET
    assert case.closure.follow_up_on == follow_up
    held = list(case.evaluations.exclude(held_on=None).values_list("decision", flat=True))
    assert sorted(held) == sorted([Evaluation.Decision.CONTINUE, Evaluation.Decision.CLOSE])


# --- 5. A partner outside the case --------------------------------------------------------


def test_partner_of_an_organisation_outside_the_case_sees_nothing_of_it(persona):
    world = make_world()
    # The outsider's own name is on every page: not one of the family's (the factory
    # draws Flemish names, "Ward Peeters" among them).
    world.outsider.full_name = "Lotte Verhaegen"
    world.outsider.save(update_fields=["full_name"])
    case, _plan = running_case(world)
    police_note = "Arrested for the third time this year; a knife was found in the car."
    contribution = dossier_services.contribution_add(
        actor=world.referrer,
        case=case,
        life_domain=LifeDomain.objects.get(key="justice"),
        occurred_on=timezone.localdate(),
        source="Police report",
        text=police_note,
    )
    secrets = ["Peeters", "El Amrani", case.reference, "Third police call-out", police_note]

    outsider = persona("outsider (addiction care)", world.outsider).sign_in()
    home = outsider.page.locator("main")
    expect(home).to_contain_text(world.addiction.name)
    for secret in secrets:
        expect(home).not_to_contain_text(secret)

    # The case list and its search.
    cases = outsider.case_list()
    expect(cases.row_for(case.reference)).to_have_count(0)
    expect(outsider.page.get_by_role("status")).to_have_text("0 cases")
    for query in ("Peeters", case.reference):
        search = outsider.page.get_by_role("search")
        field(search, "Reference or family").fill(query)
        with outsider.page.expect_navigation():
            search.get_by_role("button", name="Filter").click()
        expect(outsider.page.get_by_role("status")).to_have_text("0 cases")
        expect(cases.rows()).to_have_text(["No cases match these filters."])

    # Registering a family, a given name and a date of birth reveal nobody's family name:
    # the outsider knows the father from none of their cases.
    registration = outsider.registration()
    registration.fill_member(
        1, given="Kevin", family="Jacobs", born=date(1987, 11, 20), roles=["Alleged perpetrator"]
    )
    expect(registration.proposals_while_typing(1)).to_have_text("No person found who may be the same.")
    # The outsider who types the person's full name and date of birth is told that this
    # person may already be known, in another case (so that nobody is registered twice)
    # -- but nothing of the case: no reference, no family, no other member, no link.
    registration = outsider.registration()
    registration.fill_member(
        1, given="Kevin", family="Peeters", born=date(1987, 11, 20), roles=["Alleged perpetrator"]
    )
    proposals = registration.proposals_while_typing(1)
    expect(proposals).to_contain_text("1 person who may already be known")
    expect(proposals).to_contain_text("known in another case")
    for secret in (case.reference, "Family Peeters", MOTHER, CHILD, police_note):
        expect(proposals).not_to_contain_text(secret)
    expect(proposals.get_by_role("link")).to_have_count(0)

    # Every address of the case answers "not found", and the page tells nothing.
    for path in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/dossier/",
        f"/cases/{case.pk}/consent/",
        f"/cases/{case.pk}/risk/",
        f"/cases/{case.pk}/plan/",
        f"/cases/{case.pk}/execution/",
        f"/cases/{case.pk}/timeline/",
        f"/cases/{case.pk}/steps/close/",
        f"/cases/{case.pk}/dossier/contributions/{contribution.pk}/",
    ):
        response = outsider.page.goto(path)
        assert response.status == 404, (path, response.status)
        expect(outsider.page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(outsider.page.locator("main")).to_contain_text(NOT_FOUND)
        html = outsider.page.content()
        for secret in secrets:
            assert secret not in html, (path, secret)
        expect(outsider.page).to_have_title(re.compile(r"^Not found"))
    # Who has seen the father's data is for the roles that keep the privacy duties, for any
    # person: "no access", whoever the person is, and nothing about him.
    response = outsider.page.goto(f"/persons/{person(FATHER).pk}/who-has-seen/")
    assert response.status == 403
    expect(outsider.page.get_by_role("heading", level=1)).to_have_text("No access")
    html = outsider.page.content()
    for secret in secrets:
        assert secret not in html, ("who-has-seen", secret)
    outsider.expect_no_script_errors()
    assert Case.objects.filter(pk=case.pk, stage=Stage.EXECUTION).exists()


# --- 3. The team weighs the risk and makes a plan -------------------------------------------

DASH_YES = [
    "injury",
    "frightened",
    "fear_of_harm",
    "isolation",
    "separation",
    "more_often",
    "getting_worse",
    "control",
    "threats_to_kill",
    "strangulation",
    "criminal_history",
]  # 11 "yes": medium risk on the instrument (10-13)
DASH_UNKNOWN = ["weapons"]


def dash_questions() -> list[tuple[str, str, str]]:
    """``(id, type, English text)`` of every question of the DASH-style checklist, in order."""
    from ketenplan.risk.models import Instrument

    definition = Instrument.objects.get(key="dash").current_version.parsed
    return [(item_id, item["type"], item["text"]["en"]) for item_id, item in definition.items.items()]


def police_assesses_the_mother_with_the_checklist(police: Persona, case: Case) -> None:
    overview = open_case_from_list(police, case.reference)
    overview.tab("Risk")
    page = police.page
    expect(page.get_by_role("heading", name="Proposed weighing")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "No final assessment yet: the system cannot propose a level."
    )

    new = page.locator("main form").filter(has=page.get_by_role("button", name="Start the assessment"))
    select_containing(field(new, "Instrument"), "DASH style")
    field(new, "About").select_option(label=f"{MOTHER} (Victim)")
    with page.expect_navigation():
        new.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        "Partner-violence risk checklist (DASH style)"
    )
    expect(page.locator("main")).to_contain_text(f"About {MOTHER}.")

    form = page.locator("main form.risk-form")
    field(form, "Note").fill("Asked the mother alone at the police station, the day after the call-out.")
    # Professional judgement first: the autosave of the answers below then carries it.
    field(form, "Raise the band by professional judgement").select_option(label="High risk")
    field(form, "Reason for raising the band").fill(
        "Strangulation and threats to kill in the last incident; the mother fears for her life."
    )
    questions = dash_questions()
    # The free text first: a text field reports its change (and the autosave follows)
    # when the focus leaves it, which must not be the click on "Finalise".
    for _item_id, kind, text in questions:
        if kind == "text":
            answer_field = field(form, text)
            answer_field.fill("She wants the children to stay with her.")
            answer_field.blur()
    choices = [(item_id, text) for item_id, kind, text in questions if kind != "text"]
    for number, (item_id, text) in enumerate(choices, start=1):
        answer = "yes" if item_id in DASH_YES else "unknown" if item_id in DASH_UNKNOWN else "no"
        choice = form.get_by_role("group", name=text, exact=True).get_by_label(answer, exact=True)
        if number < len(choices):
            choice.check()
        else:  # the last change: the autosave that carries it is the last one
            check_autosaved(page, choice)
    # The draft is saved while answering; the status line counts along.
    status = page.locator("#draft-status")
    expect(status).to_contain_text("score 11 with 1 unknown")
    expect(status).to_contain_text("Draft saved at")
    settle_htmx(page)

    with page.expect_navigation():
        form.get_by_role("button", name="Finalise", exact=True).click()
    police.expect_confirmed("A final assessment cannot be changed. Finalise?")
    police.expect_message("The assessment is final.")
    outcome = page.locator("dl.case-facts").filter(has=page.locator("dt", has_text="Professional judgement"))
    expect(outcome).to_contain_text("score 11 with 1 unknown")
    expect(outcome).to_contain_text("High risk")
    expect(outcome).to_contain_text("(raised by professional judgement)")
    expect(outcome).to_contain_text("Medium risk")  # the band from the instrument itself
    expect(outcome).to_contain_text(f"raised to High risk by {police.user.full_name}")
    expect(page.locator("main .risk-flag").filter(has_text="Strangulation reported")).to_have_count(1)
    expect(page.locator("main .risk-flag").filter(has_text="Threats to kill reported")).to_have_count(1)


def coordinator_confirms_the_weighing(coordinator: Persona, case: Case, world) -> CasePage:
    overview = open_case_from_list(coordinator, case.reference)
    overview.expect_stage("Risk weighing")
    expect(overview.fact("Risk level")).to_contain_text("not weighed yet")
    # The weighing step leads to the risk page, where the instruments' outcome is.
    step = overview.step_link("High risk: make a plan")
    expect(step).to_have_attribute("href", f"/cases/{case.pk}/risk/")
    with coordinator.page.expect_navigation():
        step.click()
    page = coordinator.page
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/risk/$"))
    expect(page.locator("main p.lead")).to_have_text("The assessments propose: High risk.")
    criteria = page.get_by_role("table", name="Referral criteria (any one is enough for high risk)")
    judgement = criteria.locator("tr").filter(has_text="Professional judgement")
    expect(judgement).to_contain_text("yes")
    expect(judgement).to_contain_text(f"Partner-violence risk checklist (DASH style): {MOTHER}")
    assessments = page.get_by_role("table", name="Every assessment of the case, newest first")
    expect(assessments.locator("tbody tr")).to_have_count(1)
    expect(assessments).to_contain_text(world.police.name)

    confirm = page.locator("main form").filter(
        has=page.get_by_role("button", name="Record the risk weighing")
    )
    level = confirm.get_by_role("group", name=re.compile("^Risk level"))
    expect(level.get_by_label("High", exact=True)).to_be_checked()  # as proposed
    field(confirm, "Reasoning of the team").fill(
        "The checklist gives medium; raised to high for strangulation and threats to kill. "
        "The team agrees: the chain approach goes on with a plan."
    )
    with page.expect_navigation():
        confirm.get_by_role("button", name="Record the risk weighing").click()
    coordinator.expect_confirmed("The weighing cannot be undone. Record it?")
    coordinator.expect_message("High risk: the team now makes a plan.")
    overview = CasePage(page)
    overview.expect_stage("Planning")
    expect(overview.fact("Risk level")).to_have_text("High")
    weighing = overview.decisions().locator("article.decision").filter(has_text="Risk weighing: High")
    expect(weighing).to_contain_text("raised to high for strangulation and threats to kill")
    return overview


def coordinator_makes_the_plan(coordinator: Persona, case: Case, world) -> None:
    """Goals per life domain, a direct safety measure, approval, a case director, and
    actions with deadlines under the goals."""
    overview = CasePage(coordinator.page)
    overview.tab("Plan")
    plan = PlanPage(coordinator.page)
    expect(plan.page.locator("main")).to_contain_text("There is no plan yet.")
    plan.start_draft()
    coordinator.expect_confirmed("Start a new draft version of the plan?")
    coordinator.expect_message("Draft of plan version 1 started.")
    expect(plan.approval).to_contain_text("The plan has no goals yet.")

    director = f"{world.case_director.full_name} · {world.welfare.name}"
    in_three_weeks = timezone.localdate() + timedelta(weeks=3)
    plan.add_goal(
        domain="Finances",
        goal="The mother applies for a living wage at the social welfare centre.",
        for_whom=MOTHER,
        organisation=world.welfare.name,
        professional=director,
        due=in_three_weeks,
    )
    coordinator.expect_message("Goal added.")
    plan.add_goal(
        domain="Children's development",
        goal="Lina gets trauma-focused help at school and at home.",
        for_whom=CHILD,
        organisation=world.welfare.name,
        professional=director,
        due=timezone.localdate() + timedelta(days=90),
    )
    coordinator.expect_message("Goal added.")
    plan.add_measure(
        kind="Direct safety",
        measure="Exclusion order extended; the father does not come home.",
        organisation=world.police.name,
        due=timezone.localdate() + timedelta(days=7),
    )
    coordinator.expect_message("Safety measure added.")
    goals = plan.draft.locator("table").first
    expect(goals.locator("tbody tr")).to_have_count(2)
    expect(goals.locator("tbody tr").filter(has_text="Finances")).to_contain_text("living wage")
    expect(goals.locator("tbody tr").filter(has_text="Children's development")).to_contain_text(
        world.case_director.full_name
    )
    expect(plan.approval).to_contain_text("The draft is complete and can be approved.")
    plan.approve(route="The coordinator")
    coordinator.expect_message("Plan version 1 is approved.")
    expect(plan.page.locator("main .message--warning")).to_contain_text(
        "Appoint a case director before execution starts."
    )

    # The case director, from the case page.
    overview = coordinator.case(case.pk)
    expect(overview.steps.locator("li", has_text="Start execution")).to_contain_text(
        "Appoint a case director before execution starts."
    )
    step = overview.appoint_director()
    step.field("Case director").select_option(label=director)
    step.field("Reason").fill("Welfare knows the mother best and already sees the daughter.")
    overview = step.send("Appoint")
    coordinator.expect_message(f"{world.case_director.full_name} is now the case director.")
    expect(overview.fact("Case director")).to_contain_text(world.case_director.full_name)
    expect(overview.step_link("Start execution")).to_be_visible()

    # Actions with owners and deadlines, under the goals.
    overview.tab("Execution")
    execution = ExecutionPage(coordinator.page)
    in_one_week = timezone.localdate() + timedelta(days=7)
    execution.add_action(
        action="Make an appointment at the social welfare centre with the mother.",
        goal="living wage",
        organisation=world.welfare.name,
        owner=director,
        due=in_one_week,
    )
    coordinator.expect_message("Action added.")
    execution.add_action(
        action="Refer Lina to the trauma centre.",
        goal="trauma-focused help",
        organisation=world.welfare.name,
        owner=director,
        due=in_three_weeks,
    )
    coordinator.expect_message("Action added.")
    first = execution.action_row("social welfare centre")
    expect(first).to_contain_text(world.case_director.full_name)
    expect(first.locator(".badge")).to_have_text("Open")
    expect(execution.action_row("trauma centre")).to_have_count(1)


def test_team_weighs_the_risk_with_an_instrument_and_makes_a_plan(persona):
    world = make_world()
    case = case_at(world, Stage.WEIGHING)
    # Starting data: the mother consents to sharing with every partner, so the police's
    # assessment of her reaches the coordination point.
    consent_services.consent_record(
        actor=world.coordinator,
        case=case,
        person=person(MOTHER),
        status=ConsentStatus.GIVEN,
        obtained_how=ObtainedHow.IN_PERSON,
    )

    police = persona("team member (police)", world.referrer).sign_in()
    police_assesses_the_mother_with_the_checklist(police, case)

    coordinator = persona("coordinator", world.coordinator).sign_in()
    coordinator_confirms_the_weighing(coordinator, case, world)
    coordinator_makes_the_plan(coordinator, case, world)
    for someone in (police, coordinator):
        someone.expect_no_script_errors()

    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert case.risk_level == "high"
    assert case.case_director == world.case_director
    assert case.actions.count() == 2
