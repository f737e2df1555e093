"""The case pages: access, registration with duplicate proposals, every step form (happy
and refused), optimistic locking, and query counts that do not grow with the data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ketenplan.audit.models import AuditEvent
from ketenplan.cases import navigation, services
from ketenplan.cases.models import (
    AdmissibilityDecision,
    Case,
    CaseMember,
    ClosureKind,
    MemberRole,
    Stage,
    Transition,
)
from ketenplan.cases.tests.factories import approve_plan, case_at, make_world, next_year, register
from ketenplan.persons.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world():
    return make_world()


def url(name: str, case: Case, *args) -> str:
    return reverse(f"cases:{name}", args=[case.pk, *args])


def text(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.stage, fresh.version, fresh.case_director_id, fresh.risk_level,
        Transition.objects.filter(case=case).count(), CaseMember.objects.filter(case=case).count(),
        fresh.participations.count(),
    )


CASE_PAGES = [
    "detail", "timeline", "member_add", "partner_add", "director", "admissibility", "intake_done",
    "dossier_ready", "start_execution", "close", "follow_up",
]


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", CASE_PAGES)
def test_outsiders_get_not_found_on_every_case_page(client, world, page):
    case = case_at(world, Stage.EXECUTION)
    before = snapshot(case)
    client.force_login(world.outsider)
    assert client.get(url(page, case)).status_code == 404
    # Pages that only show answer a POST with "method not allowed", whoever asks.
    expected = 405 if page in ("detail", "timeline") else 404
    assert client.post(url(page, case), {"version": case.version, "note": "x"}).status_code == expected
    assert snapshot(case) == before


def test_outsiders_get_not_found_on_member_roles(client, world):
    case = case_at(world, Stage.DOSSIER)
    member = case.members.first()
    client.force_login(world.outsider)
    assert client.get(url("member_roles", case, member.pk)).status_code == 404
    assert client.post(url("member_roles", case, member.pk), {"roles": ["relative"]}).status_code == 404
    assert CaseMember.objects.get(pk=member.pk).roles == member.roles


def test_a_member_of_another_case_is_not_found(client, world):
    case = case_at(world, Stage.DOSSIER)
    other = register(world)
    client.force_login(world.coordinator)
    assert client.get(url("member_roles", case, other.members.first().pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    case = register(world)
    response = client.get(url("detail", case))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "page"),
    [("referrer", "admissibility"), ("referrer", "intake_done"), ("referrer", "director"),
     ("team_member", "start_execution")],
)
def test_participants_without_the_role_are_refused(client, world, persona, page):
    stage = {"admissibility": Stage.REGISTERED, "intake_done": Stage.INTAKE}.get(page, Stage.PLANNING)
    case = case_at(world, stage)
    before = snapshot(case)
    client.force_login(getattr(world, persona))
    assert client.get(url(page, case)).status_code == 403
    assert client.post(url(page, case), {"version": case.version}).status_code == 403
    assert snapshot(case) == before


def test_the_menu_offers_cases_and_registration(client, world):
    client.force_login(world.referrer)
    page = client.get("/").content.decode()
    assert f'href="{reverse("cases:list")}"' in page
    assert f'href="{reverse("cases:register")}"' in page
    client.force_login(world.unsigned)  # no cooperation agreement: cannot register
    page = client.get("/").content.decode()
    assert f'href="{reverse("cases:list")}"' in page
    assert f'href="{reverse("cases:register")}"' not in page
    assert client.get(reverse("cases:register")).status_code == 403


# --- List -------------------------------------------------------------------------------------


def test_the_list_shows_only_cases_the_organisation_takes_part_in(client, world):
    mine = register(world, family_label="Family Peeters")
    other_world = make_world()
    theirs = register(other_world, family_label="Family Hidden")
    client.force_login(world.referrer)
    page = client.get(reverse("cases:list")).content.decode()
    assert mine.reference in page and "Family Peeters" in page
    assert theirs.reference not in page and "Family Hidden" not in page


def test_the_list_filters_searches_sorts_and_shows_repeats(client, world):
    first = register(world, family_label="Family Alpha")
    repeat = register(world, family_label="Family Beta", members=[
        services.MemberSpec(roles=[MemberRole.VICTIM], person=first.members.first().person)])
    assert repeat.is_repeat
    admitted = case_at(world, Stage.INTAKE, family_label="Family Gamma")
    client.force_login(world.coordinator)
    list_url = reverse("cases:list")

    page = client.get(list_url, {"repeat": "on"}).content.decode()
    assert "Family Beta" in page and "Family Alpha" not in page
    assert "badge--warning" in page  # the repeat badge

    page = client.get(list_url, {"stage": Stage.INTAKE}).content.decode()
    assert "Family Gamma" in page and "Family Alpha" not in page

    page = client.get(list_url, {"q": admitted.reference}).content.decode()
    assert "Family Gamma" in page and "Family Beta" not in page
    page = client.get(list_url, {"q": "alph"}).content.decode()
    assert "Family Alpha" in page and "Family Gamma" not in page

    page = client.get(list_url, {"sort": "family_label"}).content.decode()
    assert page.index("Family Alpha") < page.index("Family Beta") < page.index("Family Gamma")
    assert 'aria-sort="ascending"' in page and "sort=-family_label" in page
    page = client.get(list_url, {"sort": "-family_label"}).content.decode()
    assert page.index("Family Gamma") < page.index("Family Beta") < page.index("Family Alpha")


def _add_cases(world, count: int) -> None:
    """Many visible cases quickly: the list only reads them."""
    template = register(world)
    members = [services.MemberSpec(roles=[MemberRole.VICTIM], person=template.members.first().person)]
    for n in range(count - 1):
        case = register(world, family_label=f"Family {n}", members=members)
        if n % 3 == 0:
            services.case_director_appoint(actor=world.coordinator, case=case, professional=world.coordinator)


def test_the_list_costs_the_same_queries_for_10_and_60_cases(client, world, django_assert_num_queries):
    _add_cases(world, 10)
    client.force_login(world.coordinator)
    list_url = reverse("cases:list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url).status_code == 200
    _add_cases(world, 50)
    with django_assert_num_queries(len(few)):
        response = client.get(list_url)
    assert response.context["page"].paginator.count == 60


# --- Registration -----------------------------------------------------------------------------


def registration(members: list[dict], **overrides) -> dict:
    data = {
        "family_label": "Family El Amrani",
        "reason": "Neighbours called the police twice this month.",
        "violence_kinds": ["partner"],
        "crisis_measures": "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
    }
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    data.update(overrides)
    return data


SARAH = {"given_names": "Sarah", "family_name": "Elamrani", "birth_date": "1990-04-02", "roles": ["victim"]}


def test_registering_a_new_family(client, world):
    client.force_login(world.referrer)
    response = client.post(reverse("cases:register"), registration([
        {"given_names": "Els", "family_name": "Janssens", "birth_date": "1985-01-31", "roles": ["victim"]},
        {"given_names": "Bart", "family_name": "Janssens", "roles": ["alleged_perpetrator"]},
        {},  # an empty row is skipped
    ]))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert [m.person.full_name for m in case.members.order_by("pk")] == ["Els Janssens", "Bart Janssens"]
    assert case.registered_by == world.referrer and not case.is_repeat
    assert any(case.reference in m for m in shown_messages(response))


def test_registration_errors_are_summarised_and_nothing_is_created(client, world):
    client.force_login(world.referrer)
    response = client.post(reverse("cases:register"), registration(
        [{"given_names": "Els", "family_name": "", "national_number": "12345", "roles": []}],
        reason="", violence_kinds=[],
    ))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "national number has 11 digits" in page
    described = re.search(r'aria-describedby="([^"]*)" id="id_members-0-family_name"', page).group(1)
    assert "id_members-0-family_name_errors" in described.split()
    assert 'href="#id_violence_kinds"' in page
    assert not Case.objects.exists() and not Person.objects.exists()


def test_a_spelling_variant_is_proposed_and_linked(client, world):
    earlier = register(world)
    sara = Person.objects.get(given_names="Sara", family_name="El Amrani")
    persons = Person.objects.count()
    client.force_login(world.coordinator)

    response = client.post(reverse("cases:register"), registration([SARAH]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Possibly already known" in page
    assert "Sara El Amrani" in page and "spelling variant" in page
    assert f'value="{sara.pk}"' in page
    # Only what the matching returns: nothing of the earlier case.
    assert earlier.reference not in page and earlier.get_absolute_url() not in page
    assert earlier.reason not in page and "Kevin" not in page
    assert Case.objects.count() == 1

    response = client.post(reverse("cases:register"), registration(
        [SARAH], **{"members-0-proposed": "1", "members-0-person_choice": str(sara.pk)}
    ))
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302
    assert case.members.get().person == sara
    assert Person.objects.count() == persons
    assert case.is_repeat and case.repeat_of == earlier
    assert any("repeat" in m for m in shown_messages(response))


def test_choosing_a_new_person_creates_one(client, world):
    register(world)
    persons = Person.objects.count()
    client.force_login(world.coordinator)
    response = client.post(reverse("cases:register"), registration(
        [SARAH], **{"members-0-proposed": "1", "members-0-person_choice": "new"}
    ))
    assert response.status_code == 302
    assert Person.objects.count() == persons + 1
    case = Case.objects.latest("pk")
    assert case.members.get().person.given_names == "Sarah" and not case.is_repeat


def test_the_choice_is_required_once_proposals_were_shown(client, world):
    register(world)
    client.force_login(world.coordinator)
    response = client.post(reverse("cases:register"), registration([SARAH], **{"members-0-proposed": "1"}))
    assert response.status_code == 200
    assert "Choose whether this is one of the persons shown" in response.content.decode()
    assert Case.objects.count() == 1


def test_only_a_proposed_person_can_be_linked(client, world):
    earlier = register(world)
    unrelated = Person.objects.get(given_names="Kevin")
    client.force_login(world.coordinator)
    response = client.post(reverse("cases:register"), registration(
        [SARAH], **{"members-0-proposed": "1", "members-0-person_choice": str(unrelated.pk)}
    ))
    assert response.status_code == 200
    assert Case.objects.get() == earlier


def test_a_person_known_only_in_another_case_is_proposed_and_linked_when_typed_enough(client, world):
    """The outsider (addiction care) takes no part in the police's case: typing the
    mother's full name and date of birth proposes her, marked "known in another case",
    with nothing of that case, and linking her works; the proposal list is audited."""
    earlier = register(world)
    sara = Person.objects.get(given_names="Sara", family_name="El Amrani")
    persons = Person.objects.count()
    client.force_login(world.outsider)

    response = client.post(reverse("cases:register"), registration([SARAH]))
    page = text(response)
    assert response.status_code == 200
    assert "Sara El Amrani" in page and "known in another case" in page
    assert f'value="{sara.pk}"' in page
    for secret in (earlier.reference, earlier.get_absolute_url(), earlier.reason, "Kevin", "Lina", "Police"):
        assert secret not in page
    event = AuditEvent.objects.filter(action="person.search").latest("pk")
    assert event.actor == world.outsider
    assert event.detail == {"purpose": "case_registration", "hits": [sara.pk], "known_elsewhere": [sara.pk]}

    response = client.post(reverse("cases:register"), registration(
        [SARAH], **{"members-0-proposed": "1", "members-0-person_choice": str(sara.pk)}
    ))
    assert response.status_code == 302
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.members.get().person == sara
    assert Person.objects.count() == persons


def test_a_person_known_only_in_another_case_is_not_proposed_on_too_little(client, world):
    register(world)
    sara = Person.objects.get(given_names="Sara", family_name="El Amrani")
    client.force_login(world.outsider)
    panel = reverse("cases:person_proposals")

    for given, family, born in (
        ("Sara", "Janssens", "1990-04-02"),  # given name and date of birth
        ("Sara", "El Amrani", ""),  # the name alone
        ("Els", "El Amrani", "1990-04-02"),  # family name and date of birth
    ):
        response = client.get(panel, {
            "prefix": "members-0", "members-0-given_names": given, "members-0-family_name": family,
            "members-0-birth_date": born,
        })
        assert text(response).strip() == (
            '<p class="muted">No person found who may be the same.</p>'
        ), (given, family, born)

    # Registering with a given name and date of birth only: a new person, nothing proposed.
    response = client.post(reverse("cases:register"), registration(
        [{**SARAH, "family_name": "Janssens"}]
    ))
    assert response.status_code == 302
    assert not Case.objects.latest("pk").members.filter(person=sara).exists()


def test_another_family_member_row_keeps_the_input(client, world):
    client.force_login(world.referrer)
    response = client.post(reverse("cases:register"), registration([SARAH], add_member="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="members-TOTAL_FORMS" value="2"' in page and "members-1-given_names" in page
    assert 'value="Sarah"' in page and "error-summary" not in page
    assert not Case.objects.exists()


def test_the_live_proposal_panel_is_audited_without_personal_data(client, world):
    register(world)
    client.force_login(world.referrer)
    response = client.get(reverse("cases:person_proposals"), {
        "prefix": "members-0", "members-0-given_names": "Sarah", "members-0-family_name": "Elamrani",
        "members-0-birth_date": "1990-04-02",
    }, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sara El Amrani" in page and "<html" not in page
    event = AuditEvent.objects.filter(action="person.search").get()
    assert event.actor == world.referrer
    assert "Sarah" not in str(event.detail) and "Elamrani" not in str(event.detail)
    assert "1990" not in str(event.detail)

    response = client.get(
        reverse("cases:person_proposals"), {"prefix": "members-0", "members-0-family_name": "E"}
    )
    assert response.content.decode().strip() == ""
    assert AuditEvent.objects.filter(action="person.search").count() == 1


def test_the_live_proposal_panel_needs_the_right_to_register(client, world):
    client.force_login(world.unsigned)
    response = client.get(reverse("cases:person_proposals"), {"members-0-family_name": "Peeters"})
    assert response.status_code == 403


# --- The case page ----------------------------------------------------------------------------


def test_the_case_page_shows_members_partners_registration_steps_and_decisions(client, world):
    case = case_at(world, Stage.PLANNING)
    client.force_login(world.coordinator)
    page = client.get(url("detail", case)).content.decode()
    for text in ["Sara El Amrani", "Victim", "Police", "Operational team", case.reason,
                 "Admissible", "Risk weighing: High", "Strangulation reported"]:
        assert text in page
    assert "Start execution" in page and "step--unavailable" in page
    assert "The plan must be approved before execution starts." in page
    assert f'href="{url("director", case)}"' in page
    # Only organisations of the region with a signed agreement are offered as partners.
    assert world.shelter.name in page and world.unsigned_org.name not in page
    assert 'style="' not in page and "<script>" not in page


def test_steps_a_user_may_not_take_say_who_takes_them(client, world):
    case = register(world)
    client.force_login(world.referrer)
    page = client.get(url("detail", case)).content.decode()
    assert "This step is taken by the coordinator." in page
    assert f'href="{url("admissibility", case)}"' not in page


def test_the_repeat_badge_links_to_the_earlier_case_only_when_visible(client, world):
    earlier = register(world)
    person = earlier.members.first().person
    repeat = register(world, members=[services.MemberSpec(roles=[MemberRole.VICTIM], person=person)])
    client.force_login(world.referrer)
    page = client.get(url("detail", repeat)).content.decode()
    assert "Repeat" in page and f'href="{earlier.get_absolute_url()}"' in page

    # The same person registered by another region's police: the earlier case stays hidden.
    other = make_world()
    hidden = register(other, members=[services.MemberSpec(roles=[MemberRole.VICTIM], person=person)])
    client.force_login(other.referrer)
    page = client.get(url("detail", hidden)).content.decode()
    assert "Repeat" in page and f'href="{repeat.get_absolute_url()}"' not in page
    assert repeat.reference not in page


def test_the_tabs_leave_out_pages_that_do_not_exist(monkeypatch, world):
    case = register(world)
    monkeypatch.setattr(navigation, "TABS", [*navigation.TABS, ("later", "Later", "nowhere:page")])
    keys = [t["key"] for t in navigation.case_tabs(case, "timeline")]
    assert "later" not in keys and {"overview", "timeline"} <= set(keys)
    assert [t["key"] for t in navigation.case_tabs(case, "timeline") if t["active"]] == ["timeline"]


def test_changing_roles_and_adding_a_partner(client, world):
    case = case_at(world, Stage.DOSSIER)
    member = case.members.get(person__given_names="Lina")
    client.force_login(world.coordinator)
    response = client.post(url("member_roles", case, member.pk), {
        "version": case.version, "roles": ["child_victim", "child_witness"]})
    assert response.status_code == 302
    assert CaseMember.objects.get(pk=member.pk).roles == ["child_victim", "child_witness"]

    case.refresh_from_db()
    response = client.post(url("partner_add", case), {
        "version": case.version, "organisation": world.unsigned_org.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(url("partner_add", case), {
        "version": case.version, "organisation": world.shelter.pk, "reason": "Safe housing"})
    assert response.status_code == 302
    assert case.participations.filter(organisation=world.shelter, reason="Safe housing").exists()


def test_adding_a_family_member_proposes_known_persons(client, world):
    earlier = register(world)
    kevin = Person.objects.get(given_names="Kevin")
    case = register(world, family_label="Family Janssens", members=[
        services.MemberSpec(
            roles=[MemberRole.VICTIM], new_person={"given_names": "Els", "family_name": "Janssens"}
        )])
    client.force_login(world.referrer)
    data = {"member-version": case.version, "member-given_names": "Kevin", "member-family_name": "Pieters",
            "member-birth_date": "1987-11-20", "member-roles": ["alleged_perpetrator"]}
    response = client.post(url("member_add", case), data)
    assert response.status_code == 200 and "Kevin Peeters" in response.content.decode()
    response = client.post(url("member_add", case), {
        **data, "member-proposed": "1", "member-person_choice": str(kevin.pk)})
    assert response.status_code == 302
    assert case.members.filter(person=kevin).exists()
    case.refresh_from_db()
    assert case.is_repeat and case.repeat_of == earlier


# --- Step forms: happy and refused ------------------------------------------------------------


def admissibility_data(case: Case, met: str = "yes", advice: str = "") -> dict:
    data = {"version": case.version, "advice": advice}
    for criterion in AdmissibilityDecision.Criterion.values:
        data[f"{criterion}_met"] = met
        data[f"{criterion}_note"] = "Discussed in the team."
    return data


def post_step(client, page: str, case: Case, **data):
    # As the form sends once its data-confirm was answered (or the confirmation page).
    return client.post(url(page, case), {"version": case.version, "confirmed": "yes", **data})


def test_admissibility_form(client, world):
    case = register(world)
    client.force_login(world.coordinator)
    page = client.get(url("admissibility", case)).content.decode()
    assert "data-confirm" in page and "The family situation is very unsafe" in page

    response = client.post(url("admissibility", case), admissibility_data(case, met="no"))
    assert response.status_code == 200 and "Write the advice for the referrer." in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED

    response = client.post(url("admissibility", case), admissibility_data(case))
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert Case.objects.get(pk=case.pk).stage == Stage.INTAKE
    assert any("Admissible" in m for m in shown_messages(response))


def test_not_admissible_closes_with_advice(client, world):
    case = register(world)
    client.force_login(world.coordinator)
    response = client.post(url("admissibility", case), admissibility_data(case, met="no", advice="Ask CAW."))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closure_kind == ClosureKind.ADVICE


def test_admissibility_at_a_later_stage_is_refused_with_the_reason(client, world):
    case = case_at(world, Stage.INTAKE)
    before = snapshot(case)
    client.force_login(world.coordinator)
    assert "not possible while the case is at stage" in text(client.get(url("admissibility", case)))
    response = client.post(url("admissibility", case), admissibility_data(case))
    assert response.status_code == 200
    assert "This step is not possible while the case is at stage &#x27;Intake&#x27;." in text(response)
    assert snapshot(case) == before


SIMPLE_STEPS = [
    # page, stage it starts from, stage it reaches, persona
    ("intake_done", Stage.INTAKE, Stage.DOSSIER, "coordinator"),
    ("dossier_ready", Stage.DOSSIER, Stage.WEIGHING, "team_member"),
]


@pytest.mark.parametrize(("page", "start", "target", "persona"), SIMPLE_STEPS)
def test_simple_steps_happy_and_refused(client, world, page, start, target, persona):
    client.force_login(getattr(world, persona))
    wrong = case_at(world, Stage.PLANNING)
    before = snapshot(wrong)
    response = post_step(client, page, wrong, note="Done.")
    assert response.status_code == 200
    assert "not possible while the case is at stage" in response.content.decode()
    assert snapshot(wrong) == before

    case = case_at(world, start)
    response = post_step(client, page, case, note="Discussed on Tuesday.")
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == target
    assert case.transitions.latest("at", "id").reason == "Discussed on Tuesday."


def test_appointing_and_replacing_the_case_director(client, world):
    case = case_at(world, Stage.PLANNING)
    client.force_login(world.coordinator)
    page = client.get(url("director", case)).content.decode()
    # Names as the page writes them (a Flemish name like D'Hondt is HTML-escaped).
    assert escape(world.case_director.full_name) in page and escape(world.outsider.full_name) not in page

    response = post_step(client, "director", case, professional=world.outsider.pk)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()

    response = post_step(client, "director", case, professional=world.case_director.pk)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_director == world.case_director
    response = post_step(client, "director", case, professional=world.team_member.pk, reason="Leave")
    assert response.status_code == 302
    assert case.director_assignments.count() == 2


def test_start_execution_form(client, world):
    case = case_at(world, Stage.PLANNING)
    client.force_login(world.coordinator)
    response = post_step(client, "start_execution", case)
    assert response.status_code == 200
    assert "The plan must be approved before execution starts." in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING

    services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
    approve_plan(world, case)
    case.refresh_from_db()
    client.force_login(world.case_director)
    response = post_step(client, "start_execution", case)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.EXECUTION


def test_close_form_asks_to_confirm_open_information_requests(client, world):
    from ketenplan.dossier.models import InformationRequest

    case = case_at(world, Stage.EXECUTION)
    InformationRequest.objects.create(
        case=case, to_organisation=world.police, question="Incidents?", requested_by=world.coordinator,
        due_on=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(world.case_director)
    page = client.get(url("close", case)).content.decode()
    assert "confirm_open_requests" in page and "data-confirm" in page
    data = {"outcome": "goals_met", "note": "Goals met.", "follow_up_on": next_year().isoformat()}
    response = post_step(client, "close", case, **data)
    assert response.status_code == 200
    assert "information request(s) are still open" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.EXECUTION

    response = post_step(client, "close", case, confirm_open_requests="on", **data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closure.follow_up_on == next_year()


def test_close_refused_from_registration(client, world):
    case = register(world)
    client.force_login(world.coordinator)
    response = post_step(client, "close", case, outcome="family_moved")
    assert response.status_code == 200 and "not possible while the case is at stage" in text(response)
    assert Case.objects.get(pk=case.pk).stage == Stage.REGISTERED


def test_follow_up_form(client, world):
    open_case = case_at(world, Stage.EXECUTION)
    client.force_login(world.case_director)
    assert "The case is not closed yet." in client.get(url("follow_up", open_case)).content.decode()
    response = client.post(url("follow_up", open_case), {"note": "Quiet."})
    assert response.status_code == 200 and "only be recorded after the case is closed" in text(response)

    case = case_at(world, Stage.CLOSED)
    response = client.post(url("follow_up", case), {"note": "No new registration."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.closure.follow_up_note == "No new registration."
    response = client.post(url("follow_up", case), {"note": "Again."})
    assert response.status_code == 200 and "already recorded" in response.content.decode()


# --- Optimistic locking -----------------------------------------------------------------------


def test_a_stale_form_is_refused_with_who_changed_it_and_changes_nothing(client, world):
    case = case_at(world, Stage.INTAKE)
    stale_version = case.version
    services.participation_add(actor=world.coordinator, case=case, organisation=world.shelter)
    before = snapshot(case)
    client.force_login(world.coordinator)
    response = client.post(url("intake_done", case), {"version": stale_version, "note": "Done."})
    assert response.status_code == 409
    page = response.content.decode()
    assert f"This record was changed by {world.coordinator.full_name}" in page
    assert snapshot(case) == before
    # The form now carries the current version: after review, the retry goes through.
    current = Case.objects.get(pk=case.pk).version
    assert f'name="version" value="{current}"' in page
    response = client.post(url("intake_done", case), {"version": current, "note": "Done."})
    assert response.status_code == 302


@pytest.mark.parametrize("page", ["director", "partner_add", "member_roles"])
def test_stale_versions_conflict_on_the_other_forms_too(client, world, page):
    case = case_at(world, Stage.PLANNING)
    stale_version = case.version
    services.case_member_set_roles(
        actor=world.coordinator, member=case.members.first(), roles=[MemberRole.VICTIM, MemberRole.RELATIVE]
    )
    before = snapshot(case)
    client.force_login(world.coordinator)
    if page == "member_roles":
        target = url(page, case, case.members.last().pk)
        data = {"roles": ["relative"]}
    else:
        target = url(page, case)
        data = {"professional": world.case_director.pk, "organisation": world.shelter.pk}
    response = client.post(target, {"version": stale_version, **data})
    assert response.status_code == 409 and "changed by" in response.content.decode()
    assert snapshot(case) == before


# --- Timeline ---------------------------------------------------------------------------------


def _add_events(world, case: Case, n: int) -> None:
    from ketenplan.dossier.models import Contribution, InformationRequest
    from ketenplan.methods.models import LifeDomain
    from ketenplan.plans.models import Action, Contact, PoliceIntervention, Referral

    domain = LifeDomain.objects.order_by("order").first()
    person = case.members.first().person
    for i in range(n):
        Contribution.objects.create(
            case=case, about_person=person, life_domain=domain, organisation=world.police,
            author=world.referrer, text=f"Secret contribution text {i}", occurred_on=timezone.localdate(),
            source="Police report",
        )
        InformationRequest.objects.create(
            case=case, to_organisation=world.welfare, question=f"Secret question {i}",
            requested_by=world.coordinator, due_on=timezone.localdate() + timedelta(days=7),
        )
        Action.objects.create(
            case=case, description=f"Action {i}", owner=world.case_director, owner_organisation=world.welfare,
            due_on=timezone.localdate() + timedelta(days=14), created_by=world.coordinator,
        )
        contact = Contact.objects.create(
            case=case, kind=Contact.Kind.HOME_VISIT, at=timezone.now(), professional=world.case_director,
            organisation=world.welfare, summary=f"Secret contact summary {i}",
        )
        contact.with_persons.add(person)
        Referral.objects.create(
            case=case, person=person, service="Debt counselling", organisation=world.welfare,
            created_by=world.case_director,
        )
        PoliceIntervention.objects.create(
            case=case, occurred_on=timezone.localdate(), summary=f"Secret police summary {i}",
            recorded_by=world.referrer,
        )
        current = Case.objects.get(pk=case.pk).case_director
        services.case_director_appoint(
            actor=world.coordinator, case=case,
            professional=world.team_member if current == world.case_director else world.case_director,
        )


def test_the_timeline_shows_every_kind_of_event_without_content(client, world):
    case = case_at(world, Stage.EXECUTION)
    _add_events(world, case, 1)
    client.force_login(world.coordinator)
    page = client.get(url("timeline", case)).content.decode()
    for text in ["Registered", "Family member added: Sara El Amrani", "takes part",
                 "Admissibility decided: admissible", "Risk weighed: High", "Case director appointed",
                 "Plan version 1 approved", "Contribution on", "by Police", "Information requested from",
                 "Action for", "Contact with the family: Home visit", "Step: from Planning to Execution",
                 "Referral to Debt counselling", "Police intervention recorded"]:
        assert text in page, text
    assert "Secret" not in page


def test_the_timeline_costs_the_same_queries_for_few_and_many_events(
    client, world, django_assert_num_queries
):
    case = case_at(world, Stage.EXECUTION)
    _add_events(world, case, 1)
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("timeline", case)).status_code == 200
    _add_events(world, case, 15)
    with django_assert_num_queries(len(few)):
        response = client.get(url("timeline", case))
    assert len(response.context["events"]) >= 90


def test_the_case_page_costs_the_same_queries_for_small_and_large_families(
    client, world, django_assert_num_queries
):
    case = case_at(world, Stage.EXECUTION)
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("detail", case)).status_code == 200
    for i in range(8):
        relative = {"given_names": f"Relative{i}", "family_name": "Peeters"}
        services.case_member_add(actor=world.coordinator, case=case, spec=services.MemberSpec(
            roles=[MemberRole.RELATIVE], new_person=relative))
    services.participation_add(actor=world.coordinator, case=case, organisation=world.shelter)
    for professional in (world.team_member, world.coordinator, world.case_director):
        services.case_director_appoint(actor=world.coordinator, case=case, professional=professional)
    with django_assert_num_queries(len(few)):
        response = client.get(url("detail", case))
    assert len(response.context["members"]) == 11
