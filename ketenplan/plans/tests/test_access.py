"""Every plan and execution URL answers "not found" to a professional whose organisation
takes no part in the case, for reading and for writing, and changes nothing."""

import pytest
from django.urls import get_resolver, reverse

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.tests.factories import make_world
from ketenplan.plans import services
from ketenplan.plans.models import Action, Evaluation, Referral

from .factories import later, running_case

pytestmark = pytest.mark.django_db


def plan_url_names() -> set[str]:
    resolver = get_resolver()
    return {
        f"plans:{name}" for name in resolver.namespace_dict["plans"][1].reverse_dict if isinstance(name, str)
    }


@pytest.fixture
def setup():
    world = make_world()
    case, _plan = running_case(world)
    services.plan_revise(actor=world.case_director, case=case, reason="Changed")
    draft = case.plan_versions.get(status="draft")
    action = services.action_create(
        actor=world.case_director,
        case=case,
        description="Apply",
        owner=None,
        owner_organisation=world.welfare,
        due_on=later(5),
    )
    referral = services.referral_create(actor=world.case_director, case=case, service="Therapy")
    evaluation = Evaluation.objects.filter(case=case).first()
    args = {
        "plans:goal_edit": [draft.goals.first().pk],
        "plans:goal_remove": [draft.goals.first().pk],
        "plans:measure_edit": [draft.safety_measures.first().pk],
        "plans:measure_remove": [draft.safety_measures.first().pk],
        "plans:plan_version": [1],
        "plans:action_status": [action.pk],
        "plans:referral_status": [referral.pk],
        "plans:evaluation_hold": [evaluation.pk],
    }
    return world, case, args


def test_every_plan_url_is_covered(setup):
    _world, _case, args = setup
    assert plan_url_names() >= set(args)
    assert len(plan_url_names()) >= 20


@pytest.mark.parametrize("persona", ["outsider", "unsigned"])
def test_outsiders_get_not_found_everywhere(client, setup, persona):
    world, case, args = setup
    client.force_login(getattr(world, persona))
    # Refusals are recorded ("access.denied"); nothing else may be.
    before = AuditEvent.objects.exclude(action="access.denied").count()
    actions_before = list(Action.objects.values_list("pk", "status", "version"))
    for name in sorted(plan_url_names()):
        path = reverse(name, args=[case.pk, *args.get(name, [])])
        assert client.get(path).status_code in (404, 405), (name, "GET")
        response = client.post(path, {"version": 99, "reason": "x", "status": "done"})
        assert response.status_code in (404, 405), (name, "POST", response.status_code)
        if response.status_code == 405:  # GET-only page: make sure GET was the 404
            assert client.get(path).status_code == 404, name
    assert AuditEvent.objects.exclude(action="access.denied").count() == before
    assert list(Action.objects.values_list("pk", "status", "version")) == actions_before
    assert Referral.objects.get(pk=args["plans:referral_status"][0]).status == "requested"


def test_sub_objects_of_another_case_are_not_found(client, setup):
    world, _case, args = setup
    other, _plan = running_case(world)
    client.force_login(world.coordinator)  # takes part in both cases
    for name in ("plans:action_status", "plans:referral_status", "plans:evaluation_hold", "plans:goal_edit"):
        path = reverse(name, args=[other.pk, *args[name]])
        assert client.post(path, {}).status_code == 404, name
