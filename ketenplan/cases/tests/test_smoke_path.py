import pytest

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stage", [*Stage.values])
def test_a_case_reaches_every_stage_through_the_services(stage):
    world = make_world()
    case = case_at(world, stage)
    assert case.stage == stage
    assert case.transitions.count() >= 1


def test_closing_with_confirmed_open_requests_withdraws_them():
    from datetime import timedelta

    from django.utils import timezone

    from ketenplan.cases import services
    from ketenplan.dossier.models import InformationRequest

    world = make_world()
    case = case_at(world, Stage.EXECUTION)
    request = InformationRequest.objects.create(
        case=case,
        to_organisation=world.shelter,
        question="Is the mother known?",
        due_on=timezone.localdate() + timedelta(days=7),
        requested_by=world.coordinator,
    )
    services.case_close(
        actor=world.case_director, case=case, outcome="violence_stopped", confirm_open_requests=True
    )
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.WITHDRAWN


def test_execution_does_not_restart_while_a_new_plan_version_is_a_draft():
    from ketenplan.cases import services, workflow
    from ketenplan.plans.models import PlanVersion
    from ketenplan.plans.services import plan_revise

    world = make_world()
    case = case_at(world, Stage.EXECUTION)
    plan_revise(actor=world.coordinator, case=case, reason="The couple did not separate after all.")
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert PlanVersion.objects.filter(case=case, status=PlanVersion.Status.DRAFT).exists()
    with pytest.raises(workflow.TransitionRefused, match="draft"):
        services.execution_start(actor=world.case_director, case=case)
