import pytest
from django.conf import settings

from ketenplan.cases.models import MemberRole, Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.risk.models import Instrument


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def case(world):
    return case_at(world, Stage.WEIGHING)


@pytest.fixture
def victim(case):
    return next(m for m in case.members.select_related("person") if MemberRole.VICTIM in m.roles)


@pytest.fixture
def dash(db):
    return Instrument.objects.select_related("current_version").get(key="dash")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
