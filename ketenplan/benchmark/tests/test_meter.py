"""The bench middleware's query count: a page's own queries, with the occasional
bookkeeping write (an API token's last use, at most every five minutes) counted apart,
so that the same request costs the same count whenever it comes."""

import pytest

from ketenplan.api.models import ApiToken
from ketenplan.api.tests.conftest import api_as
from ketenplan.cases.tests.factories import make_world, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def metered_middleware(settings):
    settings.MIDDLEWARE = ["ketenplan.benchmark.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]


def test_the_token_write_is_counted_apart_from_the_page(metered_middleware):
    world = make_world()
    case = register(world)
    client = api_as(world.referrer)

    first = client.get(f"/api/cases/{case.pk}/", HTTP_ACCEPT="application/json")  # writes last use
    second = client.get(f"/api/cases/{case.pk}/", HTTP_ACCEPT="application/json")  # within 5 minutes
    assert first.status_code == second.status_code == 200
    assert ApiToken.objects.get(professional=world.referrer).last_used_at is not None
    assert (first["X-Bench-Bookkeeping"], second["X-Bench-Bookkeeping"]) == ("1", "0")
    assert first["X-Bench-Queries"] == second["X-Bench-Queries"]
    assert int(first["X-Bench-Queries"]) > 0
