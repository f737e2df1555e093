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
