"""Whom a professional may be proposed as a possible duplicate (METHOD.md §4).

Bob (police) knows the Peeters family from his organisation's case; Alice (welfare)
takes part in no case of theirs. Alice is proposed one of them only when she typed enough
to identify the person herself -- family and given name alike and the same date of
birth or national number -- and then sees no more than what matched her typing. A
national number, a date of birth or a name alone shows her nobody.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketenplan.persons.matching import MatchReason
from ketenplan.persons.selectors import person_matches, persons_known_to
from ketenplan.persons.tests.conftest import put_in_a_case
from ketenplan.persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

KEVIN_NUMBER = "85073003328"
OTHER_NUMBER = "90010100123"  # valid: 97 - (900101001 mod 97) = 23
BORN = date(1985, 7, 30)


@pytest.fixture
def kevin(bob):
    """Kevin Peeters, in a case of Bob's organisation (police) only."""
    kevin = PersonFactory(
        given_names="Kevin Johan", family_name="Peeters", birth_date=BORN, national_number=KEVIN_NUMBER
    )
    put_in_a_case(bob.organisation, kevin, PersonFactory(given_names="Lina", family_name="Peeters"))
    return kevin


def test_the_person_is_known_to_bob_not_to_alice(kevin, alice, bob):
    assert kevin in persons_known_to(user=bob)
    assert kevin not in persons_known_to(user=alice)


def test_a_national_number_alone_proposes_nobody_the_user_does_not_know(kevin, alice, bob):
    for given, family in [("", ""), ("Jan", "Janssens"), ("Jan", "Peeters"), ("Kevin", "Jacobs")]:
        assert person_matches(
            user=alice, given_names=given, family_name=family, national_number=KEVIN_NUMBER
        ) == [], (given, family)

    # Bob knows Kevin from his case: the number alone proposes him, as it always did.
    matches = person_matches(user=bob, given_names="", family_name="", national_number=KEVIN_NUMBER)
    assert [m.person for m in matches] == [kevin]
    assert matches[0].same_national_number and not matches[0].known_elsewhere


def test_a_given_name_and_a_birth_date_propose_nobody_the_user_does_not_know(kevin, alice, bob):
    for family in ["", "Jacobs", "Janssens"]:
        assert person_matches(user=alice, given_names="Kevin", family_name=family, birth_date=BORN) == []
    # A date of birth alone, or a family name and a date without the given name: nobody.
    assert person_matches(user=alice, given_names="", family_name="", birth_date=BORN) == []
    assert person_matches(user=alice, given_names="Jan", family_name="Peeters", birth_date=BORN) == []

    # Bob: a changed family name with the same given name and date is proposed (as before).
    matches = person_matches(user=bob, given_names="Kevin", family_name="Jacobs", birth_date=BORN)
    assert [m.person for m in matches] == [kevin]


def test_full_name_and_birth_date_propose_the_person_known_in_another_case(kevin, alice):
    matches = person_matches(user=alice, given_names="Kevin", family_name="Peeters", birth_date=BORN)

    assert [m.person for m in matches] == [kevin]
    match = matches[0]
    assert match.known_elsewhere
    assert match.name == "Kevin Johan Peeters"  # the stored spelling of what was typed alike
    assert match.birth_date == BORN  # typed the same
    assert set(match.reasons) == {
        MatchReason.SAME_BIRTH_DATE,
        MatchReason.SAME_FAMILY_NAME,
        MatchReason.SAME_GIVEN_NAME,
    }
    assert not match.same_national_number and not match.conflict


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Kevin", "Pieters"),  # a spelling variant of the family name
        ("Kevin", "peeters"),  # written otherwise
        ("Kewin", "Peeters"),  # sounds alike
        ("Peeters", "Kevin"),  # given and family name the other way round
    ],
)
def test_names_alike_with_the_birth_date_propose_too(kevin, alice, given, family):
    matches = person_matches(user=alice, given_names=given, family_name=family, birth_date=BORN)

    assert [m.person for m in matches] == [kevin]
    assert matches[0].known_elsewhere


def test_full_name_and_national_number_propose_without_the_birth_date_not_typed(kevin, alice):
    typed_otherwise = BORN + timedelta(days=400)
    for birth_date in (None, typed_otherwise):
        matches = person_matches(
            user=alice,
            given_names="Kevin",
            family_name="Peeters",
            birth_date=birth_date,
            national_number=KEVIN_NUMBER,
        )

        assert [m.person for m in matches] == [kevin]
        match = matches[0]
        assert match.known_elsewhere and match.same_national_number
        assert match.birth_date is None and not match.birth_date_shown
        assert set(match.reasons) == {
            MatchReason.SAME_NATIONAL_NUMBER,
            MatchReason.SAME_FAMILY_NAME,
            MatchReason.SAME_GIVEN_NAME,
        }
        # The score is made of what matched only: no penalty that tells the date differs.
        assert match.score == 100 + 35 + 30


def test_a_different_national_number_proposes_nobody_the_user_does_not_know(kevin, alice, bob):
    typed = {"given_names": "Kevin", "family_name": "Peeters", "birth_date": BORN}

    assert person_matches(user=alice, national_number=OTHER_NUMBER, **typed) == []
    matches = person_matches(user=bob, national_number=OTHER_NUMBER, **typed)
    assert [m.person for m in matches] == [kevin] and matches[0].conflict


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("K.", "Peeters"),  # initials
        ("Johan", "Peeters"),  # another of the given names
        ("Kevin", "Meeters"),  # a typing slip, not a known variant
        ("Peters", "Kevn"),  # the other way round, and only sounding alike
    ],
)
def test_weak_likeness_proposes_nobody_the_user_does_not_know(kevin, alice, bob, given, family):
    assert person_matches(user=alice, given_names=given, family_name=family, birth_date=BORN) == []


def test_an_approximate_birth_date_is_not_the_same_date(alice, bob):
    stranger = PersonFactory(
        given_names="Amina", family_name="Diallo", birth_date=date(1990, 1, 1), birth_date_approximate=True
    )
    put_in_a_case(bob.organisation, stranger)

    typed = {"given_names": "Amina", "family_name": "Diallo", "birth_date": date(1990, 6, 1)}
    assert person_matches(user=alice, **typed) == []
    assert [m.person for m in person_matches(user=bob, **typed)] == [stranger]


def test_a_person_in_no_case_at_all_is_treated_as_unknown(alice):
    loose = PersonFactory(given_names="Ilse", family_name="Wouters", birth_date=BORN)

    assert person_matches(user=alice, given_names="Ilse", family_name="Wouters") == []
    matches = person_matches(user=alice, given_names="Ilse", family_name="Wouters", birth_date=BORN)
    assert [m.person for m in matches] == [loose] and matches[0].known_elsewhere


def test_after_the_organisation_left_the_case_the_person_is_no_longer_known(alice):
    mother = PersonFactory(given_names="Sara", family_name="El Amrani", birth_date=BORN)
    put_in_a_case(alice.organisation, mother, until=timezone.now() - timedelta(days=1))

    assert mother not in persons_known_to(user=alice)
    assert person_matches(user=alice, given_names="Sara", family_name="El Amrani") == []


def test_known_and_unknown_persons_in_one_list(kevin, alice, known_person):
    colleague_case = known_person(given_names="Kevin", family_name="Peeters", birth_date=None)

    matches = person_matches(user=alice, given_names="Kevin", family_name="Peeters", birth_date=BORN)

    assert {m.person: m.known_elsewhere for m in matches} == {kevin: True, colleague_case: False}
    known = next(m for m in matches if m.person == colleague_case)
    assert known.birth_date_shown  # shown as always ("date of birth unknown")
