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
