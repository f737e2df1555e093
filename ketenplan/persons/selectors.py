"""Reads for persons, always through the access policy."""

from __future__ import annotations

from datetime import date

from django.contrib.postgres.lookups import TrigramSimilar
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from ketenplan.core import policy

from .identifiers import normalise_national_number
from .matching import (
    Match,
    MatchQuery,
    assess_candidate,
    assess_unseen_candidate,
    initial_letter,
    rank_matches,
)
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

    Whom the user may be shown (the one place for the web form, its live panel and the
    API): a person the user knows from a case they may see (``persons_known_to``) is
    proposed on any likeness (``assess_candidate``); anyone else only when the user typed
    enough to identify them -- family and given name alike and the same date of birth or
    national number -- and then only as far as it matches what was typed, marked
    ``known_elsewhere`` (``assess_unseen_candidate``). So typing a national number, a
    date of birth or a name alone reveals nobody the user does not already know.
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
    for candidate in match_shortlist(query, user=user):
        if candidate.known_to_user:
            match = assess_candidate(query, candidate)
        else:
            match = assess_unseen_candidate(query, candidate)
        if match is not None:
            matches.append(match)
    return rank_matches(matches, max(1, min(limit, MAX_MATCHES)))


def persons_known_to(*, user) -> QuerySet[Person]:
    """The persons the user knows from a case they may see (``cases.selectors.
    visible_cases``): the only ones they may link by id, and the only ones proposed as
    possible duplicates on any likeness. A subquery, no query of its own."""
    return Person.objects.filter(_known_to(user, OuterRef("pk")))


def _known_to(user, person) -> Exists:
    """The person (``person``: an ``OuterRef``) is a member of a case ``user`` may see;
    checked per person read, never by listing every member of every visible case."""
    from ketenplan.cases.models import CaseMember
    from ketenplan.cases.selectors import case_visible_q

    return Exists(CaseMember.objects.filter(person=person).filter(case_visible_q(user=user)))


def match_shortlist(query: MatchQuery, *, user=None) -> QuerySet[Person]:
    """The persons worth scoring: each condition is answered by an index. With ``user``,
    each is annotated ``known_to_user`` (see ``persons_known_to``), and the persons the
    user knows come before the others should the shortlist be cut."""
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
    order = ["pk"]
    if user is not None:
        known = _known_to(user, OuterRef("pk"))
        shortlist = shortlist.annotate(known_to_user=known)
        order.insert(0, F("known_to_user").desc())
    if query.national_number:
        # Should the shortlist be cut, the person with the same number is never cut.
        same_number_first = Case(
            When(national_number=query.national_number, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        order.insert(0, same_number_first)
    return shortlist.order_by(*order)[:SHORTLIST_SIZE]
