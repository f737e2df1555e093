"""The demo region: realistic, clearly fictional, complete, and never in production.

The region is seeded once for this module (``conftest.demo_db``); the demo cases have
their own module, ``test_demo_cases.py``.
"""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from ketenplan.accounts.models import Organisation, Professional, Role
from ketenplan.accounts.tests.factories import totp_code
from ketenplan.accounts.tests.helpers import MFA_AUTHENTICATE, post_password, signed_in_user_id
from ketenplan.cases.models import Case
from ketenplan.demo import region as demo


def test_the_demo_region_has_both_rings_and_every_role(seeded):
    organisations = Organisation.objects.filter(region=seeded)
    professionals = Professional.objects.filter(organisation__region=seeded)

    assert 12 <= organisations.count() <= 20
    assert {o.ring for o in organisations} == set(Organisation.Ring.values)
    assert organisations.filter(is_coordination_point=True).count() == 1
    assert organisations.filter(agreement_signed_on__isnull=True).exists()
    assert professionals.count() == 25
    held = set().union(*(p.roles for p in professionals))
    assert held == set(Role.values)
    # Clearly fictional: e-mail only under the reserved .example domain.
    assert all(p.email.endswith(".example") for p in professionals)


def test_demo_users_who_need_a_second_factor_have_one(seeded):
    for professional in Professional.objects.filter(organisation__region=seeded):
        enrolled = Authenticator.objects.filter(
            user=professional, type=Authenticator.Type.TOTP
        ).exists()
        assert enrolled == professional.requires_mfa, professional.email


def test_a_demo_user_signs_in_with_the_printed_password_and_code(seeded, fresh_totp_period):
    coordinator = Professional.objects.filter(
        organisation__region=seeded, role_grants__role=Role.COORDINATOR
    ).first()
    client = Client()

    response = post_password(client, coordinator.email, demo.DEMO_PASSWORD)
    assert response["Location"] == MFA_AUTHENTICATE
    client.post(MFA_AUTHENTICATE, {"code": totp_code(demo.DEMO_TOTP_SECRET)})

    assert signed_in_user_id(client) == str(coordinator.pk)
    assert client.get("/people/invite/").status_code == 200


def test_seeding_twice_changes_nothing(seeded):
    before = (Organisation.objects.count(), Professional.objects.count(), Case.objects.count())
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert (Organisation.objects.count(), Professional.objects.count(), Case.objects.count()) == before
    assert "nothing changed" in out.getvalue()


def test_seed_demo_refuses_in_production_even_when_the_region_exists(seeded, settings):
    settings.PRODUCTION = True
    before = Case.objects.count()

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert Case.objects.count() == before


def test_demo_logins_show_password_secret_and_a_valid_code(seeded):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()

    assert demo.DEMO_PASSWORD in text
    assert demo.DEMO_TOTP_SECRET in text
    assert "make totp" in text
    assert text.count("@") == 25
    codes = {totp_code(demo.DEMO_TOTP_SECRET, offset) for offset in (-1, 0, 1)}
    assert any(code in text for code in codes)
    assert f"{Case.objects.count()} demo cases" in text
