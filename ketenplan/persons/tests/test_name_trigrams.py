"""Typing slips in a family name: trigram similarity (pg_trgm on PostgreSQL)."""

from datetime import date

import pytest
from django.db import connection

from ketenplan.persons.matching import MatchQuery, MatchReason, trigram_similarity
from ketenplan.persons.selectors import match_shortlist, person_matches
from ketenplan.persons.tests.factories import PersonFactory


def test_trigram_similarity_is_pg_trgm_similarity():
    # Values as PostgreSQL's similarity() gives them.
    assert trigram_similarity("mertens", "nertens") == pytest.approx(5 / 11)
    assert trigram_similarity("deboer", "dexboer") == pytest.approx(0.5)
    assert trigram_similarity("mertens", "mertens") == 1.0
    assert trigram_similarity("", "mertens") == 0.0


@pytest.mark.django_db
def test_python_and_postgresql_agree_on_similarity():
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL only")
    with connection.cursor() as cursor:
        for a, b in [("mertens", "nertens"), ("vandenbroeck", "vandenbroek"), ("yilmaz", "yilmas")]:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(trigram_similarity(a, b), abs=1e-6)


@pytest.mark.django_db
def test_a_typing_slip_in_the_family_name_with_the_same_given_name(alice, known_person):
    sofie = known_person(given_names="Sofie", family_name="Mertens", birth_date=date(1980, 5, 1))

    matches = person_matches(user=alice, given_names="Sofie", family_name="Nertens")

    if connection.vendor == "postgresql":
        assert [m.person for m in matches] == [sofie]
        assert MatchReason.SPELLING_VARIANT in matches[0].reasons
    else:  # no trigram index on SQLite: a slip is found through the date of birth only
        assert matches == []
    matches = person_matches(
        user=alice, given_names="Sofie", family_name="Nertens", birth_date=date(1980, 5, 1)
    )
    assert [m.person for m in matches] == [sofie]


@pytest.mark.django_db
def test_a_typing_slip_does_not_propose_a_person_the_user_does_not_know(alice):
    # Too weak to identify someone the user knows from no case: family names could be
    # fished for by typing near misses with a known given name and date of birth.
    PersonFactory(given_names="Sofie", family_name="Mertens", birth_date=date(1980, 5, 1))

    matches = person_matches(
        user=alice, given_names="Sofie", family_name="Nertens", birth_date=date(1980, 5, 1)
    )

    assert matches == []


@pytest.mark.django_db
def test_the_shortlist_uses_the_trigram_index():
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL only")
    PersonFactory(given_names="Sofie", family_name="Mertens")
    qs = match_shortlist(MatchQuery(given_names="Sofie", family_name="Nertens"))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table: without these the planner rightly walks the primary key in order
        # (ORDER BY pk LIMIT n) and filters; what is checked is that the condition can be
        # answered by the trigram index at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_name_trgm_idx" in plan
