from datetime import timedelta

import pytest
from django.utils import timezone

from ketenplan.cases.models import Case, Stage
from ketenplan.cases.tests.factories import case_at, make_world, register
from ketenplan.plans.models import Evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_only_coordinators_open_the_board(client, world):
    client.force_login(world.team_member)
    assert client.get("/board/").status_code == 403
    client.force_login(world.coordinator)
    assert client.get("/board/").status_code == 200


def test_board_lists_open_cases_of_the_coordination_point_only(client, world):
    mine = register(world, family_label="Family Aerts")
    other_world = make_world()
    register(other_world, family_label="Family Elsewhere")
    closed = case_at(world, Stage.CLOSED, family_label="Family Closed")
    client.force_login(world.coordinator)
    html = client.get("/board/").content.decode()
    assert mine.reference in html
    assert "Family Elsewhere" not in html
    assert closed.reference not in html


def test_a_late_evaluation_shows_as_late_and_can_be_filtered(client, world):
    late = case_at(world, Stage.EXECUTION, family_label="Family Late")
    on_time = case_at(world, Stage.EXECUTION, family_label="Family OnTime")
    today = timezone.localdate()
    Evaluation.objects.create(case=late, milestone_key="m1", name="First", due_on=today - timedelta(days=3))
    Evaluation.objects.create(
        case=on_time, milestone_key="m1", name="First", due_on=today + timedelta(days=60)
    )
    client.force_login(world.coordinator)
    html = client.get("/board/", {"late_only": "on"}).content.decode()
    assert late.reference in html
    assert on_time.reference not in html


def test_cases_before_their_plan_get_registration_milestones_from_the_profile(world):
    from ketenplan.overview.selectors import with_next_milestone

    world.region.method_profile = "mdaplusplus"
    world.region.save()
    case = register(world)
    Case.objects.filter(pk=case.pk).update(registered_at=timezone.now() - timedelta(days=10))
    case = Case.objects.select_related("region").get(pk=case.pk)
    [case] = with_next_milestone([case])
    assert case.next_milestone is not None
    assert case.next_milestone.status == "late"  # direct safety was due one week after registration


@pytest.mark.parametrize("extra", [0, 25])
def test_board_query_count_does_not_grow_with_the_number_of_cases(
    client, world, django_assert_num_queries, extra
):
    for i in range(3 + extra):
        register(world, family_label=f"Family {i}")
    client.force_login(world.coordinator)
    client.get("/board/")  # warm the session and caches
    with django_assert_num_queries(QUERIES_ON_BOARD):
        response = client.get("/board/")
    assert response.status_code == 200


# Pinned: session, user, roles, MFA check, the user's organisation (header), page, profiles,
# held evaluations, stage counts (which give the paginator its count when nothing is
# filtered), open escalations (2), and the idle-timeout session save (3).
# A change that adds queries fails here until this number is consciously updated.
QUERIES_ON_BOARD = 14


def test_open_escalations_stay_on_the_board_until_handled(client, world):
    from ketenplan.meetings.models import Escalation
    from ketenplan.meetings.services.escalations import escalation_raise

    case = case_at(world, Stage.EXECUTION, family_label="Family Blocked")
    escalation = escalation_raise(
        actor=world.case_director,
        case=case,
        kind=Escalation.Kind.NON_COOPERATING_PARTNER,
        reason="The police do not answer our calls.",
        organisation=world.police,
    )
    client.force_login(world.coordinator)
    html = client.get("/board/").content.decode()
    assert f"/meetings/escalations/{escalation.pk}/" in html and case.reference in html


def test_the_board_sorts_by_its_columns_and_keeps_the_filters(client, world):
    planning = case_at(world, Stage.PLANNING, family_label="Family Planning")
    registered = case_at(world, Stage.REGISTERED, family_label="Family Registered")
    client.force_login(world.coordinator)

    def page(**params) -> str:
        response = client.get("/board/", params)
        assert response.status_code == 200
        return response.content.decode()

    # Stages in the order a case goes through them, then the other way round.
    html = page(sort="stage")
    assert html.index(registered.reference) < html.index(planning.reference)
    assert 'aria-sort="ascending"' in html
    html = page(sort="-stage")
    assert html.index(planning.reference) < html.index(registered.reference)
    assert 'aria-sort="descending"' in html
    # The filter form carries the sort along; an unknown sort is the default order.
    assert 'name="sort" value="-stage"' in html
    assert registered.reference in page(sort="family_secret")
    html = page(sort="-stage", q="Family Planning")
    assert planning.reference in html and registered.reference not in html
