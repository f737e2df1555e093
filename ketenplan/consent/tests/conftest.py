"""Starting data for the consent tests.

``world`` is ``make_world()`` (see ``cases/tests/factories.py``). ``case`` is a family
in the dossier stage: the police (referrer), the coordination point and welfare
(operational team) take part, and the shelter was added as a partner; addiction care
does not take part. The family: Sara (victim, adult), Kevin (alleged perpetrator,
adult) and Lina (a child of 9).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world


@pytest.fixture
def world(db):
    w = make_world()
    w.shelter_worker = ProfessionalFactory(
        organisation=w.shelter, roles=[Role.PARTNER], mfa=True, full_name="Sanne Schuilhuis"
    )
    return w


@pytest.fixture
def case(world):
    case = case_at(world, Stage.DOSSIER)
    case_services.participation_add(
        actor=world.coordinator, case=case, organisation=world.shelter, reason="Shelter place"
    )
    case.refresh_from_db()
    return case


def members_of(case) -> SimpleNamespace:
    by_name = {m.person.given_names.lower(): m for m in case.members.select_related("person")}
    return SimpleNamespace(**by_name)


@pytest.fixture
def fam(case):
    return members_of(case)


def participating_orgs(world):
    return [world.police, world.coordination, world.welfare, world.shelter]


def all_orgs(world):
    return [
        world.police,
        world.coordination,
        world.welfare,
        world.shelter,
        world.addiction,
        world.unsigned_org,
    ]


def contribute(case, *, person, organisation, author, text="Information.") -> object:
    """A dossier contribution, written directly (test starting data)."""
    from ketenplan.dossier.models import Contribution
    from ketenplan.methods.models import LifeDomain

    return Contribution.objects.create(
        case=case,
        about_person=person,
        life_domain=LifeDomain.objects.order_by("order").first(),
        organisation=organisation,
        author=author,
        text=text,
        occurred_on=timezone.localdate(),
        source="Conversation",
    )


@pytest.fixture
def give(world):
    """``give(case, member, scope=..., organisations=...)``: consent given, in person."""
    from ketenplan.consent import services

    def _give(case, member, *, actor=None, given_by=None, **kwargs):
        return services.consent_record(
            actor=actor or world.coordinator,
            case=case,
            person=member.person,
            status="given",
            obtained_on=kwargs.pop("obtained_on", date.today()),
            obtained_how="in_person",
            given_by=given_by,
            **kwargs,
        )

    return _give
