"""The weighing step of the case path is taken on the risk page, on final assessments:
the step links lead there, a weighing without a final assessment is refused and changes
nothing, high goes on to the plan, low or medium closes with advice to the referrer, and
the old free-form weighing page is gone."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Case, Closure, ClosureKind, ClosureOutcome, RiskLevel, RiskWeighing, Stage
from ketenplan.cases.tests.factories import DASH_YES, dash_answers
from ketenplan.risk import services
from ketenplan.risk.models import WeighingBasis

pytestmark = pytest.mark.django_db

READS = ("case.viewed", "case.listed", "access.denied")
NO_FINAL_ASSESSMENT = "Finalise at least one assessment before the team weighs the risk."


def snapshot(case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "stage": fresh.stage,
        "version": fresh.version,
        "risk_level": fresh.risk_level,
        "transitions": fresh.transitions.count(),
        "weighings": RiskWeighing.objects.filter(case=case).count(),
        "closures": Closure.objects.filter(case=case).count(),
        # Writes only: showing the refused form again is a read, audited as one.
        "audit": AuditEvent.objects.exclude(action__in=READS).count(),
    }


def assess(world, case, victim, dash, level: str):
    """A partner finalises a DASH-style checklist whose score gives ``level``."""
    draft = services.assessment_start(actor=world.team_member, case=case, instrument=dash, member=victim)
    return services.assessment_finalise(
        actor=world.team_member, assessment=draft, answers=dash_answers(DASH_YES[level])
    )


def confirm(client, case, **data):
    """As the form sends once its question was answered (natively or on the confirmation page)."""
    return client.post(
        reverse("risk:weighing_confirm", args=[case.pk]),
        {"version": case.version, "confirmed": "yes", **data},
    )


def test_the_weighing_steps_on_the_case_page_lead_to_the_risk_page(
    client, world, case, victim, dash, english
):
    client.force_login(world.coordinator)
    risk_page = reverse("risk:case_risk", args=[case.pk])
    page = client.get(case.get_absolute_url()).content.decode()
    for label in ("High risk: make a plan", "Low or medium risk: close with advice"):
        assert f'<a class="button button--secondary" href="{risk_page}">{label}</a>' in page
    # Until an assessment is final the link stays (the assessments are made there),
    # with the reason beside it.
    assert NO_FINAL_ASSESSMENT in page
    assert "steps/risk-weighing" not in page

    assess(world, case, victim, dash, RiskLevel.HIGH)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f'href="{risk_page}"' in page and NO_FINAL_ASSESSMENT not in page


def test_the_free_form_weighing_page_is_gone(client, world, case):
    with pytest.raises(NoReverseMatch):
        reverse("cases:risk_weighing", args=[case.pk])
    client.force_login(world.coordinator)
    assert client.get(f"/cases/{case.pk}/steps/risk-weighing/").status_code == 404


def test_confirming_without_a_final_assessment_is_refused_and_changes_nothing(
    client, world, case, victim, dash, english
):
    services.assessment_start(actor=world.team_member, case=case, instrument=dash, member=victim)  # a draft
    client.force_login(world.coordinator)
    before = snapshot(case)
    response = confirm(client, case, level="high", reasoning="Threats to kill.")
    assert response.status_code == 400
    assert NO_FINAL_ASSESSMENT in response.content.decode()
    assert snapshot(case) == before


def test_high_risk_moves_the_case_on_to_the_plan(client, world, case, victim, dash, english):
    done = assess(world, case, victim, dash, RiskLevel.HIGH)
    client.force_login(world.coordinator)
    response = confirm(client, case, level="high", reasoning="DASH 16; strangulation reported.")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert (case.stage, case.risk_level, case.closure_kind) == (Stage.PLANNING, RiskLevel.HIGH, "")
    transition = case.transitions.latest("at", "id")
    assert (transition.name, transition.actor, transition.reason) == (
        "weighed_high",
        world.coordinator,
        "DASH 16; strangulation reported.",
    )
    weighing = RiskWeighing.objects.get(case=case)
    assert (weighing.level, weighing.decided_by) == (RiskLevel.HIGH, world.coordinator)
    assert list(WeighingBasis.objects.get(weighing=weighing).assessments.all()) == [done]
    assert not Closure.objects.filter(case=case).exists()
    actions = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.weighed_high", "risk.weighing_confirmed"} <= actions
    page = client.get(response["Location"]).content.decode()
    assert "High risk: the team now makes a plan." in page
    timeline = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "Risk weighed: High" in timeline


@pytest.mark.parametrize("level", [RiskLevel.LOW, RiskLevel.MEDIUM])
def test_low_or_medium_risk_closes_the_case_as_advice_to_the_referrer(
    client, world, case, victim, dash, english, level
):
    assess(world, case, victim, dash, level)
    client.force_login(world.coordinator)
    before = snapshot(case)
    refused = confirm(client, case, level=level, reasoning="Calmer since the separation.")
    assert refused.status_code == 400
    assert "Write the advice for the referrer." in refused.content.decode()
    assert snapshot(case) == before

    response = confirm(
        client,
        case,
        level=level,
        reasoning="Calmer since the separation.",
        advice="Keep in touch with the family every week; call us when it escalates.",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.risk_level, case.closure_kind) == (Stage.CLOSED, level, ClosureKind.ADVICE)
    closure = Closure.objects.get(case=case)
    assert closure.outcome == ClosureOutcome.RISK_NOT_HIGH
    assert closure.advice == "Keep in touch with the family every week; call us when it escalates."
    assert case.transitions.latest("at", "id").name == "weighed_not_high"
    page = client.get(response["Location"]).content.decode()
    assert "Risk not high: the case is closed with advice to the referrer." in page
    assert "Keep in touch with the family every week" in page


def test_the_team_may_not_weigh_lower_than_the_assessments(client, world, case, victim, dash, english):
    assess(world, case, victim, dash, RiskLevel.MEDIUM)
    client.force_login(world.coordinator)
    before = snapshot(case)
    response = confirm(client, case, level="low", reasoning="Feels calmer.", advice="Keep in touch.")
    assert response.status_code == 400 and "never lower" in response.content.decode()
    assert snapshot(case) == before


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, world, case, victim, dash, english):
    assess(world, case, victim, dash, RiskLevel.HIGH)
    client.force_login(world.coordinator)
    before = snapshot(case)
    response = confirm(client, case, level="extreme", reasoning="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and "This field is required." in html
    assert snapshot(case) == before


def test_a_weighing_on_a_stale_version_is_a_conflict_and_can_be_confirmed_again(
    client, world, case, victim, dash, english
):
    from ketenplan.cases import services as case_services

    assess(world, case, victim, dash, RiskLevel.HIGH)
    stale = case.version
    case_services.participation_add(actor=world.coordinator, case=case, organisation=world.shelter)
    client.force_login(world.team_member)
    before = snapshot(case)
    response = client.post(
        reverse("risk:weighing_confirm", args=[case.pk]),
        {"version": stale, "level": "high", "reasoning": "Threats to kill.", "confirmed": "yes"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert escape(world.coordinator.full_name) in html  # a name may hold an apostrophe
    assert "Threats to kill." in html  # what was typed is kept
    current = Case.objects.get(pk=case.pk).version
    assert f'name="version" value="{current}"' in html
    assert snapshot(case) == before

    again = client.post(
        reverse("risk:weighing_confirm", args=[case.pk]),
        {"version": current, "level": "high", "reasoning": "Threats to kill.", "confirmed": "yes"},
    )
    assert again.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.PLANNING


def test_the_weighing_is_only_recorded_once_confirmed(client, world, case, victim, dash, english):
    """Irreversible: without ``confirmed=yes`` the server asks first and changes nothing."""
    assess(world, case, victim, dash, RiskLevel.HIGH)
    client.force_login(world.coordinator)
    before = snapshot(case)
    url = reverse("risk:weighing_confirm", args=[case.pk])
    asked = client.post(url, {"version": case.version, "level": "high", "reasoning": "Threats to kill."})
    html = asked.content.decode()
    assert asked.status_code == 200 and "The weighing cannot be undone. Record it?" in html
    assert 'name="confirmed" value="yes"' in html and 'name="reasoning" value="Threats to kill."' in html
    assert snapshot(case) == before
    # Refused input is not asked about: it is shown with its errors straight away.
    assert client.post(url, {"version": case.version, "level": "extreme"}).status_code == 400


def test_a_participant_who_does_not_weigh_cannot_confirm(client, world, case, victim, dash):
    assess(world, case, victim, dash, RiskLevel.HIGH)
    client.force_login(world.case_director)
    before = snapshot(case)
    assert confirm(client, case, level="high", reasoning="x").status_code == 404
    assert snapshot(case) == before
