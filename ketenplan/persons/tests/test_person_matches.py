"""Proposing existing persons before a new one is registered.

How alike is alike enough, shown with persons Alice knows from a case her organisation
takes part in (``known_person``): those are proposed on any likeness. Persons she does
not know are proposed only on what identifies them: ``test_person_matches_access``."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from ketenplan.persons.matching import MatchQuery, MatchReason
from ketenplan.persons.models import Person
from ketenplan.persons.selectors import match_shortlist, person_matches
from ketenplan.persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BORN_1985 = "85073003328"
OTHER_BELGIAN_NUMBER = "90010100150"  # 97 - (900101001 mod 97) = 50
BSN = "123456782"


def proposed(matches):
    return [m.person for m in matches]


def test_spelling_variant_of_the_given_name(alice, known_person):
    mohamed = known_person(given_names="Mohamed", family_name="El Amrani", birth_date=None)

    matches = person_matches(user=alice, given_names="Mohammed", family_name="El Amrani")

    assert proposed(matches) == [mohamed]
    assert MatchReason.SPELLING_VARIANT in matches[0].reasons
    assert MatchReason.SAME_FAMILY_NAME in matches[0].reasons


def test_spelling_variant_of_the_family_name(alice, known_person):
    pieter = known_person(given_names="Pieter", family_name="Van den Broeck", birth_date=None)

    matches = person_matches(user=alice, given_names="Pieter", family_name="Vandenbroek")

    assert proposed(matches) == [pieter]
    assert set(matches[0].reasons) == {MatchReason.SAME_GIVEN_NAME, MatchReason.SPELLING_VARIANT}


def test_prefix_in_its_own_field_or_in_the_family_name(alice, known_person):
    jan = known_person(given_names="Jan", name_prefix="de", family_name="Vries", birth_date=None)

    matches = person_matches(user=alice, given_names="Jan", family_name="De Vries")

    assert proposed(matches) == [jan]
    assert MatchReason.SAME_FAMILY_NAME in matches[0].reasons


def test_transliteration(alice, known_person):
    fatma = known_person(given_names="Fatma", family_name="Yılmaz", birth_date=None)  # noqa: RUF001

    matches = person_matches(user=alice, given_names="Fatma", family_name="Yilmaz")

    assert proposed(matches) == [fatma]
    # Written differently, the same after transliteration.
    assert MatchReason.SPELLING_VARIANT in matches[0].reasons


def test_cyrillic_and_latin_spelling(alice):
    olena = PersonFactory(given_names="Олена", family_name="Шевченко", birth_date=date(1990, 4, 2))

    matches = person_matches(
        user=alice, given_names="Olena", family_name="Shevchenko", birth_date=date(1990, 4, 2)
    )

    assert proposed(matches) == [olena]


def test_date_of_birth_and_a_name_that_sounds_alike(alice):
    born = date(1979, 11, 23)
    johan = PersonFactory(given_names="Johan", family_name="Pieters", birth_date=born)
    PersonFactory(given_names="Johan", family_name="Pieters", birth_date=date(1955, 2, 1))

    matches = person_matches(user=alice, given_names="Jan", family_name="Peeters", birth_date=born)

    assert proposed(matches) == [johan]
    assert matches[0].reasons[0] == MatchReason.SAME_BIRTH_DATE
    assert MatchReason.SPELLING_VARIANT in matches[0].reasons


def test_names_that_only_sound_alike_need_a_birth_date(alice):
    born = date(1979, 11, 23)
    PersonFactory(given_names="Muhamed", family_name="Scheepers", birth_date=born)

    assert person_matches(user=alice, given_names="Mouhamed", family_name="Schepers") == []
    matches = person_matches(
        user=alice, given_names="Mouhamed", family_name="Schepers", birth_date=born
    )
    assert len(matches) == 1
    assert MatchReason.SOUNDS_ALIKE in matches[0].reasons


def test_a_typing_slip_in_the_date_of_birth_still_proposes(alice, known_person):
    katrien = known_person(given_names="Katrien", family_name="Bosmans", birth_date=date(1984, 3, 4))

    matches = person_matches(
        user=alice, given_names="Katrien", family_name="Bosmans", birth_date=date(1984, 4, 3)
    )

    assert proposed(matches) == [katrien]
    assert MatchReason.NEARLY_SAME_BIRTH_DATE in matches[0].reasons


def test_a_clearly_different_date_of_birth_is_not_the_same_person(alice):
    PersonFactory(given_names="Jan", family_name="Peeters", birth_date=date(1950, 1, 1))

    matches = person_matches(
        user=alice, given_names="Jan", family_name="Peeters", birth_date=date(1988, 7, 14)
    )

    assert matches == []


def test_national_number_beats_name(alice, known_person):
    same_number = known_person(
        given_names="Sofie", family_name="Claes", national_number=BORN_1985, birth_date=None
    )
    same_name = known_person(given_names="Jan", family_name="Janssens", birth_date=date(1985, 7, 30))

    matches = person_matches(
        user=alice,
        given_names="Jan",
        family_name="Janssens",
        birth_date=date(1985, 7, 30),
        national_number="85.07.30-033.28",
    )

    assert proposed(matches) == [same_number, same_name]
    assert matches[0].same_national_number
    assert matches[0].reasons[0] == MatchReason.SAME_NATIONAL_NUMBER
    assert matches[1].score > matches[0].score - 100  # the name match scores higher on names


def test_a_different_national_number_is_not_proposed_by_name_alone(alice):
    PersonFactory(
        given_names="Jan", family_name="Janssens", national_number=OTHER_BELGIAN_NUMBER,
        birth_date=date(1985, 7, 30),
    )

    matches = person_matches(
        user=alice, given_names="Jan", family_name="Janssens", national_number=BORN_1985
    )

    assert matches == []


def test_a_different_national_number_with_the_same_birth_date_is_flagged(alice, known_person):
    other = known_person(
        given_names="Jan", family_name="Janssens", national_number=OTHER_BELGIAN_NUMBER,
        birth_date=date(1985, 7, 30),
    )

    matches = person_matches(
        user=alice,
        given_names="Jan",
        family_name="Janssens",
        birth_date=date(1985, 7, 30),
        national_number=BORN_1985,
    )

    assert proposed(matches) == [other]
    assert matches[0].conflict
    assert MatchReason.DIFFERENT_NATIONAL_NUMBER in matches[0].reasons


def test_given_and_family_name_swapped(alice, known_person):
    fatma = known_person(given_names="Fatma", family_name="Yilmaz", birth_date=None)

    matches = person_matches(user=alice, given_names="Yilmaz", family_name="Fatma")

    assert proposed(matches) == [fatma]
    assert MatchReason.NAMES_SWAPPED in matches[0].reasons


def test_initials_with_the_same_birth_date(alice, known_person):
    born = date(1972, 5, 17)
    jan = known_person(given_names="Jan Pieter", family_name="De Smet", birth_date=born)

    matches = person_matches(user=alice, given_names="J.P.", family_name="Desmet", birth_date=born)

    assert proposed(matches) == [jan]
    assert MatchReason.MATCHING_INITIALS in matches[0].reasons


def test_a_changed_family_name_with_the_same_birth_date_and_given_name(alice, known_person):
    born = date(1991, 9, 9)
    maria = known_person(given_names="Maria", family_name="Wouters", birth_date=born)

    matches = person_matches(user=alice, given_names="Maria", family_name="Jacobs", birth_date=born)

    assert proposed(matches) == [maria]
    assert MatchReason.SAME_GIVEN_NAME in matches[0].reasons


def test_no_proposal_for_unrelated_names(alice):
    born = date(1985, 7, 30)
    PersonFactory(given_names="Fatima", family_name="Yilmaz", birth_date=born)
    PersonFactory(given_names="Kristof", family_name="Desmet", birth_date=date(1960, 1, 1))
    PersonFactory(given_names="Lisa", family_name="Peeters", birth_date=born)  # twin-like
    PersonFactory(given_names="Jan", family_name="Claes", birth_date=None)
    PersonFactory(given_names="Kathleen", family_name="Peeters", birth_date=None)

    assert person_matches(user=alice, given_names="Emma", family_name="Peeters", birth_date=born) == []
    assert person_matches(user=alice, given_names="Jan", family_name="Mertens") == []
    assert person_matches(user=alice, given_names="Katrien", family_name="Peeters") == []


def test_best_match_first_and_limit(alice, known_person):
    born = date(2001, 2, 3)
    exact = known_person(given_names="Youssef", family_name="Benali", birth_date=born)
    variant = known_person(given_names="Yusuf", family_name="Benali", birth_date=born)
    no_birth_date = known_person(given_names="Youssef", family_name="Benali", birth_date=None)

    matches = person_matches(user=alice, given_names="Youssef", family_name="Benali", birth_date=born)

    assert proposed(matches) == [exact, variant, no_birth_date]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    short = person_matches(
        user=alice, given_names="Youssef", family_name="Benali", birth_date=born, limit=1
    )
    assert proposed(short) == [exact]


def test_reasons_read_in_the_users_language(alice, known_person):
    known_person(given_names="Mohamed", family_name="El Amrani", birth_date=None)

    matches = person_matches(user=alice, given_names="Mohammed", family_name="El Amrani")

    assert "spelling variant" in matches[0].reason_labels


def test_only_professionals_who_work_on_cases_may_search(carla, django_user_model):
    with pytest.raises((PermissionDenied, Http404)):
        person_matches(user=carla, given_names="Jan", family_name="Peeters")


@pytest.mark.parametrize("number_of_persons", [10, 500])
def test_query_count_does_not_grow_with_the_number_of_persons(
    alice, known_person, django_assert_max_num_queries, number_of_persons
):
    creator = alice
    persons = [
        PersonFactory.build(created_by=creator, updated_by=creator)
        for _ in range(number_of_persons)
    ]
    for person in persons:
        person.refresh_search_keys()
    Person.objects.bulk_create(persons)
    known_person(given_names="Mohamed", family_name="El Amrani", created_by=creator)
    # A stranger with the same name: not proposed on the name alone, in the same query.
    PersonFactory(given_names="Mohamed", family_name="El Amrani", created_by=creator)
    assert alice.roles and alice.organisation  # read once per request, before the search

    with django_assert_max_num_queries(1):
        matches = person_matches(user=alice, given_names="Mohammed", family_name="Elamrani")
    assert len(matches) == 1 and not matches[0].known_elsewhere


def test_the_shortlist_uses_indexes_not_a_full_scan(alice):
    PersonFactory.create_batch(20, created_by=alice)
    query = MatchQuery(
        given_names="J.",
        family_name="Peeters",
        birth_date=date(1985, 7, 30),
        national_number=BORN_1985,
    )
    shortlist = match_shortlist(query)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # On a small table the planner rightly prefers reading it all; forbid that to
            # see whether every condition can be answered by an index.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = shortlist.explain()
        assert "Seq Scan" not in plan
    else:
        plan = shortlist.explain()
        assert "SCAN" not in plan  # every condition is a SEARCH through an index
    for index in ("person_phonetic_idx", "person_name_key_idx", "person_birth_date_idx"):
        assert index in plan
