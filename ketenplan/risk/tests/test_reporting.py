"""The reporting-code guide: the mandatory-report rule, consultations, the decision, the
pre-filled registration, and who sees a guide."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.risk import selectors, services
from ketenplan.risk.models import GuideOutcome, ReportingGuide, Unsafety

pytestmark = pytest.mark.django_db

OUTCOMES = list(GuideOutcome.values)


@pytest.fixture
def guide(world):
    guide = services.guide_start(actor=world.team_member, title="Pupil group 5, bruises",
                                 violence_kinds=["child"])
    services.consultation_record(actor=world.team_member, guide=guide, kind="colleague",
                                 with_whom="A. Janssens, reporting-code officer", on=timezone.localdate())
    guide.refresh_from_db()
    return guide


def answer(world, guide, **values) -> ReportingGuide:
    return services.guide_update(actor=world.team_member, guide=guide, values=values)


def decide(world, guide, outcome) -> ReportingGuide:
    return services.guide_decide(actor=world.team_member, guide=guide, outcome=outcome, notes="Decided.")


@pytest.mark.parametrize("unsafety", [Unsafety.ACUTE, Unsafety.STRUCTURAL, Unsafety.BOTH])
@pytest.mark.parametrize("outcome", ["own_help", "chain_approach", "no_action"])
def test_acute_or_structural_unsafety_makes_reporting_mandatory(world, guide, unsafety, outcome):
    guide = answer(world, guide, q_suspicion=True, q_unsafety=unsafety, q_can_help=True,
                   q_help_accepted=True, q_help_safe=True)
    with pytest.raises(ValidationError) as exc:
        decide(world, guide, outcome)
    assert exc.value.message_dict["outcome"] == [
        "There is acute or structural unsafety: reporting to Veilig Thuis is mandatory."]
    guide.refresh_from_db()
    assert guide.status == ReportingGuide.Status.OPEN and guide.outcome == ""


@pytest.mark.parametrize("unsafety", [Unsafety.ACUTE, Unsafety.STRUCTURAL, Unsafety.BOTH])
def test_with_unsafety_reporting_is_accepted(world, guide, unsafety):
    guide = answer(world, guide, q_suspicion=True, q_unsafety=unsafety)
    decided = decide(world, guide, GuideOutcome.REPORT)
    assert decided.is_decided and decided.outcome == "report"
    assert AuditEvent.objects.filter(action="reporting.guide_decided", object_id=str(guide.pk)).exists()


def test_the_database_refuses_a_decision_against_the_rule_too(world, guide):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingGuide.objects.filter(pk=guide.pk).update(
            q_unsafety="acute", outcome="own_help", status="decided", decided_at=timezone.now())


@pytest.mark.parametrize(("question", "message"), [
    ("q_can_help", "You cannot give or organise effective help yourself: report to Veilig Thuis."),
    ("q_help_accepted", "The people involved do not accept the help: report to Veilig Thuis."),
    ("q_help_safe", "The help does not bring safety in time: report to Veilig Thuis."),
])
def test_when_help_falls_short_reporting_is_required(world, guide, question, message):
    values = {"q_suspicion": True, "q_unsafety": Unsafety.NONE, "q_can_help": True,
              "q_help_accepted": True, "q_help_safe": True, question: False}
    guide = answer(world, guide, **values)
    with pytest.raises(ValidationError) as exc:
        decide(world, guide, GuideOutcome.OWN_HELP)
    assert exc.value.message_dict["outcome"] == [message]
    assert decide(world, guide, GuideOutcome.REPORT).outcome == "report"


@pytest.mark.parametrize("outcome", ["own_help", "chain_approach"])
def test_organising_help_needs_all_five_questions_answered(world, guide, outcome):
    guide = answer(world, guide, q_suspicion=True, q_unsafety=Unsafety.NONE)
    with pytest.raises(ValidationError) as exc:
        decide(world, guide, outcome)
    assert set(exc.value.message_dict) == {"q_can_help", "q_help_accepted", "q_help_safe"}
    guide = answer(world, guide, q_can_help=True, q_help_accepted=True, q_help_safe=True)
    assert decide(world, guide, outcome).outcome == outcome


def test_no_further_action_only_without_a_suspicion(world, guide):
    guide = answer(world, guide, q_suspicion=True, q_unsafety=Unsafety.NONE, q_can_help=True,
                   q_help_accepted=True, q_help_safe=True)
    with pytest.raises(ValidationError, match="choose to report or to organise help"):
        decide(world, guide, GuideOutcome.NO_ACTION)
    guide = answer(world, guide, q_suspicion=False)
    assert decide(world, guide, GuideOutcome.NO_ACTION).outcome == "no_action"


def test_deciding_needs_the_first_question_and_a_consultation(world):
    guide = services.guide_start(actor=world.team_member, title="Neighbour's worry")
    with pytest.raises(ValidationError) as exc:
        decide(world, guide, GuideOutcome.NO_ACTION)
    assert "Step 2: record at least one consultation" in exc.value.message_dict["outcome"][0]
    assert "q_suspicion" in exc.value.message_dict


def test_a_consultation_records_with_whom_and_when_and_not_in_the_future(world, guide):
    [consultation] = selectors.guide_consultations(user=world.team_member, guide=guide)
    assert consultation.with_whom == "A. Janssens, reporting-code officer"
    assert consultation.on == timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.consultation_record(actor=world.team_member, guide=guide, kind="veilig_thuis", with_whom=" ",
                                     on=timezone.localdate() + timedelta(days=1))
    assert set(exc.value.message_dict) == {"with_whom", "on"}


def test_a_decided_guide_is_read_only(world, guide):
    guide = answer(world, guide, q_suspicion=True, q_unsafety=Unsafety.ACUTE)
    decide(world, guide, GuideOutcome.REPORT)
    guide.refresh_from_db()
    with pytest.raises(Http404):
        answer(world, guide, signals="More.")


def test_registering_for_the_chain_approach_links_to_a_prefilled_registration(world, guide):
    guide = answer(world, guide, signals="Bruises on both arms, twice in a month.",
                   weighing_notes="Father drinks; mother afraid.", q_suspicion=True,
                   q_unsafety=Unsafety.NONE, q_can_help=True, q_help_accepted=True, q_help_safe=True)
    guide = decide(world, guide, GuideOutcome.CHAIN_APPROACH)
    url = urlparse(selectors.registration_url(guide))
    query = parse_qs(url.query)
    assert url.path == "/cases/register/"
    # Only the guide's id travels in the link: no sensitive text in logs or history.
    assert query == {"reporting_guide": [str(guide.pk)]}
    initial = selectors.registration_initial(user=world.team_member, guide_id=guide.pk)
    assert initial["violence_kinds"] == ["child"]
    assert initial["reason"].startswith("Bruises on both arms")
    assert selectors.registration_initial(user=world.referrer, guide_id=guide.pk) == {}


def test_only_colleagues_of_the_organisation_see_a_guide(world, guide):
    colleague = world.case_director  # same organisation (welfare)
    assert selectors.guide_get(user=colleague, pk=guide.pk) == guide
    for stranger in (world.referrer, world.coordinator, world.outsider):
        with pytest.raises(Http404):
            selectors.guide_get(user=stranger, pk=guide.pk)
        assert guide not in selectors.guide_list(user=stranger)
    with pytest.raises(Http404):
        services.guide_update(actor=world.referrer, guide=guide, values={"signals": "x"})


def test_every_write_is_audited(world, guide):
    answer(world, guide, signals="Seen.")
    actions = set(AuditEvent.objects.filter(actor=world.team_member).values_list("action", flat=True))
    assert {"reporting.guide_started", "reporting.consultation_recorded",
            "reporting.guide_updated"} <= actions
