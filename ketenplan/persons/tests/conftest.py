"""Personas for the person tests: Alice and Bob work on cases in two partner
organisations of one region; Carla is an analyst who only sees statistics."""

import pytest

from ketenplan.accounts.models import Organisation, Role
from ketenplan.accounts.tests.factories import OrganisationFactory, ProfessionalFactory


@pytest.fixture
def welfare_centre(db):
    return OrganisationFactory(name="CAW Testdal", type=Organisation.Type.GENERAL_WELFARE)


@pytest.fixture
def police(welfare_centre):
    return OrganisationFactory(
        name="Politiezone Testdal", type=Organisation.Type.POLICE, region=welfare_centre.region
    )


@pytest.fixture
def alice(welfare_centre):
    return ProfessionalFactory(
        full_name="Alice Aerts",
        organisation=welfare_centre,
        roles=[Role.CASE_DIRECTOR, Role.TEAM_MEMBER],
    )


@pytest.fixture
def bob(police):
    return ProfessionalFactory(
        full_name="Bob Bogaerts", organisation=police, roles=[Role.REFERRER]
    )


@pytest.fixture
def carla(welfare_centre):
    return ProfessionalFactory(
        full_name="Carla Cools", organisation=welfare_centre, roles=[Role.ANALYST]
    )


def put_in_a_case(organisation, *persons, until=None):
    """A case that ``organisation`` takes part in (ended at ``until``, when given) with
    ``persons`` as members: its professionals know them from a case they may see.
    Test data straight into the models, no audit."""
    from ketenplan.cases.models import Case, CaseMember, Participation

    author = persons[0].created_by
    case = Case.objects.create(
        region=organisation.region,
        reference=f"T-{next(_case_numbers)}",
        family_label="Family under test",
        registered_by=author,
        referring_organisation=organisation,
        reason="Test",
    )
    Participation.objects.create(
        case=case, organisation=organisation, kind="referrer", added_by=author, until=until
    )
    for person in persons:
        CaseMember.objects.create(case=case, person=person, roles=["relative"], added_by=author)
    return case


_case_numbers = iter(range(1, 10**9))


@pytest.fixture
def known_person(alice):
    """``known_person(**fields)``: a person (``PersonFactory``) in a case Alice's
    organisation takes part in, so she knows them from a case she may see."""
    from .factories import PersonFactory

    def make(**fields):
        person = PersonFactory(**fields)
        put_in_a_case(alice.organisation, person)
        return person

    return make
