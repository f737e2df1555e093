"""/api/persons/matches/: the same rule as the registration form (persons.selectors.
person_matches). A professional is proposed anyone they know from a case they may see;
anyone else only on a name and a date of birth or national number that identify the
person, with nothing of that person's cases. Every answer is an audited hit list."""

from datetime import date

import pytest

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.tests.factories import family, register
from ketenplan.persons.models import Person

from .conftest import api_as

pytestmark = pytest.mark.django_db

URL = "/api/persons/matches/"
KEVIN_NUMBER = "87112000142"  # born 20 November 1987, as the father of ``family()``
KEVIN_BORN = date(1987, 11, 20)


@pytest.fixture
def case(world):
    """The Peeters family, registered by the police: the outsider (addiction care) takes
    no part in the case."""
    members = family()
    members[1].new_person["national_number"] = KEVIN_NUMBER
    return register(world, members=members)


@pytest.fixture
def kevin(case):
    return Person.objects.get(given_names="Kevin")


def matches(user, **params):
    response = api_as(user).get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def last_search():
    return AuditEvent.objects.filter(action="person.search").latest("pk")


def test_an_outsider_typing_only_a_national_number_sees_nothing(world, kevin):
    assert matches(world.outsider, national_number=KEVIN_NUMBER) == []
    typed = {"given_names": "Jan", "family_name": "Janssens", "national_number": KEVIN_NUMBER}
    assert matches(world.outsider, **typed) == []
    assert last_search().detail["hits"] == []  # the empty list is audited too


def test_an_outsider_typing_a_given_name_and_birth_date_sees_nothing(world, kevin):
    assert matches(world.outsider, given_names="Kevin", birth_date=KEVIN_BORN.isoformat()) == []
    assert (
        matches(world.outsider, given_names="Kevin", family_name="Jacobs", birth_date=KEVIN_BORN.isoformat())
        == []
    )


def test_an_outsider_typing_full_name_and_birth_date_sees_the_person_and_nothing_of_the_case(
    world, case, kevin
):
    response = api_as(world.outsider).get(
        URL, {"given_names": "Kevin", "family_name": "Peeters", "birth_date": "1987-11-20"}
    )

    assert response.status_code == 200
    [proposal] = response.json()
    assert proposal == {
        "person_id": kevin.pk,
        "name": "Kevin Peeters",
        "birth_date": "1987-11-20",
        "score": proposal["score"],
        "reasons": ["same date of birth", "same family name", "same given name"],
        "known_in_another_case": True,
    }
    body = response.content.decode()
    for secret in (case.reference, case.family_label, "Sara", "Lina", "El Amrani", KEVIN_NUMBER, "Police"):
        assert secret not in body
    event = last_search()
    assert event.actor == world.outsider
    assert event.detail["hits"] == [kevin.pk] and event.detail["known_elsewhere"] == [kevin.pk]
    assert "Kevin" not in str(event.detail) and "1987" not in str(event.detail)


def test_an_outsider_typing_full_name_and_national_number_does_not_see_a_date_not_typed(world, kevin):
    [proposal] = matches(
        world.outsider,
        given_names="Kevin",
        family_name="Peeters",
        birth_date="1990-01-01",
        national_number=KEVIN_NUMBER,
    )

    assert proposal["person_id"] == kevin.pk and proposal["known_in_another_case"]
    assert proposal["birth_date"] is None
    assert "different date of birth" not in proposal["reasons"]


def test_a_professional_who_knows_the_person_is_proposed_them_as_before(world, kevin):
    [by_number] = matches(world.referrer, national_number=KEVIN_NUMBER)
    assert by_number["person_id"] == kevin.pk
    assert by_number["known_in_another_case"] is False
    assert by_number["birth_date"] == "1987-11-20"
    assert "same national number" in by_number["reasons"]

    [changed_name] = matches(
        world.referrer, given_names="Kevin", family_name="Jacobs", birth_date="1987-11-20"
    )
    assert changed_name["person_id"] == kevin.pk
    assert last_search().detail["known_elsewhere"] == []
