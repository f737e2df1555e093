"""The pages: access on every URL (outsiders get "not found"), the flows through the
forms, htmx draft saving, the query count of the risk page, strict CSP, the admin."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.cases.models import Stage
from ketenplan.core.tests.urlwalk import all_routes
from ketenplan.risk import services
from ketenplan.risk.models import Assessment, Instrument, InstrumentVersion, RegionInstrument

from .helpers import answers_for_score, shipped, shipped_text
from .test_schema import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(world, case, victim, dash):
    return services.assessment_start(actor=world.team_member, case=case, instrument=dash, member=victim)


@pytest.fixture
def guide(world):
    return services.guide_start(actor=world.team_member, title="Pupil group 5")


def route_paths(case, assessment, guide) -> dict[str, str]:
    """Every route of the risk and reporting-code pages, with real ids."""
    paths = {}
    for route in all_routes():
        if route.namespace in ("risk", "reporting"):
            kwargs = {}
            if "<int:case_id>" in route.route:
                kwargs["case_id"] = case.pk
            if "<int:pk>" in route.route:
                kwargs["pk"] = guide.pk if route.namespace == "reporting" else assessment.pk
            paths[route.name] = reverse(route.name, kwargs=kwargs)
    return paths


def test_the_walk_finds_every_page(case, assessment, guide):
    assert set(route_paths(case, assessment, guide)) == {
        "risk:case_risk", "risk:assessment_new", "risk:weighing_confirm", "risk:assessment",
        "risk:assessment_edit", "risk:assessment_autosave", "risk:assessment_judge",
        "reporting:guides", "reporting:guide", "reporting:consultation_add", "reporting:decide",
        "reporting:summary",
    }


POST_ONLY = {"risk:assessment_new", "risk:weighing_confirm", "risk:assessment_autosave",
             "risk:assessment_judge", "reporting:consultation_add", "reporting:decide"}


GET_ONLY = {"risk:case_risk", "risk:assessment", "reporting:summary"}


def assert_not_found(client, name, path):
    """"Not found" for every method the URL answers; a method it does not answer gets 405
    (before anything is looked up, so it reveals nothing)."""
    assert client.post(path).status_code == (405 if name in GET_ONLY else 404), (name, "POST")
    assert client.get(path).status_code == (405 if name in POST_ONLY else 404), (name, "GET")


def test_outsiders_get_not_found_on_every_risk_page(client, world, case, assessment, guide):
    """A partner that takes no part in the case: 404 for every case URL."""
    client.force_login(world.outsider)
    names = [n for n in route_paths(case, assessment, guide) if n.startswith("risk:")]
    assert len(names) == 7
    for name in names:
        assert_not_found(client, name, route_paths(case, assessment, guide)[name])


def test_other_organisations_get_not_found_on_every_guide_page(client, world, case, assessment, guide):
    client.force_login(world.referrer)  # police: takes part in the case, but the guide is welfare's
    names = [n for n in route_paths(case, assessment, guide)
             if n.startswith("reporting:") and n != "reporting:guides"]
    assert len(names) == 4
    for name in names:
        assert_not_found(client, name, route_paths(case, assessment, guide)[name])


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, case, assessment, guide):
    for name, path in route_paths(case, assessment, guide).items():
        response = client.get(path)
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], name


def test_analysts_may_not_use_either(client, world, case, assessment, guide):
    client.force_login(world.analyst)
    assert client.get(reverse("risk:case_risk", args=[case.pk])).status_code == 403
    assert client.get(reverse("reporting:guides")).status_code == 403


def test_every_page_opens_for_who_may_see_it(client, world, case, assessment, guide, english):
    client.force_login(world.team_member)
    for name in ("risk:case_risk", "risk:assessment", "risk:assessment_edit", "reporting:guides",
                 "reporting:guide", "reporting:summary"):
        path = route_paths(case, assessment, guide)[name]
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        # Strict CSP: no inline script or style anywhere on our pages.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name
        assert not re.search(r"\sstyle=", html), name
        assert "<style" not in html, name
        # Accessible forms: every element id once, so labels and descriptions point right.
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))


# --- The risk page and the assessment forms -----------------------------------------------


def form_data(assessment, answers, **extra):
    data = {f"item_{k}": v for k, v in answers.items() if v != "unknown" or assessment.definition.items[k][
        "type"] != "number"}
    return data | {"version": assessment.version, "note": ""} | extra


def test_starting_an_assessment_from_the_risk_page(client, world, case, victim, dash):
    client.force_login(world.referrer)
    response = client.post(reverse("risk:assessment_new", args=[case.pk]),
                           {"instrument": dash.pk, "member": victim.pk})
    assessment = Assessment.objects.get(case=case)
    assert response["Location"] == reverse("risk:assessment_edit", args=[case.pk, assessment.pk])
    assert assessment.organisation == world.police


def test_htmx_saves_the_draft_and_swaps_the_version(client, world, case, assessment, english):
    client.force_login(world.team_member)
    url = reverse("risk:assessment_autosave", args=[case.pk, assessment.pk])
    response = client.post(url, form_data(assessment, {"injury": "yes", "stalking": "unknown"}),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assessment.refresh_from_db()
    assert assessment.answers == {"injury": "yes", "stalking": "unknown"}
    assert "score 1 with 1 unknown" in html
    assert f'name="version" value="{assessment.version}" id="id_version" hx-swap-oob="true"' in html
    stale = client.post(url, form_data(assessment, {"injury": "no"}, version=1), HTTP_HX_REQUEST="true")
    assert "changed by" in stale.content.decode()


def test_finalising_an_incomplete_form_keeps_the_answers_as_a_draft(client, world, case, assessment, english):
    client.force_login(world.team_member)
    url = reverse("risk:assessment_edit", args=[case.pk, assessment.pk])
    response = client.post(url, form_data(assessment, {"injury": "yes"}, finalise="1"))
    assert response.status_code == 400
    assert "23 question(s) are not answered yet" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answers == {"injury": "yes"}


def test_finalising_shows_score_with_unknown_on_the_pages(client, world, case, assessment, english):
    client.force_login(world.team_member)
    answers = answers_for_score(shipped("dash"), 12, unknown=5)
    url = reverse("risk:assessment_edit", args=[case.pk, assessment.pk])
    response = client.post(url, form_data(assessment, answers, finalise="1"))
    assert response.status_code == 302
    assert "score 12 with 5 unknown" in client.get(response["Location"]).content.decode()
    # A final assessment is read, not edited: its edit page leads to it.
    assert client.get(url)["Location"] == response["Location"]
    assert client.post(url, form_data(assessment, answers)).status_code == 404
    assert "score 12 with 5 unknown" in client.get(reverse("risk:case_risk", args=[case.pk])).content.decode()


def test_judgement_through_the_page_refuses_a_missing_reason(client, world, case, assessment, english):
    done = services.assessment_finalise(actor=world.team_member, assessment=assessment,
                                        answers=answers_for_score(shipped("dash"), 2))
    client.force_login(world.team_member)
    url = reverse("risk:assessment_judge", args=[case.pk, done.pk])
    refused = client.post(url, {"band": "high", "reason": "", "version": done.version})
    assert refused.status_code == 400
    ok = client.post(url, {"band": "high", "reason": "Threats to kill.", "version": done.version})
    assert ok.status_code == 302
    done.refresh_from_db()
    assert done.final_band == "high"


def test_confirming_the_weighing_from_the_risk_page(client, world, case, assessment, english):
    services.assessment_finalise(actor=world.team_member, assessment=assessment,
                                 answers=answers_for_score(shipped("dash"), 15))
    client.force_login(world.coordinator)
    page = client.get(reverse("risk:case_risk", args=[case.pk])).content.decode()
    assert "The assessments propose: <strong>High</strong> risk." in page
    url = reverse("risk:weighing_confirm", args=[case.pk])
    low = client.post(url, {"level": "low", "reasoning": "x", "advice": "y", "version": case.version,
                            "confirmed": "yes"})
    assert low.status_code == 400 and "never lower" in low.content.decode()
    ok = client.post(url, {"level": "high", "reasoning": "DASH 15.", "version": case.version,
                           "confirmed": "yes"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING


def test_the_confirm_form_is_only_shown_at_the_weighing_stage_to_the_team(client, world, case, english):
    client.force_login(world.case_director)  # takes part, may assess, does not weigh
    url = reverse("risk:case_risk", args=[case.pk])
    assert "Confirm the weighing" not in client.get(url).content.decode()
    client.force_login(world.coordinator)
    assert "Confirm the weighing" in client.get(url).content.decode()


def test_the_trend_shows_changed_answers(client, world, case, victim, dash, english):
    first = services.assessment_start(actor=world.team_member, case=case, instrument=dash, member=victim)
    first = services.assessment_finalise(actor=world.team_member, assessment=first,
                                         answers=answers_for_score(shipped("dash"), 2))
    second = services.assessment_start(actor=world.team_member, case=case, instrument=dash, member=victim)
    services.assessment_finalise(actor=world.team_member, assessment=second,
                                 answers=first.answers | {"stalking": "yes"})
    client.force_login(world.coordinator)
    html = client.get(reverse("risk:case_risk", args=[case.pk])).content.decode()
    assert "1 answer changed since the assessment before" in html
    assert "<del>no</del> → <ins>yes</ins>" in html


def make_assessments(world, case, count):
    members = list(case.members.all())
    instruments = list(Instrument.objects.select_related("current_version"))
    for n in range(count):
        a = services.assessment_start(actor=world.team_member, case=case, instrument=instruments[n % 4],
                                      member=members[n % len(members)])
        if n % 2:
            services.assessment_finalise(actor=world.team_member, assessment=a,
                                         answers=answers_for_score(a.definition, 1))


def test_the_risk_page_query_count_does_not_grow_with_assessments(client, world, case,
                                                                  django_assert_max_num_queries):
    client.force_login(world.coordinator)
    make_assessments(world, case, 2)
    url = reverse("risk:case_risk", args=[case.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make_assessments(world, case, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    with django_assert_max_num_queries(QUERIES_ON_RISK_PAGE):
        client.get(url)


# Pinned: session, user, roles, MFA check, case, sharing (consent) map, assessments,
# withheld count, profile, police interventions, members (+persons), region choice,
# instruments, the header's organisation, the read-audit row (+ savepoint, session).
# Change consciously.
QUERIES_ON_RISK_PAGE = 18


# --- The reporting-code pages -------------------------------------------------------------


def test_a_guide_from_start_to_printable_summary(client, world, english):
    client.force_login(world.team_member)
    response = client.post(reverse("reporting:guides"),
                           {"title": "Pupil group 5", "violence_kinds": ["child"]})
    guide_url = response["Location"]
    guide_id = int(guide_url.rstrip("/").split("/")[-1])
    page = client.get(guide_url)
    version = page.context["steps_form"].initial["version"]
    saved = client.post(guide_url, {
        "version": version, "title": "Pupil group 5", "violence_kinds": ["child"],
        "signals": "Bruises.", "q_suspicion": "yes", "q_unsafety": "acute",
    })
    assert saved.status_code == 302
    client.post(reverse("reporting:consultation_add", args=[guide_id]),
                {"kind": "colleague", "with_whom": "A. Janssens", "on": timezone.localdate().isoformat()})
    from ketenplan.risk.models import ReportingGuide

    guide = ReportingGuide.objects.get(pk=guide_id)
    refused = client.post(reverse("reporting:decide", args=[guide_id]),
                          {"outcome": "own_help", "version": guide.version})
    assert refused.status_code == 400
    assert "reporting to Veilig Thuis is mandatory" in refused.content.decode()
    ok = client.post(reverse("reporting:decide", args=[guide_id]),
                     {"outcome": "report", "version": guide.version})
    assert ok.status_code == 302
    summary = client.get(reverse("reporting:summary", args=[guide_id])).content.decode()
    assert "Report to Veilig Thuis" in summary and "A. Janssens" in summary
    assert "risk/risk.css" in summary


def test_the_chain_approach_decision_links_to_the_prefilled_registration(client, world, english):
    guide = services.guide_start(actor=world.team_member, title="Family with three children")
    services.consultation_record(actor=world.team_member, guide=guide, kind="veilig_thuis",
                                 with_whom="Veilig Thuis advice line", on=timezone.localdate())
    guide.refresh_from_db()
    guide = services.guide_update(actor=world.team_member, guide=guide, values={
        "signals": "Police called three times.", "q_suspicion": True, "q_unsafety": "none",
        "q_can_help": True, "q_help_accepted": True, "q_help_safe": True, "violence_kinds": ["partner"]})
    services.guide_decide(actor=world.team_member, guide=guide, outcome="chain_approach")
    client.force_login(world.team_member)
    html = client.get(reverse("reporting:guide", args=[guide.pk])).content.decode()
    assert f'href="/cases/register/?reporting_guide={guide.pk}"' in html
    # The registration opens filled in from the guide, for the guide's organisation only.
    form = client.get(f"/cases/register/?reporting_guide={guide.pk}").content.decode()
    assert "Police called three times." in form
    client.force_login(world.referrer)
    assert "Police called three times." not in client.get(
        f"/cases/register/?reporting_guide={guide.pk}"
    ).content.decode()


# --- The admin ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(ProfessionalFactory(roles=[Role.ADMINISTRATOR], mfa=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_administrator_adds_an_instrument_by_uploading_yaml(admin_client):
    upload = SimpleUploadedFile("test.yaml", VALID.encode(), content_type="application/yaml")
    response = admin_client.post(reverse("admin:risk_instrument_add"), {"yaml_text": "", "yaml_file": upload})
    assert response.status_code == 302
    assert Instrument.objects.get(key="test-check").current_version.number == 1


def test_an_administrator_loads_a_new_version_and_old_ones_stay(admin_client):
    dash = Instrument.objects.get(key="dash")
    text = shipped_text("dash").replace("version: 1", "version: 2", 1)
    response = admin_client.post(reverse("admin:risk_instrument_change", args=[dash.pk]),
                                 {"yaml_text": text, "is_active": "on"})
    assert response.status_code == 302
    assert list(InstrumentVersion.objects.filter(instrument=dash).values_list("number", flat=True)) == [2, 1]


def test_a_malformed_upload_lists_every_problem_and_saves_nothing(admin_client):
    text = VALID.replace("    min: 2\n", "    min: 3\n").replace("      - id: threatened", "      - id: hit")
    response = admin_client.post(reverse("admin:risk_instrument_add"), {"yaml_text": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Line 16: bands[2].min: gap between band" in html
    assert "Line 25: sections[1].items[2].id (item “hit”): duplicate item id" in html
    assert not Instrument.objects.filter(key="test-check").exists()


def test_a_region_chooses_its_instruments_in_the_admin(admin_client, world):
    elder = Instrument.objects.get(key="elder-abuse")
    response = admin_client.post(reverse("admin:risk_regioninstrument_add"),
                                 {"region": world.region.pk, "instrument": elder.pk, "order": 1,
                                  "is_active": "on"})
    assert response.status_code == 302
    assert RegionInstrument.objects.filter(region=world.region, instrument=elder).exists()


def test_non_administrators_cannot_reach_the_instrument_admin(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("admin:risk_instrument_changelist")).status_code in (302, 403)


def test_member_roles_are_shown_when_choosing_whom_to_assess(client, world, case, english):
    client.force_login(world.team_member)
    html = client.get(reverse("risk:case_risk", args=[case.pk])).content.decode()
    assert "Sara El Amrani (Victim)" in html


def test_questions_and_help_follow_the_language(client, world, case, assessment):
    client.force_login(world.team_member)
    url = reverse("risk:assessment_edit", args=[case.pk, assessment.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    dutch = client.get(url).content.decode()
    assert "Is het slachtoffer bij het laatste incident gewond geraakt?" in dutch
    assert "Ook letsel dat niet zichtbaar is" in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Was the victim injured in the latest incident?" in english


def test_reading_the_risk_page_is_audited_with_the_persons_shown(client, world, case, assessment, victim):
    from ketenplan.audit.models import AuditEvent

    client.force_login(world.coordinator)
    client.get(reverse("risk:assessment", args=[case.pk, assessment.pk]))
    event = AuditEvent.objects.filter(actor=world.coordinator).latest("id")
    assert event.object_id == str(case.pk)
    assert victim.person_id in event.detail.get("persons", [])
