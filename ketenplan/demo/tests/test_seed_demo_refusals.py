"""The demo never reaches production; these tests start from an empty database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ketenplan.accounts.models import Region
from ketenplan.accounts.tests.factories import totp_code
from ketenplan.cases.models import Case
from ketenplan.demo import region as demo

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert not Region.objects.exists()
    assert not Case.objects.exists()


def test_demo_totp_prints_the_current_code():
    out = StringIO()
    call_command("demo_totp", stdout=out)
    codes = {totp_code(demo.DEMO_TOTP_SECRET, offset) for offset in (-1, 0, 1)}
    assert out.getvalue().strip() in codes


def test_a_demo_region_without_cases_gets_its_cases(monkeypatch):
    """A database seeded before the demo had cases: seed_demo adds them, once."""
    from ketenplan.demo.management.commands import seed_demo

    told = []
    monkeypatch.setattr(seed_demo, "add_demo_cases", lambda region: told.append(region) or [])
    call_command("seed_demo", stdout=StringIO())  # the region (cases stubbed out)
    region = Region.objects.get(name=demo.REGION_NAME)

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert told == [region, region]
    assert Region.objects.filter(name=demo.REGION_NAME).count() == 1
