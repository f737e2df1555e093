"""The shared list controls: sorting from an allow-list, filtering that only narrows,
paging that forgives bad page numbers and keeps the filters and sort."""

from __future__ import annotations

import re

import pytest
from django.db.models import F
from django.test import RequestFactory

from ketenplan.accounts.models import Professional, Role
from ketenplan.accounts.tests.factories import OrganisationFactory, ProfessionalFactory
from ketenplan.core.lists import SortKey, list_page, order_fields, resolve_sort, sort_columns

SORTS = {
    "name": SortKey("Name", ("full_name",)),
    "organisation": SortKey("Organisation", ("organisation__name", "-full_name")),
    "review": SortKey("Review", (F("last_login").asc(nulls_first=True),)),
}


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("name", "name"),
        ("-name", "-name"),
        ("", "-organisation"),
        (None, "-organisation"),
        ("password", "-organisation"),  # not on the allow-list
        ("--name", "-organisation"),
        ("name-", "-organisation"),
        ("organisation__name", "-organisation"),  # a field path, not a key
    ],
)
def test_unknown_sort_keys_fall_back_to_the_default(asked, expected):
    assert resolve_sort(asked, SORTS, "-organisation") == expected


def test_descending_reverses_every_field_and_the_order_is_stable():
    assert order_fields("organisation", SORTS) == ["organisation__name", "-full_name", "pk"]
    assert order_fields("-organisation", SORTS) == ["-organisation__name", "full_name", "-pk"]
    descending = order_fields("-review", SORTS)[0]
    assert descending.descending and descending.nulls_last


def test_sort_links_keep_the_filters_drop_the_page_and_mark_the_active_column():
    request = RequestFactory().get("/", {"q": "an", "page": "3", "sort": "name"})
    columns = sort_columns(request.GET, SORTS, "name")

    assert columns["name"].aria_sort == "ascending"
    assert "sort=-name" in columns["name"].url and "q=an" in columns["name"].url
    assert "page=" not in columns["name"].url
    assert columns["organisation"].aria_sort is None
    assert "sort=organisation" in columns["organisation"].url


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "expected"), [("1", 1), ("2", 2), ("99", 2), ("-1", 2), ("x", 1), ("", 1)])
def test_bad_page_numbers_give_the_first_or_last_page(page, expected):
    organisation = OrganisationFactory()
    ProfessionalFactory.create_batch(3, organisation=organisation)
    request = RequestFactory().get("/", {"page": page})
    listing = list_page(
        request,
        Professional.objects.filter(organisation=organisation),
        sorts=SORTS,
        default_sort="name",
        per_page=2,
    )
    assert listing.page.number == expected


# --- Through the pages ----------------------------------------------------------------------


@pytest.fixture
def colleagues(sign_in):
    here = OrganisationFactory(name="CAW Hier")
    me = sign_in(Role.PARTNER, organisation=here, full_name="Aaron Eerst")
    people = [
        ProfessionalFactory(
            full_name=f"Collega {i:02d}", organisation=OrganisationFactory(region=here.region)
        )
        for i in range(60)
    ]
    outsider = ProfessionalFactory(full_name="Collega Ver Weg", organisation=OrganisationFactory())
    return me, people, outsider


@pytest.mark.django_db
def test_the_directory_sorts_filters_and_pages(client, colleagues):
    me, _people, outsider = colleagues

    html = client.get("/people/professionals/", {"q": "Collega", "sort": "-name"}).content.decode()
    assert html.index("Collega 59") < html.index("Collega 58")
    assert 'aria-sort="descending"' in html
    assert me.email not in html  # filtered out
    assert outsider.email not in html  # never in scope, whatever the filter
    nav = re.search(r'<nav class="pagination" aria-label="[^"]+">(.*?)</nav>', html, re.S).group(1)
    # The next page keeps the filter and the sort.
    assert "q=Collega" in nav and "sort=-name" in nav and "page=2" in nav

    second = client.get("/people/professionals/", {"q": "Collega", "sort": "-name", "page": "2"})
    assert "Collega 09" in second.content.decode() and "Collega 59" not in second.content.decode()


@pytest.mark.django_db
def test_an_unknown_sort_or_page_shows_the_list_not_an_error(client, colleagues):
    response = client.get("/people/professionals/", {"sort": "password", "page": "9999"})
    assert response.status_code == 200
    assert "Collega" in response.content.decode()
    response = client.get("/people/organisations/", {"sort": "region__name;drop", "ring": "nonsense"})
    assert response.status_code == 200


LIST_PAGES = [
    ("/people/professionals/", Role.PARTNER),
    ("/people/organisations/", Role.PARTNER),
    ("/meetings/", Role.COORDINATOR),
    ("/meetings/escalations/", Role.COORDINATOR),
    ("/meetings/consultations/sign-ups/", Role.COORDINATOR),
    ("/reporting-code/", Role.PARTNER),
    ("/cases/emergency/review/", Role.COORDINATOR),
    ("/cases/", Role.COORDINATOR),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role"), LIST_PAGES)
def test_every_list_page_has_sortable_headers_labelled_filters_and_survives_bad_input(
    client, sign_in, url, role
):
    sign_in(role)
    html = client.get(url).content.decode()
    # Sortable column headers are links, one of them marked as the current order.
    assert re.search(r'<th scope="col" aria-sort="(ascending|descending)"><a href="\?[^"]*sort=', html), url
    # The filter form is a labelled search landmark with labelled fields.
    form = re.search(
        r'<form method="get" class="filters" role="search" aria-label="[^"]+">(.*?)</form>', html, re.S
    )
    assert form, url
    visible = re.sub(r'<input type="hidden"[^>]*>', "", form.group(1))
    for field_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', visible):
        assert f'for="{field_id}"' in visible, (url, field_id)

    bad = client.get(url, {"sort": "nope", "page": "abc", "status": "nope", "period": "nope"})
    assert bad.status_code == 200, url


@pytest.mark.django_db
def test_the_api_case_list_pages_sorts_from_the_allow_list_and_filters():
    from rest_framework.test import APIClient

    from ketenplan.api import services as api_services
    from ketenplan.cases.models import Stage
    from ketenplan.cases.tests.factories import case_at, make_world

    world = make_world()
    cases = [case_at(world, Stage.EXECUTION) for _ in range(3)]
    client = APIClient()
    token = api_services.api_token_create(actor=world.coordinator, name="test", valid_days=30)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    body = client.get("/api/cases/", {"ordering": "reference", "limit": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    references = sorted(c.reference for c in cases)
    assert [r["reference"] for r in body["results"]] == references[:2]
    descending = client.get("/api/cases/", {"ordering": "-reference"}).json()["results"]
    assert [r["reference"] for r in descending] == references[::-1]
    assert client.get("/api/cases/", {"ordering": "password"}).status_code == 200
    assert client.get("/api/cases/", {"stage": Stage.CLOSED}).json()["count"] == 0
