"""Assessments: drafts and finalising, professional judgement, version pinning, the
combined proposal (with potential escalation) and the team's confirmation."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Closure, MemberRole, RiskLevel, Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.core.exceptions import ConflictError
from ketenplan.plans.models import PoliceIntervention
from ketenplan.risk import selectors, services
from ketenplan.risk.models import Assessment, Instrument, WeighingBasis

from .helpers import answers_for_score, minimal_answers, shipped, shipped_text

pytestmark = pytest.mark.django_db


def start(world, case, member, key="dash", actor=None) -> Assessment:
    instrument = Instrument.objects.select_related("current_version").get(key=key)
    return services.assessment_start(actor=actor or world.team_member, case=case, instrument=instrument,
                                     member=member)


def final(world, case, member, key="dash", score=0, actor=None, **answers) -> Assessment:
    assessment = start(world, case, member, key, actor)
    values = answers_for_score(shipped(key), score) | answers
    return services.assessment_finalise(actor=actor or world.team_member, assessment=assessment,
                                        answers=values)


def member_with(case, role):
    return next(m for m in case.members.select_related("person") if role in m.roles)


# --- Drafts and finalising ----------------------------------------------------------------


def test_an_incomplete_draft_is_saved_and_finalising_it_is_refused(world, case, victim):
    assessment = start(world, case, victim)
    draft = services.assessment_save_draft(
        actor=world.team_member, assessment=assessment, answers={"injury": "yes", "stalking": "unknown"},
        expected_version=assessment.version,
    )
    assert draft.status == Assessment.Status.DRAFT
    assert (draft.score, draft.unknown_count, draft.missing_count) == (1, 1, 22)
    with pytest.raises(ValidationError) as exc:
        services.assessment_finalise(actor=world.team_member, assessment=draft)
    assert "22 question(s) are not answered yet" in exc.value.message_dict["__all__"][0]
    assert "item_frightened" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_a_complete_assessment_is_finalised_with_score_unknown_and_band(world, case, victim):
    assessment = start(world, case, victim)
    done = services.assessment_finalise(
        actor=world.team_member, assessment=assessment,
        answers=answers_for_score(shipped("dash"), 12, unknown=5), expected_version=assessment.version,
    )
    assert done.status == Assessment.Status.FINAL and done.assessed_at
    assert (done.score, done.unknown_count, done.final_band, done.level) == (12, 5, "medium", "medium")
    assert done.organisation == world.team_member.organisation
    actions = list(AuditEvent.objects.filter(object_id=str(done.pk), object_type="risk.assessment")
                   .values_list("action", flat=True))
    assert actions == ["risk.assessment_started", "risk.assessment_finalised"]


def test_a_final_assessment_cannot_be_edited(world, case, victim):
    done = final(world, case, victim)
    with pytest.raises(Exception) as exc:
        services.assessment_save_draft(actor=world.team_member, assessment=done, answers={})
    assert exc.type.__name__ in ("Http404", "PermissionDenied")


def test_only_the_assessors_organisation_edits_a_draft(world, case, victim):
    assessment = start(world, case, victim)
    with pytest.raises(Exception) as exc:
        services.assessment_save_draft(actor=world.referrer, assessment=assessment, answers={})
    assert exc.type.__name__ == "Http404"


def test_a_stale_version_is_a_conflict(world, case, victim):
    assessment = start(world, case, victim)
    services.assessment_save_draft(actor=world.team_member, assessment=assessment, answers={"injury": "yes"},
                                   expected_version=1)
    with pytest.raises(ConflictError):
        services.assessment_save_draft(actor=world.team_member, assessment=assessment,
                                       answers={"injury": "no"}, expected_version=1)


def test_invalid_answers_are_refused_per_question(world, case, victim):
    assessment = start(world, case, victim)
    with pytest.raises(ValidationError) as exc:
        services.assessment_save_draft(actor=world.team_member, assessment=assessment,
                                       answers={"injury": "perhaps"})
    assert list(exc.value.message_dict) == ["item_injury"]


def test_assessing_needs_a_member_of_this_case_and_an_instrument_of_the_region(world, case, victim):
    from ketenplan.risk.models import RegionInstrument

    other = case_at(world, Stage.WEIGHING, family_label="Family Other")
    with pytest.raises(ValidationError):
        start(world, case, member_with(other, MemberRole.VICTIM))
    RegionInstrument.objects.create(region=world.region, instrument=Instrument.objects.get(key="elder-abuse"))
    assert [i.key for i in selectors.instruments_for_region(world.region)] == ["elder-abuse"]
    with pytest.raises(ValidationError, match="not used in your region"):
        start(world, case, victim)


def test_outsiders_cannot_assess(world, case, victim):
    with pytest.raises(Exception) as exc:
        start(world, case, victim, actor=world.outsider)
    assert exc.type.__name__ == "Http404"


# --- Professional judgement ---------------------------------------------------------------


def test_judgement_at_finalising_raises_the_band_with_a_reason(world, case, victim):
    assessment = start(world, case, victim)
    done = services.assessment_finalise(
        actor=world.team_member, assessment=assessment, answers=answers_for_score(shipped("dash"), 3),
        judgement_band="high", judgement_reason="Strangled last week; she fears for her life.",
    )
    assert (done.computed_band, done.judgement_band, done.final_band, done.level) == (
        "standard", "high", "high", "high")
    assert done.judgement_by == world.team_member


def test_judgement_on_a_final_assessment_raises_and_never_lowers(world, case, victim):
    done = final(world, case, victim, score=11)
    assert done.final_band == "medium"
    with pytest.raises(ValidationError, match="never lower"):
        services.assessment_judge(actor=world.team_member, assessment=done, band="standard", reason="Calm.")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.assessment_judge(actor=world.team_member, assessment=done, band="high", reason=" ")
    raised = services.assessment_judge(actor=world.team_member, assessment=done, band="high",
                                       reason="Threats to kill.", expected_version=done.version)
    assert (raised.final_band, raised.level, raised.computed_band) == ("high", "high", "medium")
    with pytest.raises(ValidationError, match="never lower"):
        services.assessment_judge(actor=world.team_member, assessment=raised, band="medium", reason="x")
    assert AuditEvent.objects.filter(action="risk.assessment_judged", object_id=str(done.pk)).count() == 1


def test_the_weighing_team_may_judge_another_partners_assessment(world, case, victim):
    done = final(world, case, victim, actor=world.referrer)
    services.assessment_judge(actor=world.coordinator, assessment=done, band="medium", reason="Escalating.")


# --- Version pinning ----------------------------------------------------------------------


def dash_v2_text() -> str:
    return (shipped_text("dash").replace("version: 1", "version: 2", 1)
            .replace("Was the victim injured in the latest incident?", "Was anyone injured, the last time?"))


def test_an_assessment_keeps_its_version_after_a_new_one_is_loaded(world, case, victim, client, english):
    old = final(world, case, victim, injury="yes")
    result = services.instrument_load(text=dash_v2_text(), source="test")
    assert result.created and result.version.number == 2
    new = start(world, case, victim)
    old.refresh_from_db()
    assert (old.instrument_version.number, new.instrument_version.number) == (1, 2)
    client.force_login(world.team_member)
    html = client.get(f"/cases/{case.pk}/risk/assessments/{old.pk}/").content.decode()
    assert "Was the victim injured in the latest incident?" in html
    assert "Was anyone injured, the last time?" not in html
    assert "Made with an earlier version of this instrument" in html
    html = client.get(f"/cases/{case.pk}/risk/assessments/{new.pk}/edit/").content.decode()
    assert "Was anyone injured, the last time?" in html


def test_an_instrument_version_never_changes():
    version = Instrument.objects.get(key="dash").current_version
    version.definition = {}
    with pytest.raises(ValueError, match="never changes"):
        version.save()


# --- Trend and changes --------------------------------------------------------------------


def test_the_trend_per_person_shows_score_band_and_changed_answers(world, case, victim):
    first = final(world, case, victim, score=3)
    second = start(world, case, victim)
    answers = dict(first.answers) | {"stalking": "yes", "weapons": "yes", "money": "unknown"}
    second = services.assessment_finalise(actor=world.team_member, assessment=second, answers=answers)
    [trend] = selectors.trends(selectors.case_assessments(user=world.coordinator, case=case))
    assert [p.score for p in trend.points] == [first.score, second.score]
    assert trend.latest.direction == "up"
    assert {c["id"] for c in trend.changes} >= {"stalking", "money"}


# --- The combined proposal ----------------------------------------------------------------


def criteria(proposal) -> dict:
    return {c.key: c.met for c in proposal.criteria}


def test_no_final_assessment_no_proposal(world, case, victim):
    start(world, case, victim)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.level == "" and proposal.drafts == 1 and proposal.assessments == []


def test_the_proposal_is_the_highest_final_level_across_assessments(world, case, victim):
    child = member_with(case, MemberRole.CHILD_WITNESS)
    final(world, case, victim, score=2)
    final(world, case, child, key="child-safety", score=7, actor=world.referrer)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.level == RiskLevel.MEDIUM
    assert not any(criteria(proposal).values())


def test_only_the_latest_final_assessment_per_person_and_instrument_counts(world, case, victim):
    final(world, case, victim, score=15)
    final(world, case, victim, score=2)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.level == RiskLevel.LOW
    assert len(proposal.assessments) == 1


def test_visible_high_risk_proposes_high(world, case, victim):
    final(world, case, victim, score=14)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.level == RiskLevel.HIGH
    assert criteria(proposal) == {"visible_high_risk": True, "professional_judgement": False,
                                  "potential_escalation": False}


def test_a_forcing_trigger_is_visible_high_risk(world, case):
    child = member_with(case, MemberRole.CHILD_WITNESS)
    final(world, case, child, key="child-safety", afraid_to_go_home="yes")
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert criteria(proposal)["visible_high_risk"] and proposal.level == RiskLevel.HIGH


def test_professional_judgement_proposes_high(world, case, victim):
    done = final(world, case, victim, score=2, strangulation="yes")
    assert done.flags == ["strangulation"]
    services.assessment_judge(actor=world.team_member, assessment=done, band="high", reason="Strangulation.")
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert criteria(proposal) == {"visible_high_risk": False, "professional_judgement": True,
                                  "potential_escalation": False}
    assert proposal.level == RiskLevel.HIGH


def police(world, case, *days_ago):
    for days in days_ago:
        PoliceIntervention.objects.create(case=case, occurred_on=timezone.localdate() - timedelta(days=days),
                                          summary="Call-out.", recorded_by=world.referrer)


def test_three_police_reported_incidents_in_twelve_months_is_potential_escalation(world, case, victim):
    final(world, case, victim, score=2)
    police(world, case, 10, 100, 400)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.police_incidents == 2 and proposal.level == RiskLevel.LOW
    police(world, case, 300)
    proposal = selectors.weighing_proposal(user=world.coordinator, case=case)
    assert proposal.police_incidents == 3
    assert criteria(proposal)["potential_escalation"]
    assert proposal.level == RiskLevel.HIGH


def test_the_escalation_threshold_comes_from_the_regions_method_profile(world, case, victim):
    from ketenplan.methods import services as method_services

    text = (
        (method_services.definitions.SHIPPED_PROFILES_DIR / "marac.yaml").read_text()
        .replace("key: marac", "key: marac-strict").replace("incidents: 3", "incidents: 2")
        .replace("window_months: 12", "window_months: 6")
    )
    method_services.profile_load(text=text, source="test")
    world.region.method_profile = "marac-strict"
    world.region.save()
    case.region.refresh_from_db()
    final(world, case, victim, score=2)
    police(world, case, 10, 250)
    assert selectors.weighing_proposal(user=world.coordinator, case=case).escalation == {
        "incidents": 2, "window_months": 6}
    assert selectors.weighing_proposal(user=world.coordinator, case=case).level == RiskLevel.LOW
    police(world, case, 20)
    assert selectors.weighing_proposal(user=world.coordinator, case=case).level == RiskLevel.HIGH


def test_a_profiles_risk_score_criterion_counts_as_visible_high_risk(world, case, victim):
    from ketenplan.methods import services as method_services

    text = ((method_services.definitions.SHIPPED_PROFILES_DIR / "marac.yaml").read_text()
            .replace("key: marac", "key: marac-low").replace("minimum: 14", "minimum: 12"))
    method_services.profile_load(text=text, source="test")
    world.region.method_profile = "marac-low"
    world.region.save()
    case.region.refresh_from_db()
    final(world, case, victim, score=12)
    assert criteria(selectors.weighing_proposal(user=world.coordinator, case=case))["visible_high_risk"]


# --- The team confirms --------------------------------------------------------------------


def test_confirming_high_moves_the_case_to_planning_through_the_case_service(world, case, victim):
    done = final(world, case, victim, score=15)
    weighing = services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.HIGH,
                                         reasoning="DASH 15.", expected_version=case.version)
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING and case.risk_level == RiskLevel.HIGH
    basis = WeighingBasis.objects.get(weighing=weighing)
    assert basis.proposed_level == "high" and list(basis.assessments.all()) == [done]
    assert basis.criteria == ["visible_high_risk"]
    assert AuditEvent.objects.filter(action="risk.weighing_confirmed", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="case.weighed_high", object_id=str(case.pk)).exists()


def test_confirming_medium_closes_with_advice(world, case, victim):
    final(world, case, victim, score=11)
    services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.MEDIUM,
                              reasoning="Medium.", advice="Keep in touch with the family weekly.")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert Closure.objects.get(case=case).advice == "Keep in touch with the family weekly."


def test_the_team_may_raise_but_never_lower_the_proposal(world, case, victim):
    final(world, case, victim, score=11)
    with pytest.raises(ValidationError, match="never lower"):
        services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.LOW,
                                  reasoning="Low.", advice="Advice.")
    services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.HIGH, reasoning="Fear.")
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING


def test_confirming_without_a_final_assessment_is_refused(world, case, victim):
    start(world, case, victim)
    with pytest.raises(ValidationError, match="Finalise at least one assessment"):
        services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.HIGH, reasoning="x")
    case.refresh_from_db()
    assert case.stage == Stage.WEIGHING


def test_only_the_weighing_team_confirms(world, case, victim):
    final(world, case, victim, score=15)
    with pytest.raises(Exception) as exc:
        services.weighing_confirm(actor=world.case_director, case=case, level=RiskLevel.HIGH, reasoning="x")
    assert exc.type.__name__ == "Http404"


def test_re_assessment_goes_on_after_the_weighing_but_not_after_closure(world, case, victim):
    final(world, case, victim, score=15)
    services.weighing_confirm(actor=world.coordinator, case=case, level=RiskLevel.HIGH, reasoning="x")
    case.refresh_from_db()
    final(world, case, victim, score=9)  # at an evaluation, after new incidents
    closed = case_at(world, Stage.CLOSED, family_label="Family Closed")
    with pytest.raises(Exception) as exc:
        start(world, closed, member_with(closed, MemberRole.VICTIM))
    assert exc.type.__name__ == "Http404"


def test_minimal_helper_sanity():
    assert minimal_answers(shipped("dash"))["injury"] == "no"


# --- Consent (METHOD.md §4) ---------------------------------------------------------------


def test_without_consent_another_partner_sees_neither_the_assessment_nor_its_level(world):
    from ketenplan.cases.tests.factories import case_at as make_case

    bare = make_case(world, Stage.WEIGHING, family_label="Family Without Consent")
    victim = member_with(bare, MemberRole.VICTIM)
    done = final(world, bare, victim, score=15)  # by welfare
    assert selectors.case_assessments(user=world.team_member, case=bare) == [done]  # its own
    assessments, withheld = selectors.case_assessments_and_withheld(user=world.coordinator, case=bare)
    assert (assessments, withheld) == ([], 1)
    assert selectors.weighing_proposal(user=world.coordinator, case=bare).level == ""
    with pytest.raises(Exception) as exc:
        selectors.assessment_get(user=world.coordinator, case=bare, pk=done.pk)
    assert exc.type.__name__ == "Http404"
    with pytest.raises(Exception) as exc:
        services.assessment_judge(actor=world.coordinator, assessment=done, band="high", reason="x")
    assert exc.type.__name__ == "Http404"


def test_with_consent_every_partner_of_the_case_sees_the_assessment(world, case, victim):
    done = final(world, case, victim, score=15)
    assert selectors.case_assessments(user=world.coordinator, case=case) == [done]
    assert selectors.case_assessments(user=world.referrer, case=case) == [done]
