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
