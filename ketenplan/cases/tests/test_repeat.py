"""A person registered again within 12 months of an earlier case's registration or
closure makes the new case a repeat."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.cases import selectors, services
from ketenplan.cases.models import Case, MemberRole, Stage
from ketenplan.cases.tests.factories import case_at, make_world, register, weigh
from ketenplan.methods.schedule import add_months

pytestmark = pytest.mark.django_db


def months_ago(months: int, days: int = 0) -> datetime:
    day = add_months(timezone.localdate(), -months) - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))


def victim_of(case: Case):
    return next(m.person for m in case.members.select_related("person") if MemberRole.VICTIM in m.roles)


def register_again(world, person, **kwargs) -> Case:
    members = [services.MemberSpec(roles=[MemberRole.VICTIM], person=person)]
    return register(world, members=members, family_label="Family El Amrani", **kwargs)


def test_registered_within_twelve_months_is_a_repeat():
    world = make_world()
    earlier = register(world)
    Case.objects.filter(pk=earlier.pk).update(registered_at=months_ago(11))
    again = register_again(world, victim_of(earlier))
    assert again.is_repeat and again.repeat_of == earlier
    assert Case.objects.get(pk=again.pk).is_repeat


def test_registered_thirteen_months_ago_is_not_a_repeat():
    world = make_world()
    with time_machine.travel(months_ago(13), tick=False):
        earlier = register(world)
    assert earlier.registered_at == months_ago(13)
    again = register_again(world, victim_of(earlier))
    assert not again.is_repeat and again.repeat_of is None


def test_closed_within_twelve_months_is_a_repeat_even_when_registered_long_ago():
    world = make_world()
    with time_machine.travel(months_ago(30), tick=False):
        earlier = case_at(world, Stage.WEIGHING)
    with time_machine.travel(months_ago(10), tick=False):
        weigh(world, earlier, level="low", reasoning="Calm.", advice="Keep in touch.")
    again = register_again(world, victim_of(earlier))
    assert again.is_repeat and again.repeat_of == earlier


def test_closed_thirteen_months_ago_is_not_a_repeat():
    world = make_world()
    with time_machine.travel(months_ago(30), tick=False):
        earlier = case_at(world, Stage.WEIGHING)
    with time_machine.travel(months_ago(13), tick=False):
        weigh(world, earlier, level="low", reasoning="Calm.", advice="Keep in touch.")
    again = register_again(world, victim_of(earlier))
    assert not again.is_repeat


def test_other_persons_do_not_make_a_repeat():
    world = make_world()
    register(world)
    other = register(
        world,
        family_label="Family Janssens",
        members=[
            services.MemberSpec(
                roles=[MemberRole.VICTIM], new_person={"given_names": "Els", "family_name": "Janssens"}
            )
        ],
    )
    assert not other.is_repeat


def test_a_member_added_later_makes_the_case_a_repeat():
    world = make_world()
    earlier = register(world)
    Case.objects.filter(pk=earlier.pk).update(registered_at=months_ago(6))
    case = register(
        world,
        family_label="Family Janssens",
        members=[
            services.MemberSpec(
                roles=[MemberRole.VICTIM], new_person={"given_names": "Els", "family_name": "Janssens"}
            )
        ],
    )
    assert not case.is_repeat
    services.case_member_add(
        actor=world.referrer,
        case=case,
        spec=services.MemberSpec(roles=[MemberRole.ALLEGED_PERPETRATOR], person=victim_of(earlier)),
    )
    case.refresh_from_db()
    assert case.is_repeat and case.repeat_of == earlier


def test_a_later_case_never_makes_an_earlier_one_a_repeat():
    world = make_world()
    older = register(
        world,
        family_label="Family Janssens",
        members=[
            services.MemberSpec(
                roles=[MemberRole.VICTIM], new_person={"given_names": "Els", "family_name": "Janssens"}
            )
        ],
    )
    Case.objects.filter(pk=older.pk).update(registered_at=months_ago(3))
    newer = register(world)
    services.case_member_add(
        actor=world.referrer,
        case=older,
        spec=services.MemberSpec(roles=[MemberRole.RELATIVE], person=victim_of(newer)),
    )
    assert not Case.objects.get(pk=older.pk).is_repeat


def test_a_repeat_names_the_earlier_case_only_to_those_who_may_see_it():
    """The outsider who registers a family again learns that it is a repeat, not which
    case it repeats (its reference or id would tell another organisation's case exists)."""
    from ketenplan.api.tests.conftest import api_as

    world = make_world()
    earlier = register(world)
    again = register_again(world, victim_of(earlier), actor=world.outsider)
    assert again.is_repeat and again.repeat_of == earlier

    as_outsider = api_as(world.outsider).get(f"/api/cases/{again.pk}/").json()
    assert as_outsider["is_repeat"] is True
    assert as_outsider["repeat_of"] is None

    # The coordinator sees both registrations (intake).
    as_coordinator = api_as(world.coordinator).get(f"/api/cases/{again.pk}/").json()
    assert as_coordinator["repeat_of"] == earlier.pk


def _case_page(client, user, case):
    client.force_login(user)
    client.get(case.get_absolute_url())  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_case_page_links_the_earlier_case_only_for_those_who_may_see_it_at_no_extra_query(client):
    """Whether the viewer may see the earlier case comes with the case itself: a repeat
    costs the page no query more than a first registration, whoever looks."""
    world = make_world()
    earlier = register(world)
    again = register_again(world, victim_of(earlier), actor=world.outsider)
    first_time = register(world, actor=world.outsider, family_label="Family Vermeulen")
    assert again.is_repeat and not first_time.is_repeat and again.stage == first_time.stage

    page, repeat_queries = _case_page(client, world.outsider, again)
    assert earlier.reference not in page and f"/cases/{earlier.pk}/" not in page
    _, plain_queries = _case_page(client, world.outsider, first_time)
    assert repeat_queries == plain_queries

    page, repeat_queries = _case_page(client, world.coordinator, again)
    assert earlier.reference in page and f'href="/cases/{earlier.pk}/"' in page
    _, plain_queries = _case_page(client, world.coordinator, first_time)
    assert repeat_queries == plain_queries


def test_the_earlier_case_through_emergency_access_only_while_it_lasts(client):
    """Emergency access to the earlier case shows the link for its duration; emergency
    access to the new case alone shows no more than the new case."""
    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import PASSWORD, ProfessionalFactory
    from ketenplan.consent import services as consent_services
    from ketenplan.core import policy

    world = make_world()
    world.shelter_worker = ProfessionalFactory(organisation=world.shelter, roles=[Role.PARTNER], mfa=True)
    earlier = register(world)
    again = register_again(world, victim_of(earlier), actor=world.outsider)
    reason = "Called to the house: the father is there with a knife."
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        consent_services.emergency_access_open(
            actor=world.outsider, reference=earlier.reference, password=PASSWORD, reason=reason
        )
        consent_services.emergency_access_open(
            actor=world.shelter_worker, reference=again.reference, password=PASSWORD, reason=reason
        )
        page, _ = _case_page(client, world.outsider, again)
        assert f'href="/cases/{earlier.pk}/"' in page
        page, _ = _case_page(client, world.shelter_worker, again)
        assert earlier.reference not in page
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        page, _ = _case_page(client, world.outsider, again)
        assert earlier.reference not in page
        # Whoever reads the case, the annotation says what the policy says.
        for user in (world.outsider, world.coordinator):  # those who see the new case
            case = selectors.case_get(user=user, pk=again.pk)
            assert bool(case.repeat_source_visible) == policy.can(user, "case.view", earlier), user


def test_the_annotation_counts_only_for_whom_and_on_which_key_it_was_read():
    """A case read for one user and then asked about for another, or whose earlier case
    changed in memory, is asked of the policy again."""
    world = make_world()
    earlier = register(world)
    again = register_again(world, victim_of(earlier), actor=world.outsider)
    as_coordinator = selectors.case_get(user=world.coordinator, pk=again.pk)
    assert selectors.visible_repeat_source(user=world.coordinator, case=as_coordinator) == earlier
    assert selectors.visible_repeat_source(user=world.outsider, case=as_coordinator) is None
    as_outsider = selectors.case_get(user=world.outsider, pk=again.pk)
    assert selectors.visible_repeat_source(user=world.outsider, case=as_outsider) is None
    own = register(world, actor=world.outsider, family_label="Family Vermeulen")
    as_outsider.repeat_of = own  # as case_member_add does before it saves
    assert selectors.visible_repeat_source(user=world.outsider, case=as_outsider) == own

