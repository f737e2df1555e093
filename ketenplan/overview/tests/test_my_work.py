from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world, register
from ketenplan.dossier import services as dossier_services
from ketenplan.plans.models import Action, Evaluation, Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def add_action(world, case, *, owner, days, description):
    return Action.objects.create(
        case=case,
        description=description,
        owner=owner,
        owner_organisation=owner.organisation,
        due_on=timezone.localdate() + timedelta(days=days),
        created_by=world.coordinator,
    )


def test_my_work_lists_my_late_and_soon_actions_but_not_later_ones(client, world):
    case = case_at(world, Stage.EXECUTION)
    add_action(world, case, owner=world.case_director, days=-2, description="Call the school")
    add_action(world, case, owner=world.case_director, days=3, description="Home visit with the mother")
    add_action(world, case, owner=world.case_director, days=90, description="Far away task")
    client.force_login(world.case_director)
    html = client.get("/").content.decode()
    assert "Call the school" in html
    assert "Home visit with the mother" in html
    assert "Far away task" not in html
    assert case.reference in html  # as case director


def test_every_work_list_shows_what_it_names_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    """The lists read only what they show: who owns an action (a colleague by name, an
    organisation by its name), the question asked of the organisation, the family
    waiting for a service; nothing is fetched row by row."""
    case = case_at(world, Stage.EXECUTION)
    add_action(world, case, owner=world.team_member, days=1, description="Colleague's task")
    Action.objects.create(
        case=case,
        description="Task of the welfare service",
        owner_organisation=world.welfare,
        due_on=timezone.localdate() - timedelta(days=4),
        created_by=world.coordinator,
    )
    Evaluation.objects.create(
        case=case, milestone_key="month-1", name="Evaluation after one month",
        due_on=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    Referral.objects.create(
        case=case, service="Parenting support", status=Referral.Status.WAITING,
        waiting_since=timezone.localdate() - timedelta(days=20), created_by=world.case_director,
    )  # fmt: skip
    dossier_services.information_request_create(
        actor=world.coordinator, case=case, to_organisation=world.welfare,
        question="Is the family known to the welfare service?",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    client.force_login(world.case_director)
    client.get("/")
    with django_assert_num_queries(QUERIES_ON_MY_WORK - 1):  # no admissibility list: no coordinator
        html = client.get("/").content.decode()
    for shown in (
        "Colleague's task",
        world.team_member.full_name,
        "Task of the welfare service",
        world.welfare.name,
        "Evaluation after one month",
        "Parenting support",
        "Is the family known to the welfare service?",
        case.reference,
    ):
        assert escape(shown) in html, shown


def test_coordinator_sees_registrations_waiting_for_admissibility(client, world):
    waiting = register(world, family_label="Family Waiting")
    client.force_login(world.coordinator)
    html = client.get("/").content.decode()
    assert "Family Waiting" in html and waiting.reference in html


def test_evaluations_due_show_for_the_case_director(client, world):
    case = case_at(world, Stage.EXECUTION)
    Evaluation.objects.create(
        case=case,
        milestone_key="month-1",
        name="Evaluation after one month",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(world.case_director)
    assert "Evaluation after one month" in client.get("/").content.decode()
    client.force_login(world.team_member)
    assert "Evaluation after one month" not in client.get("/").content.decode()


def test_outsiders_see_nothing_of_cases_they_do_not_take_part_in(client, world):
    case = case_at(world, Stage.EXECUTION)
    add_action(world, case, owner=world.case_director, days=1, description="Secret action")
    client.force_login(world.outsider)
    html = client.get("/").content.decode()
    assert "Secret action" not in html and case.reference not in html


def test_analysts_get_no_work_list(client, world):
    client.force_login(world.analyst)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["work"] is None


@pytest.mark.parametrize("extra", [0, 20])
def test_my_work_query_count_does_not_grow_with_the_number_of_cases(
    client, world, django_assert_num_queries, extra
):
    for i in range(2 + extra):
        case = register(world, family_label=f"Family {i}")
        add_action(world, case, owner=world.coordinator, days=1, description=f"Task {i}")
    client.force_login(world.coordinator)
    client.get("/")
    with django_assert_num_queries(QUERIES_ON_MY_WORK):
        assert client.get("/").status_code == 200


# Pinned (session, user, roles, MFA, organisation, the six work lists -- the actions in
# two: the user's own and the organisation's first ones -- and the session save; the
# role names on the page come from the roles already read). A change that adds queries
# fails here until updated consciously.
QUERIES_ON_MY_WORK = 15
