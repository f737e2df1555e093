"""Property-based: over random families, consent histories, legal bases, participations,
contributions and contact details, the bulk helpers and queryset conditions return
exactly what the per-object rules allow — and both agree with a plain model of METHOD.md
§4 written here from the drawn data alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketenplan.cases.models import Case, CaseMember, Participation
from ketenplan.consent import policy as rules
from ketenplan.consent.models import Consent, ConsentOrganisation, LegalBasis
from ketenplan.core import policy
from ketenplan.dossier import selectors as dossier_selectors
from ketenplan.dossier.models import Contribution, InformationRequest
from ketenplan.persons.models import ContactDetail, Person

from .conftest import contribute

pytestmark = pytest.mark.django_db

ORGS = ["police", "coordination", "welfare", "shelter", "addiction"]
CONSENT_KINDS = ["asked", "given_all", "given_chosen", "refused", "withdrawn", "not_asked"]
BASIS_STATES = ["active", "ended", "expired", "future"]


@dataclass
class Spec:
    ages: list[int]
    participation: dict[str, str]
    consents: list[tuple[int, str, frozenset[str], int]]  # person, kind, chosen, minutes ago
    bases: list[tuple[int, str]]
    contributions: list[tuple[int | None, str]]
    details: list[tuple[int, str, bool]]
    director: str | None
    look_back: int  # minutes: the moment ``at`` for the historical check
    requests: list  # answered information requests: (about person or None, to organisation)


@st.composite
def specs(draw) -> Spec:
    n = draw(st.integers(min_value=1, max_value=4))
    person = st.integers(min_value=0, max_value=n - 1)
    org = st.sampled_from(ORGS)
    return Spec(
        ages=draw(st.lists(st.integers(min_value=0, max_value=80), min_size=n, max_size=n)),
        participation={o: draw(st.sampled_from(["none", "active", "ended"])) for o in ORGS},
        consents=draw(
            st.lists(
                st.tuples(
                    person,
                    st.sampled_from(CONSENT_KINDS),
                    st.frozensets(org, min_size=1, max_size=3),
                    st.integers(min_value=1, max_value=6),  # equal moments happen: pk decides
                ),
                max_size=6,
            )
        ),
        bases=draw(st.lists(st.tuples(person, st.sampled_from(BASIS_STATES)), max_size=3)),
        contributions=draw(st.lists(st.tuples(st.none() | person, org), max_size=6)),
        details=draw(st.lists(st.tuples(person, org, st.booleans()), max_size=4)),
        director=draw(st.sampled_from([None, "welfare", "shelter"])),
        look_back=draw(st.integers(min_value=0, max_value=7)),
        requests=draw(st.lists(st.tuples(st.none() | person, org), max_size=3)),
    )


# --- A plain model of the rules, from the drawn data alone ------------------------------


class Oracle:
    def __init__(self, spec: Spec, now, built):
        self.spec, self.now, self.built = spec, now, built

    def participates(self, org: str, at) -> bool:
        state = self.spec.participation[org]
        if at is None:
            return state == "active"
        since, until = self.built.participation_times[org]
        return state != "none" and since <= at and (until is None or until > at)

    def consent_covers(self, p: int, org: str, at) -> bool:
        events = [
            (self.now - timedelta(minutes=ago), i, kind, chosen)
            for i, (who, kind, chosen, ago) in enumerate(self.spec.consents)
            if who == p and (at is None or self.now - timedelta(minutes=ago) <= at)
        ]
        if not events:
            return False
        _moment, _i, kind, chosen = max(events, key=lambda e: (e[0], e[1]))
        return kind == "given_all" or (kind == "given_chosen" and org in chosen)

    def basis_active(self, p: int, at) -> bool:
        moment = at or timezone.now()
        day = timezone.localdate(moment)
        for b in self.built.bases:
            if b.person_index != p:
                continue
            if not (b.valid_from <= day <= b.valid_until):
                continue
            if at is not None and b.recorded_at > at:
                continue
            if b.ended_at is None or (at is not None and b.ended_at > at):
                return True
        return False

    def shares(self, p: int, org: str, at=None) -> bool:
        return self.participates(org, at) and (self.consent_covers(p, org, at) or self.basis_active(p, at))


# --- Building the drawn world in the database -------------------------------------------


@dataclass
class BuiltBasis:
    person_index: int
    valid_from: date
    valid_until: date
    recorded_at: object
    ended_at: object


class Built:
    pass


def build(world, spec: Spec, now) -> tuple[Case, Built]:
    orgs = {o: getattr(world, o) for o in ORGS}
    author = world.coordinator
    directors = {"welfare": world.case_director, "shelter": world.shelter_worker}
    case = Case.objects.create(
        region=world.region,
        reference=f"P-{Case.objects.count() + 1}-{now.timestamp()}",
        family_label="Random family",
        registered_by=author,
        referring_organisation=world.police,
        reason="Property test",
        case_director=directors.get(spec.director),
    )
    built = Built()
    built.participation_times = {}
    for key, state in spec.participation.items():
        since, until = now - timedelta(hours=2), None
        if state == "ended":
            until = now - timedelta(minutes=3)
        built.participation_times[key] = (since, until)
        if state != "none":
            Participation.objects.create(
                case=case, organisation=orgs[key], kind="partner", added_by=author, since=since, until=until
            )
    today = timezone.localdate()
    persons = []
    for i, age in enumerate(spec.ages):
        person = Person.objects.create(
            given_names=f"Person{i}",
            family_name="Random",
            birth_date=today - timedelta(days=365 * age + 1),
            created_by=author,
            updated_by=author,
        )
        CaseMember.objects.create(case=case, person=person, roles=["relative"], added_by=author)
        persons.append(person)
    for who, kind, chosen, ago in spec.consents:
        status = "given" if kind.startswith("given") else kind
        answered = status in ("given", "refused", "withdrawn")
        consent = Consent.objects.create(
            case=case,
            person=persons[who],
            status=status,
            scope="chosen" if kind == "given_chosen" else "all_partners",
            obtained_on=today if answered else None,
            obtained_how="in_person" if answered else "",
            reason="Not asked, for safety." if status == "not_asked" else "",
            recorded_by=author,
            recorded_by_organisation=world.coordination,
            recorded_at=now - timedelta(minutes=ago),
        )
        if kind == "given_chosen":
            ConsentOrganisation.objects.bulk_create(
                ConsentOrganisation(consent=consent, organisation=orgs[o]) for o in sorted(chosen)
            )
    built.bases = []
    periods = {
        "active": (today - timedelta(days=10), today + timedelta(days=10)),
        "ended": (today - timedelta(days=10), today + timedelta(days=10)),
        "expired": (today - timedelta(days=20), today - timedelta(days=2)),
        "future": (today + timedelta(days=2), today + timedelta(days=20)),
    }
    for who, state in spec.bases:
        valid_from, valid_until = periods[state]
        recorded_at = now - timedelta(minutes=10)
        ended_at = now - timedelta(minutes=2) if state == "ended" else None
        LegalBasis.objects.create(
            case=case,
            person=persons[who],
            basis="uk_marac",
            justification="MARAC",
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_by=author,
            recorded_by_organisation=world.coordination,
            recorded_at=recorded_at,
            ended_at=ended_at,
            ended_by=author if ended_at else None,
            end_reason="Ended" if ended_at else "",
        )
        built.bases.append(BuiltBasis(who, valid_from, valid_until, recorded_at, ended_at))
    built.persons = persons
    built.contributions = [
        contribute(
            case,
            person=persons[who] if who is not None else None,
            organisation=orgs[org],
            author=author,
        )
        for who, org in spec.contributions
    ]
    built.details = [
        ContactDetail.objects.create(
            person=persons[who],
            kind="phone",
            value="+32 470 00 00 00",
            is_confidential=confidential,
            recorded_by_organisation=orgs[org],
            recorded_by=author,
        )
        for who, org, confidential in spec.details
    ]
    built.requests = [
        InformationRequest.objects.create(
            case=case,
            to_organisation=orgs[org],
            about_person=persons[who] if who is not None else None,
            question="Question",
            due_on=today + timedelta(days=7),
            status=InformationRequest.Status.ANSWERED,
            requested_by=author,
            answer="Answer",
            answered_at=now,
        )
        for who, org in spec.requests
    ]
    return case, built


def viewers(world) -> dict[str, object]:
    return {
        "police": world.referrer,
        "coordination": world.coordinator,
        "welfare": world.team_member,
        "welfare_director": world.case_director,
        "shelter": world.shelter_worker,
        "addiction": world.outsider,
        "analyst": world.analyst,
    }


ORG_OF_VIEWER = {"welfare_director": "welfare", "analyst": None}


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=specs())
def test_bulk_helpers_and_querysets_return_exactly_what_the_per_object_rules_allow(world, spec):
    with transaction.atomic():
        now = timezone.now()
        case, built = build(world, spec, now)
        oracle = Oracle(spec, now, built)
        index_of = {p.pk: i for i, p in enumerate(built.persons)}
        at = now - timedelta(minutes=spec.look_back)

        # The central rule: per object, in bulk, and against the model — now and at ``at``.
        for org in ORGS:
            organisation = getattr(world, org)
            for moment in (None, at):
                bulk = rules.sharing_map(case, organisation, at=moment)
                assert set(bulk) == set(index_of)
                for person in built.persons:
                    one = rules.shares_about(person, case, organisation, at=moment)
                    expected = oracle.shares(index_of[person.pk], org, moment)
                    assert one == bulk[person.pk] == expected, (org, index_of[person.pk], moment)

        # Contributions and contact details, for each viewer.
        contributions = Contribution.objects.filter(case=case)
        for name, user in viewers(world).items():
            org = ORG_OF_VIEWER.get(name, name)
            per_object = {c.pk for c in built.contributions if rules.contribution_visible(user, c)}
            with_case = set(
                contributions.filter(rules.visible_contributions_q(user, case)).values_list("pk", flat=True)
            )
            across = set(
                contributions.filter(rules.visible_contributions_q(user)).values_list("pk", flat=True)
            )
            expected = set()
            if org is not None:
                for c, (who, by) in zip(built.contributions, spec.contributions, strict=True):
                    if by == org or who is None or oracle.shares(who, org):
                        expected.add(c.pk)
            assert per_object == with_case == across == expected, name
            expected_contributions = expected
            withheld = contributions.exclude(rules.visible_contributions_q(user, case)).count()
            assert withheld == len(built.contributions) - len(expected)

            per_object = {d.pk for d in built.details if rules.contact_detail_visible(user, d, case)}
            in_bulk = set(
                ContactDetail.objects.filter(rules.visible_contact_details_q(user, case)).values_list(
                    "pk", flat=True
                )
            )
            expected = set()
            if org is not None:
                is_director = case.case_director_id == user.pk
                for d, (who, by, confidential) in zip(built.details, spec.details, strict=True):
                    if by == org or (oracle.shares(who, org) and (not confidential or is_director)):
                        expected.add(d.pk)
            assert per_object == in_bulk == expected, name

            # The querysets the pages, the API and search start from (``policy.scope``)
            # against the per-object rules (``policy.can``) and the model.
            takes_part = org is not None and oracle.participates(org, None)
            listed = set(policy.scope(user, "case.view", Case.objects.filter(pk=case.pk)))
            assert (case in listed) == policy.can(user, "case.view", case) == takes_part, name
            readable = contributions.filter(is_current=True)
            in_list = set(
                policy.scope(user, "dossier.view_contribution", readable).values_list("pk", flat=True)
            )
            per_object = {c.pk for c in readable if policy.can(user, "dossier.view_contribution", c)}
            current = set(readable.values_list("pk", flat=True))
            assert in_list == per_object == (expected_contributions & current if takes_part else set()), name

            # Answers to information requests follow the same consent rule as contributions.
            requests = dossier_selectors._requests(user).filter(case=case)
            shared = {r.pk for r in requests if r.answer_shared}
            per_object = {r.pk for r in built.requests if policy.can(user, "dossier.read_answer", r)}
            expected = set()
            for r, (who, to) in zip(built.requests, spec.requests, strict=True):
                if to == org or (takes_part and (who is None or oracle.shares(who, org))):
                    expected.add(r.pk)
            assert shared == per_object == expected, name
        transaction.set_rollback(True)
