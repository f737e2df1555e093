import pytest
from django.conf import settings

from ketenplan.cases.models import MemberRole, Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.risk.models import Instrument


@pytest.fixture
def world(db):
    return make_world()


def share_everything(world, case) -> None:
    """Consent given, for all partners, by every member of the family (the child through
    the mother), so that every partner sees every assessment."""
    from datetime import date

    from ketenplan.consent import services as consent_services

    members = list(case.members.select_related("person"))
    mother = next(m for m in members if MemberRole.VICTIM in m.roles)
    for member in members:
        child = MemberRole.CHILD_WITNESS in member.roles
        consent_services.consent_record(
            actor=world.coordinator, case=case, person=member.person, status="given",
            obtained_how="in_person", obtained_on=date.today(), given_by=mother if child else None,
        )


@pytest.fixture
def case(world):
    case = case_at(world, Stage.WEIGHING)
    share_everything(world, case)
    case.refresh_from_db()
    return case


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
