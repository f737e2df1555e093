"""Starting data for case tests: a small region and cases at any stage.

``world = make_world()`` gives a region with a coordination point, core partners, a
network partner, an organisation without a signed agreement, and personas:
``coordinator``, ``referrer`` (police), ``team_member`` and ``case_director`` (welfare),
``outsider`` (a partner organisation that takes no part in the case) and ``unsigned``
(a professional of an organisation without a cooperation agreement).

``case_at(world, Stage.PLANNING)`` registers a family and takes every step up to that
stage through the real services, so the path under test is the real one: a weighed case
has a final DASH-style assessment behind its weighing (``weigh``).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.utils import timezone

from ketenplan.accounts.models import Organisation, Role
from ketenplan.accounts.tests.factories import OrganisationFactory, ProfessionalFactory, RegionFactory
from ketenplan.cases import services
from ketenplan.cases.models import AdmissibilityDecision, Case, MemberRole, RiskLevel, Stage, ViolenceKind

SIGNED = date(2024, 1, 1)


def make_world(region_name: str | None = None) -> SimpleNamespace:
    region = RegionFactory(**({"name": region_name} if region_name else {}))
    org = OrganisationFactory
    w = SimpleNamespace(region=region)
    w.coordination = org(region=region, name=f"FJC {region.pk}", type=Organisation.Type.OTHER,
                         ring=Organisation.Ring.CORE, agreement_signed_on=SIGNED, is_coordination_point=True)
    w.police = org(region=region, name=f"Police {region.pk}", type=Organisation.Type.POLICE,
                   ring=Organisation.Ring.CORE, agreement_signed_on=SIGNED)
    w.welfare = org(region=region, name=f"Welfare {region.pk}", type=Organisation.Type.GENERAL_WELFARE,
                    ring=Organisation.Ring.CORE, agreement_signed_on=SIGNED)
    w.shelter = org(region=region, name=f"Shelter {region.pk}", type=Organisation.Type.SHELTER,
                    ring=Organisation.Ring.NETWORK, agreement_signed_on=SIGNED)
    w.addiction = org(region=region, name=f"Addiction care {region.pk}",
                      type=Organisation.Type.ADDICTION_CARE, ring=Organisation.Ring.NETWORK,
                      agreement_signed_on=SIGNED)
    w.unsigned_org = org(region=region, name=f"No agreement {region.pk}", type=Organisation.Type.OTHER,
                         ring=Organisation.Ring.NETWORK, agreement_signed_on=None)
    person = ProfessionalFactory
    w.coordinator = person(organisation=w.coordination, roles=[Role.COORDINATOR, Role.TEAM_MEMBER], mfa=True)
    w.referrer = person(organisation=w.police, roles=[Role.REFERRER, Role.TEAM_MEMBER], mfa=True)
    w.team_member = person(organisation=w.welfare, roles=[Role.TEAM_MEMBER, Role.PARTNER], mfa=True)
    w.case_director = person(organisation=w.welfare, roles=[Role.CASE_DIRECTOR, Role.PARTNER], mfa=True)
    w.outsider = person(organisation=w.addiction, roles=[Role.PARTNER, Role.REFERRER], mfa=True)
    w.unsigned = person(organisation=w.unsigned_org, roles=[Role.PARTNER, Role.REFERRER], mfa=True)
    w.analyst = person(organisation=w.coordination, roles=[Role.ANALYST])
    return w


def family(**overrides) -> list[services.MemberSpec]:
    """A mother (victim), a father (alleged perpetrator) and a child (witness)."""
    surname = overrides.pop("family_name", "Peeters")
    return [
        services.MemberSpec(roles=[MemberRole.VICTIM], new_person={
            "given_names": "Sara", "family_name": "El Amrani", "birth_date": date(1990, 4, 2)}),
        services.MemberSpec(roles=[MemberRole.ALLEGED_PERPETRATOR], new_person={
            "given_names": "Kevin", "family_name": surname, "birth_date": date(1987, 11, 20)}),
        services.MemberSpec(roles=[MemberRole.CHILD_WITNESS], new_person={
            "given_names": "Lina", "family_name": surname, "birth_date": date(2017, 6, 9)}),
    ]


def register(world, *, actor=None, members=None, **kwargs) -> Case:
    values = {
        "family_label": "Family Peeters",
        "reason": "Third police call-out this year; the children witnessed the violence.",
        "violence_kinds": [ViolenceKind.PARTNER, ViolenceKind.CHILD],
        "crisis_measures": "Temporary exclusion order for the father.",
    }
    values.update(kwargs)
    return services.case_register(actor=actor or world.referrer, members=members or family(), **values)


def next_year():
    from ketenplan.methods.schedule import add_months

    return add_months(timezone.localdate(), 12)


def all_criteria(met: bool = True) -> dict:
    return {c: {"met": met, "note": "Discussed with the referrer."}
            for c in AdmissibilityDecision.Criterion.values}


def approve_plan(world, case: Case) -> None:
    """A minimal approved plan (test starting data, for stages past planning)."""
    from ketenplan.methods.models import LifeDomain
    from ketenplan.plans.models import Goal, PlanVersion

    plan = PlanVersion.objects.create(
        case=case, number=1, status=PlanVersion.Status.APPROVED, created_by=world.coordinator,
        approved_by=world.coordinator, approved_at=timezone.now(),
        approval_route=PlanVersion.ApprovedBy.COORDINATOR,
    )
    Goal.objects.create(
        plan_version=plan, life_domain=LifeDomain.objects.order_by("order").first(),
        description="Mother and children live safely in their own home.",
        responsible_organisation=world.welfare, responsible_professional=world.case_director,
        due_on=next_year(),
    )
    Case.objects.filter(pk=case.pk).update(plan_approved_on=timezone.localdate())


# "yes" answers on the DASH-style checklist that give each level (bands 0-9, 10-13, 14 and more).
DASH_YES = {RiskLevel.LOW: 3, RiskLevel.MEDIUM: 11, RiskLevel.HIGH: 16}


def dash_answers(yes: int) -> dict:
    """Every question of the DASH-style checklist answered: the first ``yes`` with yes."""
    from ketenplan.risk.models import Instrument

    definition = Instrument.objects.get(key="dash").current_version.parsed
    questions = [i for i, item in definition.items.items() if item["type"] == "yes_no_unknown"]
    return {item_id: "yes" if n < yes else "no" for n, item_id in enumerate(questions)}


def final_assessment(world, case: Case, *, level: str = RiskLevel.HIGH, actor=None, member=None):
    """A final DASH-style assessment of the victim (by default by the coordinator) whose
    score gives ``level``."""
    from ketenplan.risk import services as risk_services
    from ketenplan.risk.models import Instrument

    actor = actor or world.coordinator
    if member is None:
        member = next(m for m in case.members.all() if MemberRole.VICTIM in m.roles)
    assessment = risk_services.assessment_start(
        actor=actor, case=case, instrument=Instrument.objects.get(key="dash"), member=member
    )
    return risk_services.assessment_finalise(
        actor=actor, assessment=assessment, answers=dash_answers(DASH_YES[level])
    )


def weigh(world, case: Case, *, level: str = RiskLevel.HIGH, actor=None, reasoning: str = "",
          advice: str = "", **kwargs):
    """The team weighs as it really does: a final assessment giving ``level``, then the
    confirmation on the risk page's service."""
    from ketenplan.risk import services as risk_services

    actor = actor or world.coordinator
    final_assessment(world, case, level=level, actor=actor)
    if level != RiskLevel.HIGH and not advice:
        advice = "Keep in touch with the family every week."
    return risk_services.weighing_confirm(
        actor=actor, case=case, level=level,
        reasoning=reasoning or "Strangulation reported; fear of being killed.", advice=advice, **kwargs,
    )


ORDER = [Stage.REGISTERED, Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING, Stage.EXECUTION]


def case_at(world, stage: str, **register_kwargs) -> Case:
    """A case registered and moved, through the real services, to ``stage``
    (``Stage.CLOSED`` closes it after execution with goals met)."""
    case = register(world, **register_kwargs)
    target = ORDER.index(Stage.EXECUTION if stage == Stage.CLOSED else stage)
    if target >= 1:
        services.admissibility_decide(actor=world.coordinator, case=case, answers=all_criteria())
    if target >= 2:
        services.intake_complete(actor=world.coordinator, case=case)
    if target >= 3:
        services.dossier_ready(actor=world.coordinator, case=case)
    if target >= 4:
        weigh(world, case, level=RiskLevel.HIGH)
    if target >= 5:
        services.case_director_appoint(actor=world.coordinator, case=case, professional=world.case_director)
        approve_plan(world, case)
        case.refresh_from_db()
        services.execution_start(actor=world.case_director, case=case)
    if stage == Stage.CLOSED:
        services.case_close(actor=world.case_director, case=case, outcome="goals_met",
                            note="All goals met.", follow_up_on=next_year())
    case.refresh_from_db()
    return case
