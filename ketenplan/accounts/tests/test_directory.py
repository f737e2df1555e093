"""The directory of professionals and organisations: one's own region only."""

import pytest
from django.test import Client

from ketenplan.accounts.models import Professional, Role
from ketenplan.accounts.tests.factories import OrganisationFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_regions(client, sign_in):
    here = OrganisationFactory(name="CAW Hier")
    me = sign_in(Role.PARTNER, organisation=here)
    colleague = ProfessionalFactory(
        full_name="Collega Dichtbij", organisation=OrganisationFactory(region=here.region)
    )
    outsider = ProfessionalFactory(full_name="Ver Weg", organisation=OrganisationFactory())
    return me, colleague, outsider


def test_the_directory_shows_the_own_region_only(client, two_regions):
    me, colleague, outsider = two_regions

    html = client.get("/people/professionals/").content.decode()

    assert colleague.email in html
    assert me.email in html
    assert outsider.email not in html


def test_filtering_never_widens_the_scope(client, two_regions):
    _me, colleague, outsider = two_regions

    by_name = client.get("/people/professionals/", {"q": "Ver Weg"}).content.decode()
    by_role = client.get("/people/professionals/", {"role": Role.PARTNER}).content.decode()
    by_other_org = client.get(
        "/people/professionals/", {"organisation": outsider.organisation_id}
    ).content.decode()

    assert outsider.email not in by_name + by_role + by_other_org
    assert colleague.email in by_role


def test_the_organisation_list_shows_the_own_region_only(client, two_regions):
    me, colleague, outsider = two_regions

    html = client.get("/people/organisations/").content.decode()

    assert me.organisation.name in html
    assert colleague.organisation.name in html
    assert outsider.organisation.name not in html


def test_nobody_can_sign_up():
    client = Client()
    client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {"email": "self.made@partner.example", "password1": "Zelf-bedacht-99x"},
    )

    assert response.status_code in (200, 302, 403)
    assert not Professional.objects.filter(email="self.made@partner.example").exists()
    assert client.session.get("_auth_user_id") is None
