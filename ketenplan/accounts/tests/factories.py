"""Factories for regions, organisations and professionals.

``ProfessionalFactory(roles=[Role.COORDINATOR], mfa=True)`` gives a coordinator who can
sign in with ``PASSWORD`` and who has an authenticator app enrolled with ``TOTP_SECRET``.
"""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from ketenplan.accounts.models import Organisation, Professional, Region, Role, RoleGrant

PASSWORD = "Ketting-van-zorg-2026"
# Base32; the same for every factory professional with ``mfa=True``.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test district {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    type = Organisation.Type.GENERAL_WELFARE
    ring = Organisation.Ring.CORE


class ProfessionalFactory(factory.django.DjangoModelFactory):
    """A professional with a usable password.

    ``roles``: the roles to grant (default: partner professional). ``mfa=True`` enrolls
    an authenticator app (TOTP) with ``TOTP_SECRET``.
    """

    class Meta:
        model = Professional
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"professional{n}@partner.example")
    full_name = factory.Faker("name", locale="nl_BE")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        roles = [Role.PARTNER] if extracted is None else list(extracted)
        RoleGrant.objects.bulk_create(RoleGrant(professional=self, role=r) for r in roles)
        self._roles_cache = None

    @factory.post_generation
    def email_address(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted:
            TOTP.activate(self, TOTP_SECRET)


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (``offset`` periods on)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2] + offset))
