"""Reads for persons, always through the access policy."""

from __future__ import annotations

from datetime import date

from django.contrib.postgres.lookups import TrigramSimilar
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from ketenplan.core import policy

from .identifiers import normalise_national_number
from .matching import Match, MatchQuery, assess_candidate, initial_letter, rank_matches
from .models import Person

# At most this many candidates are read from the database and scored per search.
SHORTLIST_SIZE = 200
MAX_MATCHES = 50


def person_matches(
    *,
    user,
    given_names: str,
    family_name: str,
    name_prefix: str = "",
    birth_date: date | None = None,
    national_number: str = "",
    limit: int = 10,
) -> list[Match]:
    """Existing persons who may be the person about to be registered, best first.

    A person with the same national number always comes first. Each match carries a
    score and the reasons, for the user to decide: link to that person or create a new
    one. One query: a shortlist through the indexed keys (national number, phonetic and
    name keys of family and given name in either order, date of birth), scored here.
    """
    policy.require(user, "persons.find_matches")
    try:
        national_number = normalise_national_number(national_number)
    except ValidationError:
        national_number = ""  # a mistyped number matches nothing; the form says why
    query = MatchQuery(
        given_names=given_names or "",
        family_name=family_name or "",
        name_prefix=name_prefix or "",
        birth_date=birth_date,
        national_number=national_number,
    )
    matches = []
    for candidate in match_shortlist(query):
        match = assess_candidate(query, candidate)
        if match is not None:
            matches.append(match)
    return rank_matches(matches, max(1, min(limit, MAX_MATCHES)))


def match_shortlist(query: MatchQuery) -> QuerySet[Person]:
    """The persons worth scoring: each condition is answered by an index."""
    keys = query.keys
    conditions = Q()
    if query.national_number:
        conditions |= Q(national_number=query.national_number)
    if keys.phonetic_key and keys.given_phonetic_key:
        conditions |= Q(phonetic_key=keys.phonetic_key, given_phonetic_key=keys.given_phonetic_key)
        # Given and family name the other way round.
        conditions |= Q(phonetic_key=keys.given_phonetic_key, given_phonetic_key=keys.phonetic_key)
    if keys.phonetic_key and query.given_as_initials:
        conditions |= Q(
            phonetic_key=keys.phonetic_key,
            given_name_key__startswith=initial_letter(query.given_names),
        )
    if keys.name_key and keys.given_name_key:
        # Names in a script without a phonetic code still match when written the same.
        conditions |= Q(name_key=keys.name_key, given_name_key=keys.given_name_key)
        if connection.vendor == "postgresql":
            # Typing slips the phonetic code does not absorb ("Mertens"/"Nertens"):
            # trigram similarity of both keys, answered by the pg_trgm GIN index
            # person_name_trgm_idx (migration 0003). SQLite has no such index: there a
            # slip is found through the date of birth only.
            conditions |= Q(
                TrigramSimilar(F("name_key"), Value(keys.name_key)),
                TrigramSimilar(F("given_name_key"), Value(keys.given_name_key)),
            )
    if query.birth_date is not None:
        conditions |= Q(birth_date=query.birth_date)
    if not conditions:
        return Person.objects.none()
    shortlist = Person.objects.filter(conditions)
    if query.national_number:
        # Should the shortlist be cut, the person with the same number is never cut.
        same_number_first = Case(
            When(national_number=query.national_number, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return shortlist.order_by(same_number_first, "pk")[:SHORTLIST_SIZE]
    return shortlist.order_by("pk")[:SHORTLIST_SIZE]
