"""Information about a person reaches other organisations only under that person's
consent or a legal basis; the rest is withheld, and the page says so without saying what."""

from datetime import date

import pytest

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.consent import services as consent_services
from ketenplan.dossier import services
from ketenplan.methods.models import LifeDomain

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def case(world):
    return case_at(world, Stage.DOSSIER)


def mother(case):
    return case.members.order_by("pk")[0].person  # the mother, registered first


def add_about_mother(world, case):
    return services.contribution_add(
        actor=world.referrer,
        case=case,
        life_domain=LifeDomain.objects.get(key="safety"),
        text="Mother reported strangulation during the last incident.",
        occurred_on=date(2026, 10, 1),
        source="Police report",
        about_person=mother(case),
    )


def test_without_consent_others_see_that_something_is_withheld_not_what(client, world, case):
    add_about_mother(world, case)
    client.force_login(world.team_member)
    html = client.get(f"/cases/{case.pk}/dossier/").content.decode()
    assert "strangulation" not in html
    assert "withheld" in html or "achtergehouden" in html
    client.force_login(world.referrer)  # the contributing organisation sees its own
    assert "strangulation" in client.get(f"/cases/{case.pk}/dossier/").content.decode()


def test_consent_shares_and_withdrawal_hides_on_the_very_next_request(client, world, case):
    add_about_mother(world, case)
    consent_services.consent_record(
        actor=world.coordinator,
        case=case,
        person=mother(case),
        status="given",
        obtained_on=date(2026, 10, 2),
        obtained_how="in_person",
    )
    client.force_login(world.team_member)
    assert "strangulation" in client.get(f"/cases/{case.pk}/dossier/").content.decode()
    consent_services.consent_withdraw(
        actor=world.coordinator,
        case=case,
        person=mother(case),
        obtained_how="phone",
    )
    assert "strangulation" not in client.get(f"/cases/{case.pk}/dossier/").content.decode()
