"""A case from registration to closure, through the browser, as the personas do it.

Only the starting data is made directly (``make_world()`` and an earlier case of the
mother); every step after that is clicked and typed through the real pages, after a
real sign-in with the second factor. Each persona has their own browser context, and
the test checks what that persona sees at each step: the stage in the case header, the
messages, the confirmations asked before irreversible steps, and what is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from ketenplan.cases.models import Case, MemberRole, Stage
from ketenplan.cases.services import MemberSpec
from ketenplan.cases.tests.factories import make_world, register
from ketenplan.persons.models import Person

from .pages import CasePage, ExecutionPage, Persona, RiskPage, iso

pytestmark = [pytest.mark.browser]

MOTHER = {"given": "Sara", "family": "El Amrani", "born": date(1990, 4, 2)}
FATHER = {"given": "Kevin", "family": "Peeters", "born": date(1987, 11, 20)}
CHILD = {"given": "Lina", "family": "Peeters", "born": date(2017, 6, 9)}
CRITERIA = [
    "The family situation is very unsafe",
    "So complex that it needs",
    "Problems in several life domains",
    "Help is stuck",
]


def full_name(member: dict) -> str:
    return f"{member['given']} {member['family']}"


# --- Starting data ------------------------------------------------------------------------


def earlier_case_of_the_mother(world) -> Case:
    """Welfare registered the mother with another family half a year ago."""
    return register(
        world,
        actor=world.team_member,
        family_label="Family El Amrani",
        reason="Neighbours heard fighting; the mother asked welfare for help.",
        members=[
            MemberSpec(
                roles=[MemberRole.VICTIM],
                new_person={
                    "given_names": MOTHER["given"],
                    "family_name": MOTHER["family"],
                    "birth_date": MOTHER["born"],
                },
            )
        ],
    )


# --- The steps, one persona at a time -----------------------------------------------------


def police_registers_the_family(referrer: Persona) -> CasePage:
    registration = referrer.registration()
    registration.fill_registration(
        family="Family Peeters",
        reason="Third police call-out this year; the daughter saw her father strangle her mother.",
        violence=["Partner violence", "Child abuse"],
        crisis="Temporary exclusion order for the father (10 days).",
    )
    registration.fill_member(1, given=MOTHER["given"], family=MOTHER["family"], born=MOTHER["born"],
                             roles=["Victim"])
    # While typing, the page already proposes the mother known from the earlier case.
    expect(registration.proposals_while_typing(1)).to_contain_text("1 person who may already be known")
    expect(registration.proposals_while_typing(1)).to_contain_text(full_name(MOTHER))
    registration.fill_member(2, given=FATHER["given"], family=FATHER["family"], born=FATHER["born"],
                             roles=["Alleged perpetrator"])
    registration.fill_member(3, given=CHILD["given"], family=CHILD["family"], born=CHILD["born"],
                             roles=["Child (witness)"])
    for number in (2, 3):
        expect(registration.proposals_while_typing(number)).to_have_text(
            "No person found who may be the same."
        )
    registration.register()

    # Not registered yet: first the choice between the known person and a new one.
    expect(referrer.page.locator("main .message--warning")).to_contain_text(
        "Some family members may already be known"
    )
    expect(registration.member(1).locator(".proposals")).to_contain_text(
        f"Same person: {full_name(MOTHER)}"
    )
    expect(registration.member(2).locator(".proposals")).to_have_count(0)
    registration.choose_same_person(1, full_name(MOTHER))
    registration.register()

    case = referrer.case()
    referrer.expect_message("Family registered as case")
    referrer.expect_message("This is a repeat registration")
    case.expect_stage("Registered")
    expect(case.fact("Registration")).to_contain_text("Repeat")
    members = case.members_table()
    expect(members).to_contain_text(f"{full_name(MOTHER)}")
    expect(members.locator("tbody tr")).to_have_count(3)
    expect(members.locator("tr", has_text=full_name(FATHER))).to_contain_text("Alleged perpetrator")
    expect(members.locator("tr", has_text=full_name(CHILD))).to_contain_text("Child (witness)")
    # The next step is the coordinator's, not the police officer's.
    expect(case.steps).to_contain_text("This step is taken by the coordinator.")
    expect(case.step_link("Admissible: start intake")).to_have_count(0)
    return case


def coordinator_finds_the_registration(coordinator: Persona, reference: str) -> CasePage:
    """Signed in, the coordinator's "My work" lists the registration, marked as a repeat."""
    waiting = coordinator.worklist("Registrations waiting for an admissibility decision")
    expect(waiting.locator("li", has_text=reference)).to_contain_text("Family Peeters")
    expect(waiting.locator("li", has_text=reference)).to_contain_text("Repeat")
    case = coordinator.open_from_worklist("Registrations waiting for an admissibility decision", reference)
    case.expect_stage("Registered")
    return case


def coordinator_decides_admissibility(coordinator: Persona, case: CasePage) -> None:
    step = case.take_step("Admissible: start intake")
    for criterion in CRITERIA:
        step.answer_criterion(criterion, met=True, note=f"Yes: discussed with the police ({criterion[:20]}).")
    case = step.send("Record the decision")
    coordinator.expect_confirmed("The decision cannot be undone. Record it?")
    coordinator.expect_message("Admissible: the case moves on to intake.")
    case.expect_stage("Intake")
    decision = case.decisions().locator("article.decision").first
    expect(decision.locator("h3")).to_contain_text("Admissible")
    expect(decision.locator("tbody tr")).to_have_count(len(CRITERIA))
    expect(decision.locator("tbody tr").filter(has_text="Yes: discussed with the police")).to_have_count(
        len(CRITERIA)
    )
    # The core partners joined as the operational team.
    expect(case.partners_table()).to_contain_text("Welfare")


def coordinator_marks_intake_done(coordinator: Persona, case: CasePage) -> None:
    step = case.take_step("Intake done: build the dossier")
    step.field("Note").fill("Team read the file in today's meeting.")
    case = step.send("Intake done: build the dossier")
    coordinator.expect_confirmed("Move the case on to the dossier? This cannot be undone.")
    coordinator.expect_message("Intake done: the partners now build the dossier.")
    case.expect_stage("Dossier")


def partner_adds_to_the_dossier(partner: Persona, case_id: int, *, domain: str, about: str | None,
                                source: str, text: str) -> None:
    dossier = partner.dossier(case_id)
    dossier.expect_stage("Dossier")
    dossier.add_contribution(domain=domain, about=about, source=source, text=text)
    partner.expect_message("Your contribution was added to the dossier.")
    expect(dossier.domain_section(domain)).to_contain_text(text)


def coordinator_marks_dossier_ready(coordinator: Persona, case_id: int) -> CasePage:
    case = coordinator.case(case_id)
    step = case.take_step("Dossier ready for risk weighing")
    case = step.send("Dossier ready for risk weighing")
    coordinator.expect_confirmed("Move the case on to the risk weighing? This cannot be undone.")
    coordinator.expect_message("The dossier is ready for the risk weighing.")
    case.expect_stage("Risk weighing")
    return case


NO_FINAL_ASSESSMENT = "Finalise at least one assessment before the team weighs the risk."
DASH = "Partner-violence risk checklist (DASH style)"
# The mother's answers that are "yes" (15: high risk, 14 or more), and one she does not know.
YES = (
    "Was the victim injured", "Is the victim very frightened", "Is the victim afraid of",
    "Does the victim feel cut off", "Has there been a separation", "Is there conflict over contact",
    "Is the abuse happening more often", "Is the abuse getting worse",
    "Does the other person try to control", "Has the other person threatened to kill",
    "Has the other person ever tried to strangle", "Has the other person hurt others",
    "Are there money problems", "Does the other person have problems",
    "Is the other person known to the police",
)
DASH_ANSWERS = dict.fromkeys(YES, "yes") | {"Has the other person broken an exclusion order": "unknown"}


def coordinator_weighs_high_risk(coordinator: Persona, case: CasePage) -> None:
    """The weighing rests on a structured instrument: the coordinator goes through the
    DASH-style checklist with the mother, finalises it, and the team confirms the
    proposed level on the risk page."""
    expect(case.fact("Risk level")).to_contain_text("not weighed yet")
    # Both weighing steps lead to the risk page and say what is missing.
    for label in ("High risk: make a plan", "Low or medium risk: close with advice"):
        expect(case.steps.locator("li", has_text=label)).to_contain_text(NO_FINAL_ASSESSMENT)
    risk = case.take_risk_step("High risk: make a plan")
    expect(risk.proposal).to_contain_text("No final assessment yet: the system cannot propose a level.")

    # Confirming on nothing is refused, and the case stays where it is.
    risk.confirm_weighing(level="High", reasoning="The mother fears being killed.")
    coordinator.expect_confirmed("The weighing cannot be undone. Record it?")
    expect(risk.errors()).to_contain_text(NO_FINAL_ASSESSMENT)
    risk.expect_stage("Risk weighing")

    assessment = risk.start_assessment(instrument=DASH, about=full_name(MOTHER))
    assessment.write("What else does the victim want to say?", "She wants Lina kept out of the court case.")
    assessment.answer_all("no", except_for=DASH_ANSWERS)
    assessment.expect_draft_status("0 questions still to answer")
    assessment.finalise()
    coordinator.expect_confirmed("A final assessment cannot be changed. Finalise?")
    coordinator.expect_message("The assessment is final.")
    expect(assessment.page.locator("main")).to_contain_text("score 15 with 1 unknown")

    assessment.tab("Risk")
    risk = RiskPage(assessment.page)
    expect(risk.proposal).to_contain_text("The assessments propose: High risk.")
    expect(risk.proposal.locator("tr", has_text="Visible high risk")).to_contain_text("yes")
    case = risk.confirm_weighing(
        level="High",
        reasoning="DASH 15 with strangulation and threats to kill; the mother fears being killed.",
    )
    coordinator.expect_confirmed("The weighing cannot be undone. Record it?")
    coordinator.expect_message("High risk: the team now makes a plan.")
    case.expect_stage("Planning")
    expect(case.fact("Risk level")).to_have_text("High")
    expect(case.decisions()).to_contain_text("DASH 15 with strangulation")


def coordinator_makes_and_approves_the_plan(coordinator: Persona, case_id: int, world, due: date) -> None:
    plan = coordinator.plan(case_id)
    plan.expect_stage("Planning")
    expect(plan.page.locator("main")).to_contain_text("There is no plan yet.")
    plan.start_draft()
    coordinator.expect_confirmed("Start a new draft version of the plan?")
    coordinator.expect_message("Draft of plan version 1 started.")
    expect(plan.approval).to_contain_text("The plan has no goals yet.")

    director = f"{world.case_director.full_name} · {world.welfare.name}"
    plan.add_goal(domain="Safety", goal="Mother and daughter live safely at home; no new incident.",
                  for_whom=full_name(MOTHER), organisation=world.welfare.name, professional=director, due=due)
    coordinator.expect_message("Goal added.")
    plan.add_goal(domain="Household relationships and parenting",
                  goal="Lina gets trauma-focused help and a safe contact arrangement with her father.",
                  for_whom=full_name(CHILD), organisation=world.welfare.name, professional=director, due=due)
    coordinator.expect_message("Goal added.")
    plan.add_measure(kind="Direct safety", measure="Exclusion order extended; the father does not come home.",
                     organisation=world.police.name, due=timezone.localdate() + timedelta(days=10))
    coordinator.expect_message("Safety measure added.")
    goals = plan.draft.locator("table").first
    expect(goals.locator("tbody tr")).to_have_count(2)
    expect(goals).to_contain_text("Safety")
    expect(goals).to_contain_text("Household relationships and parenting")
    expect(plan.approval).to_contain_text("The draft is complete and can be approved.")

    plan.approve(route="The coordinator")
    coordinator.expect_confirmed(
        "Approve this plan version? An approved version cannot be changed any more; "
        "the version in force before it is superseded."
    )
    coordinator.expect_message("Plan version 1 is approved.")
    expect(plan.page.locator("main")).to_contain_text("Version 1 is in force")
    # Execution waits for a case director.
    expect(plan.page.locator("main .message--warning")).to_contain_text(
        "Appoint a case director before execution starts."
    )
    # Approval scheduled the method's evaluations (Ketenaanpak: 1, 4 and 10 months).
    plan.tab("Execution")
    evaluations = ExecutionPage(plan.page).evaluations_table()
    expect(evaluations.locator("tbody tr")).to_have_count(3)
    for name in ("First evaluation (1 month)", "Second evaluation (4 months)",
                 "Third evaluation (10 months)"):
        expect(evaluations).to_contain_text(name)


def coordinator_appoints_the_case_director(coordinator: Persona, case_id: int, world) -> None:
    case = coordinator.case(case_id)
    expect(case.fact("Case director")).to_contain_text("not appointed yet")
    # Execution cannot start yet, and the case page says why.
    expect(case.steps.locator("li", has_text="Start execution")).to_contain_text(
        "Appoint a case director before execution starts."
    )
    step = case.appoint_director()
    step.field("Case director").select_option(label=f"{world.case_director.full_name} · {world.welfare.name}")
    step.field("Reason").fill("Welfare knows the mother best.")
    case = step.send("Appoint")
    coordinator.expect_message(f"{world.case_director.full_name} is now the case director.")
    expect(case.fact("Case director")).to_contain_text(world.case_director.full_name)
    case.expect_stage("Planning")


def director_starts_execution(director: Persona, reference: str) -> CasePage:
    """Signed in, the case director finds the case under "Cases you direct"."""
    directed = director.worklist("Cases you direct").locator("li", has_text=reference)
    expect(directed).to_contain_text("Planning")
    case = director.open_from_worklist("Cases you direct", reference)
    case.expect_stage("Planning")
    step = case.take_step("Start execution")
    case = step.send("Start execution")
    director.expect_confirmed("Start carrying out the plan?")
    director.expect_message("Execution started.")
    case.expect_stage("Execution")
    return case


def director_runs_the_plan(director: Persona, case_id: int, world) -> None:
    execution = director.execution(case_id)
    execution.expect_stage("Execution")
    expect(execution.page.locator("main")).to_contain_text("Next evaluation: First evaluation (1 month)")

    execution.add_action(
        action="Arrange an intake at the trauma centre for Lina.",
        goal="Household relationships and parenting",
        organisation=world.welfare.name,
        owner=f"{world.case_director.full_name} · {world.welfare.name}",
        due=timezone.localdate() + timedelta(days=14),
    )
    director.expect_message("Action added.")
    row = execution.action_row("Arrange an intake at the trauma centre")
    expect(row.locator(".badge")).to_have_text("Open")
    execution.set_action_status(row, "Done")
    expect(row.locator(".badge")).to_have_text("Done")

    execution.log_contact(kind="Home visit", with_whom=[full_name(MOTHER), full_name(CHILD)],
                          summary="Home visit: the mother feels safer; Lina sleeps better.")
    director.expect_message("Contact recorded.")
    contacts = execution.contacts_table()
    expect(contacts).to_contain_text("Home visit")
    expect(contacts).to_contain_text(f"{full_name(MOTHER)}, {full_name(CHILD)}")
    expect(contacts).to_contain_text(world.case_director.full_name)


def director_holds_an_evaluation(director: Persona, case_id: int) -> None:
    execution = director.execution(case_id)
    execution.hold_evaluation(
        summary="The exclusion order holds; no new incidents. Lina started trauma care.",
        progress={"Safety": "On track", "Household relationships and parenting": "On track"},
        decision="Continue the plan",
    )
    director.expect_confirmed(
        "Record this evaluation? It cannot be changed afterwards; a decision for a new plan "
        "version or to close the case is carried out at once."
    )
    director.expect_message("Evaluation recorded.")
    first = execution.evaluations_table().locator("tbody tr").first
    expect(first).to_contain_text("First evaluation (1 month)")
    expect(first).to_contain_text("Continue the plan")
    execution.expect_stage("Execution")


def director_closes_the_case(director: Persona, case_id: int, follow_up: date) -> None:
    case = director.case(case_id)
    step = case.take_step("Close the case")
    step.choose("Goals met")
    step.field("Note").fill("Goals met: the family lives safely; help continues through welfare.")
    step.field("Follow-up on").fill(iso(follow_up))
    case = step.send("Close the case")
    director.expect_confirmed("Closing cannot be undone: a new registration would be needed. Close the case?")
    director.expect_message("The case is closed.")
    case.expect_stage("Closed")
    closure = case.decisions().locator("article.decision").last
    expect(closure).to_contain_text("Goals met")
    with translation.override("en"):
        expect(closure).to_contain_text(f"planned on {date_format(follow_up, 'SHORT_DATE_FORMAT')}")
    expect(case.page.locator("section[aria-labelledby=steps-heading]")).to_contain_text(
        "The case is closed."
    )
    # The timeline tells every step, in order.
    case.tab("Timeline")
    assert case.timeline_steps() == [
        "Step: from Registered to Intake",
        "Step: from Intake to Dossier",
        "Step: from Dossier to Risk weighing",
        "Step: from Risk weighing to Planning",
        "Step: from Planning to Execution",
        "Step: from Execution to Closed",
    ]


def outsider_sees_nothing(outsider: Persona, case_id: int, reference: str) -> None:
    """A professional of an organisation outside the case: "not found", everywhere."""
    expect(outsider.page.locator("main")).not_to_contain_text(reference)  # "My work"
    for path in (f"/cases/{case_id}/", f"/cases/{case_id}/dossier/", f"/cases/{case_id}/plan/"):
        response = outsider.page.goto(path)
        assert response.status == 404, path
        expect(outsider.page.locator("body")).not_to_contain_text("Family Peeters")
        expect(outsider.page.locator("body")).not_to_contain_text(reference)
    cases = outsider.case_list()
    expect(cases.row_for(reference)).to_have_count(0)
    expect(outsider.page.locator("main")).not_to_contain_text("Family Peeters")


# --- The journey --------------------------------------------------------------------------


def test_a_case_from_registration_to_closure(persona):
    world = make_world()
    earlier = earlier_case_of_the_mother(world)
    persons_before = Person.objects.count()
    due = timezone.localdate() + timedelta(days=120)

    referrer = persona("referrer (police)", world.referrer).sign_in()
    case = police_registers_the_family(referrer)
    case_id, reference = case.case_id, case.reference
    # The mother was linked, not created again: two new persons for a family of three.
    assert Person.objects.count() == persons_before + 2
    assert earlier.reference != reference

    coordinator = persona("coordinator", world.coordinator).sign_in()
    case = coordinator_finds_the_registration(coordinator, reference)
    coordinator_decides_admissibility(coordinator, case)
    coordinator_marks_intake_done(coordinator, case)

    team_member = persona("team member (welfare)", world.team_member).sign_in()
    partner_adds_to_the_dossier(
        team_member, case_id, domain="Household relationships and parenting", about=full_name(CHILD),
        source="School social worker, conversation of last Monday",
        text="Lina is withdrawn at school and afraid to go home.",
    )
    # About the family as a whole: what concerns one person reaches other organisations
    # only with that person's consent or a legal basis (the consent journeys' subject).
    partner_adds_to_the_dossier(
        referrer, case_id, domain="Safety", about=None,
        source="Police report of the call-out",
        text="Third call-out this year; the father was arrested and an exclusion order imposed.",
    )
    # Each partner sees the other's contribution.
    dossier = team_member.dossier(case_id)
    expect(dossier.domain_section("Safety")).to_contain_text("the father was arrested")

    case = coordinator_marks_dossier_ready(coordinator, case_id)
    coordinator_weighs_high_risk(coordinator, case)
    coordinator_makes_and_approves_the_plan(coordinator, case_id, world, due)
    coordinator_appoints_the_case_director(coordinator, case_id, world)

    director = persona("case director (welfare)", world.case_director).sign_in()
    director_starts_execution(director, reference)
    director_runs_the_plan(director, case_id, world)
    director_holds_an_evaluation(director, case_id)
    director_closes_the_case(director, case_id, follow_up=timezone.localdate() + timedelta(days=180))

    outsider = persona("outsider (addiction care)", world.outsider).sign_in()
    outsider_sees_nothing(outsider, case_id, reference)

    stages = list(Case.objects.get(pk=case_id).transitions.order_by("at").values_list("to_stage", flat=True))
    assert stages == [Stage.REGISTERED, Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING,
                      Stage.EXECUTION, Stage.CLOSED]
    for someone in (referrer, coordinator, team_member, director, outsider):
        someone.expect_no_script_errors()
