"""Starting data for plan tests, made through the real services.

``planning_case(world)`` is a case in planning with a case director; ``draft_plan``
gives it a complete draft; ``running_case(world)`` has an approved plan (with its
evaluations scheduled) and execution started.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ketenplan.cases import services as case_services
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.tests.factories import case_at
from ketenplan.methods.models import LifeDomain
from ketenplan.plans import services
from ketenplan.plans.models import PlanVersion, SafetyMeasure


def later(days: int = 90):
    return timezone.localdate() + timedelta(days=days)


def domains() -> list[LifeDomain]:
    return list(LifeDomain.objects.filter(is_active=True).order_by("order", "key"))


def planning_case(world, *, director: bool = True, **kwargs) -> Case:
    case = case_at(world, Stage.PLANNING, **kwargs)
    if director:
        case_services.case_director_appoint(
            actor=world.coordinator, case=case, professional=world.case_director
        )
    case.refresh_from_db()
    return case


def add_goal(world, plan: PlanVersion, *, n: int = 0, **overrides):
    plan.refresh_from_db()
    values = {
        "life_domain": domains()[n % len(domains())],
        "description": f"Goal {n}: mother applies for a living wage within 3 weeks.",
        "responsible_organisation": world.welfare,
        "responsible_professional": world.case_director,
        "due_on": later(60 + n),
    }
    values.update(overrides)
    return services.goal_add(actor=world.coordinator, plan=plan, expected_version=plan.version, **values)


def add_measure(world, plan: PlanVersion, kind=SafetyMeasure.Kind.DIRECT, **overrides):
    plan.refresh_from_db()
    values = {
        "kind": kind,
        "description": "Temporary exclusion order for the father; alarm button for the mother.",
        "responsible_organisation": world.police,
    }
    values.update(overrides)
    return services.safety_measure_add(
        actor=world.coordinator, plan=plan, expected_version=plan.version, **values
    )


def draft_plan(world, case: Case, *, goals: int = 1, measures: bool = True) -> PlanVersion:
    plan = services.plan_draft_start(actor=world.coordinator, case=case, reason="First plan")
    for n in range(goals):
        add_goal(world, plan, n=n)
    if measures:
        add_measure(world, plan)
        add_measure(
            world,
            plan,
            kind=SafetyMeasure.Kind.STRUCTURAL,
            description="Perpetrator programme for the father.",
        )
    plan.refresh_from_db()
    return plan


def approve(world, plan: PlanVersion, **kwargs) -> PlanVersion:
    plan.refresh_from_db()
    kwargs.setdefault("route", PlanVersion.ApprovedBy.COORDINATOR)
    return services.plan_approve(actor=world.coordinator, plan=plan, expected_version=plan.version, **kwargs)


def running_case(world, *, goals: int = 1, **kwargs) -> tuple[Case, PlanVersion]:
    """A case in execution with an approved plan of ``goals`` goals."""
    case = planning_case(world, **kwargs)
    plan = approve(world, draft_plan(world, case, goals=goals))
    case.refresh_from_db()
    case_services.execution_start(actor=world.case_director, case=case)
    case.refresh_from_db()
    plan.refresh_from_db()
    return case, plan
