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
