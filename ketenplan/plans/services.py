"""Use cases of the plan and its execution (METHOD.md §3.6 to 3.10). Every write goes here.

Each function is keyword-only, runs in one transaction, checks the access policy first,
writes its audit row inside the transaction and refuses with a ``ValidationError`` (a
message in the user's language) or a ``ConflictError`` (someone else saved first) while
changing nothing. Stage changes of the case go only through ``cases.workflow.move`` or
the case services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases import services as case_services
from ketenplan.cases import workflow
from ketenplan.cases.models import Case, CaseMember, Participation, Stage
from ketenplan.core import policy
from ketenplan.core.exceptions import ConflictError
from ketenplan.methods.models import LifeDomain
from ketenplan.methods.schedule import milestones_for
from ketenplan.methods.selectors import profile_for_region

from .models import (
    Action,
    Contact,
    Evaluation,
    Goal,
    GoalProgress,
    PlanVersion,
    PoliceIntervention,
    Referral,
    SafetyMeasure,
    SelfRelianceScore,
    TraumaScreening,
)
from .selectors import approval_problems

# A clock a few minutes ahead on the user's device must not refuse a contact "just now".
FUTURE_TOLERANCE = timedelta(minutes=5)


# --- helpers ----------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _ensure_open(case: Case) -> None:
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("The case is closed."))


def _ensure_planning(case: Case) -> None:
    if case.stage != Stage.PLANNING:
        raise ValidationError(
            _("The plan can only be drafted while the case is at stage '%(stage)s'.")
            % {"stage": Stage.PLANNING.label}
        )


def _participating_org_ids(case: Case) -> set[int]:
    return set(
        Participation.objects.filter(case=case, until__isnull=True).values_list("organisation_id", flat=True)
    )


def _member_person_ids(case: Case) -> set[int]:
    return set(CaseMember.objects.filter(case=case).values_list("person_id", flat=True))


def _check_person(case: Case, person, field: str) -> None:
    if person is not None and person.pk not in _member_person_ids(case):
        raise ValidationError({field: _("Choose a member of this family.")})


def _check_not_future(day: date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date lies in the future.")})


def _check_responsibility(
    case: Case, organisation, professional, *, org_field: str, professional_field: str
) -> None:
    """The responsible organisation takes part in the case; the professional, when
    named, works for it and is active."""
    if organisation is None:
        raise ValidationError({org_field: _("Choose the responsible organisation.")})
    if organisation.pk not in _participating_org_ids(case):
        raise ValidationError(
            {org_field: _("%(org)s does not take part in this case.") % {"org": organisation}}
        )
    if professional is not None and (
        professional.organisation_id != organisation.pk or not professional.is_active
    ):
        raise ValidationError(
            {
                professional_field: _("%(name)s does not work for %(org)s.")
                % {"name": professional, "org": organisation}
            }
        )


def _lock_draft(plan: PlanVersion, expected_version: int | None) -> PlanVersion:
    """The draft under a row lock; refused when approved meanwhile or edited by someone
    else since the user read it."""
    # Only this row: ``updated_by`` is a nullable join, which PostgreSQL cannot lock.
    fresh = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("updated_by", "case")
        .get(pk=plan.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by,
            changed_at=fresh.updated_at,
            current_version=fresh.version,
        )
    if fresh.status != PlanVersion.Status.DRAFT:
        raise ValidationError(_("This plan version is no longer a draft and cannot be changed."))
    return fresh


def _touch_plan(plan: PlanVersion, actor) -> None:
    now = timezone.now()
    PlanVersion.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_by=actor, updated_at=now)
    plan.version += 1
    plan.updated_by, plan.updated_at = actor, now


def _require_draft_editor(actor, plan: PlanVersion) -> Case:
    case = plan.case
    policy.require(actor, "plan.edit", case)
    _ensure_planning(case)
    return case


def current_plan_of(case: Case) -> PlanVersion | None:
    """The approved plan version in force (no access check: for services)."""
    return PlanVersion.objects.filter(case=case, status=PlanVersion.Status.APPROVED).first()


# --- the plan ---------------------------------------------------------------------------


def _copy_plan(*, source: PlanVersion, target: PlanVersion, actor) -> int:
    """Copy goals and safety measures into the new draft, each goal remembering the one
    it was copied from; open actions follow their goal. Returns the actions moved."""
    sources = list(source.goals.order_by("order", "pk"))
    copies = Goal.objects.bulk_create(
        Goal(
            plan_version=target,
            life_domain_id=g.life_domain_id,
            description=g.description,
            about_person_id=g.about_person_id,
            responsible_organisation_id=g.responsible_organisation_id,
            responsible_professional_id=g.responsible_professional_id,
            due_on=g.due_on,
            progress=g.progress,
            order=g.order,
            copied_from=g,
        )
        for g in sources
    )
    SafetyMeasure.objects.bulk_create(
        SafetyMeasure(
            plan_version=target,
            kind=m.kind,
            description=m.description,
            responsible_organisation_id=m.responsible_organisation_id,
            due_on=m.due_on,
            order=m.order,
        )
        for m in source.safety_measures.all()
    )
    moved = 0
    now = timezone.now()
    for old, new in zip(sources, copies, strict=True):
        moved += Action.objects.filter(goal=old, status__in=Action.OPEN_STATUSES).update(
            goal=new, version=F("version") + 1, updated_by=actor, updated_at=now
        )
    return moved


def _draft_start(*, actor, case: Case, reason: str, request=None) -> PlanVersion:
    if PlanVersion.objects.filter(case=case, status=PlanVersion.Status.DRAFT).exists():
        raise ValidationError(_("A draft plan version already exists for this case."))
    number = (case.plan_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    source = current_plan_of(case)
    if source is not None and not reason:
        raise ValidationError({"reason": _("Say why the plan changes.")})
    plan = PlanVersion.objects.create(
        case=case,
        number=number,
        reason=reason,
        created_by=actor,
        updated_by=actor,
    )
    moved = _copy_plan(source=source, target=plan, actor=actor) if source is not None else 0
    audit_record(
        action="plan.draft_started",
        actor=actor,
        request=request,
        obj=plan,
        detail={
            "case": case.pk,
            "number": number,
            "copied_from": source.number if source else None,
            "actions_moved": moved,
        },
    )
    return plan


@transaction.atomic
def plan_draft_start(*, actor, case: Case, reason: str = "", request=None) -> PlanVersion:
    """Start a draft: version 1, or the next version as a copy of the approved one."""
    policy.require(actor, "plan.edit", case)
    case = workflow.lock_case(case)  # one draft at a time, even under concurrent clicks
    _ensure_planning(case)
    return _draft_start(actor=actor, case=case, reason=_text(reason), request=request)


@transaction.atomic
def plan_revise(
    *, actor, case: Case, reason: str, expected_version: int | None = None, request=None
) -> PlanVersion:
    """The situation changed: back to planning with a new draft copied from the plan in
    force. Goals keep their open actions; the approved version stays readable."""
    policy.require(actor, "case.direct", case)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the plan changes.")})
    workflow.move(
        case=case,
        step="revise_plan",
        actor=actor,
        reason=reason,
        request=request,
        expected_version=expected_version,
    )
    existing = PlanVersion.objects.filter(case=case, status=PlanVersion.Status.DRAFT).first()
    if existing is not None:  # a draft made before execution started: go on with it
        return existing
    return _draft_start(actor=actor, case=case, reason=reason, request=request)


@transaction.atomic
def plan_draft_discard(*, actor, plan: PlanVersion, expected_version: int, request=None) -> None:
    """Throw a draft away (it was never in force); actions go back to the goals they
    were copied from."""
    _require_draft_editor(actor, plan)
    plan = _lock_draft(plan, expected_version)
    for goal in list(plan.goals.all()):
        _detach_actions(goal, actor)
    plan.goals.all().delete()
    plan.safety_measures.all().delete()
    audit_record(
        action="plan.draft_discarded",
        actor=actor,
        request=request,
        obj=plan,
        detail={"case": plan.case_id, "number": plan.number},
    )
    plan.delete()


def _detach_actions(goal: Goal, actor) -> int:
    return Action.objects.filter(goal=goal).update(
        goal=goal.copied_from_id,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=timezone.now(),
    )


GOAL_FIELDS = (
    "life_domain",
    "description",
    "about_person",
    "responsible_organisation",
    "responsible_professional",
    "due_on",
)


def _clean_goal(case: Case, values: Mapping) -> dict:
    cleaned = {k: values.get(k) for k in GOAL_FIELDS}
    cleaned["description"] = _text(cleaned["description"])
    errors = {}
    if cleaned["life_domain"] is None:
        errors["life_domain"] = _("Choose the life domain.")
    elif not cleaned["life_domain"].is_active:
        errors["life_domain"] = _("This life domain is no longer in use.")
    if not cleaned["description"]:
        errors["description"] = _("Describe the goal.")
    if cleaned["due_on"] is None:
        errors["due_on"] = _("Give the date by which the goal is reached.")
    elif cleaned["due_on"] < timezone.localdate():
        errors["due_on"] = _("The due date lies in the past.")
    if errors:
        raise ValidationError(errors)
    _check_responsibility(
        case,
        cleaned["responsible_organisation"],
        cleaned["responsible_professional"],
        org_field="responsible_organisation",
        professional_field="responsible_professional",
    )
    _check_person(case, cleaned["about_person"], "about_person")
    return cleaned


@transaction.atomic
def goal_add(
    *,
    actor,
    plan: PlanVersion,
    life_domain: LifeDomain,
    description: str,
    responsible_organisation,
    due_on: date,
    responsible_professional=None,
    about_person=None,
    expected_version: int,
    request=None,
) -> Goal:
    case = _require_draft_editor(actor, plan)
    plan = _lock_draft(plan, expected_version)
    cleaned = _clean_goal(
        case,
        {
            "life_domain": life_domain,
            "description": description,
            "about_person": about_person,
            "responsible_organisation": responsible_organisation,
            "responsible_professional": responsible_professional,
            "due_on": due_on,
        },
    )
    order = (plan.goals.aggregate(n=Max("order"))["n"] or 0) + 1
    goal = Goal.objects.create(plan_version=plan, order=order, **cleaned)
    _touch_plan(plan, actor)
    audit_record(action="plan.goal_added", actor=actor, request=request, obj=goal, detail={"plan": plan.pk})
    return goal


@transaction.atomic
def goal_update(
    *,
    actor,
    goal: Goal,
    life_domain: LifeDomain,
    description: str,
    responsible_organisation,
    due_on: date,
    responsible_professional=None,
    about_person=None,
    expected_version: int,
    request=None,
) -> Goal:
    case = _require_draft_editor(actor, goal.plan_version)
    plan = _lock_draft(goal.plan_version, expected_version)
    cleaned = _clean_goal(
        case,
        {
            "life_domain": life_domain,
            "description": description,
            "about_person": about_person,
            "responsible_organisation": responsible_organisation,
            "responsible_professional": responsible_professional,
            "due_on": due_on,
        },
    )
    changed = [k for k, v in cleaned.items() if getattr(goal, k) != v]
    for key, value in cleaned.items():
        setattr(goal, key, value)
    goal.save(update_fields=[*cleaned])
    _touch_plan(plan, actor)
    audit_record(
        action="plan.goal_changed",
        actor=actor,
        request=request,
        obj=goal,
        detail={"plan": plan.pk, "fields": changed},
    )
    return goal


@transaction.atomic
def goal_remove(*, actor, goal: Goal, expected_version: int, request=None) -> None:
    """Remove a goal from a draft. Its actions go back to the goal it was copied from
    (or to the case's action list)."""
    _require_draft_editor(actor, goal.plan_version)
    plan = _lock_draft(goal.plan_version, expected_version)
    moved = _detach_actions(goal, actor)
    audit_record(
        action="plan.goal_removed",
        actor=actor,
        request=request,
        obj=goal,
        detail={"plan": plan.pk, "actions_moved": moved},
    )
    goal.delete()
    _touch_plan(plan, actor)


def _clean_measure(case: Case, kind: str, description: str, responsible_organisation, due_on):
    errors = {}
    if kind not in SafetyMeasure.Kind.values:
        errors["kind"] = _("Choose direct or structural safety.")
    if not _text(description):
        errors["description"] = _("Describe the measure.")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("The due date lies in the past.")
    if errors:
        raise ValidationError(errors)
    _check_responsibility(
        case,
        responsible_organisation,
        None,
        org_field="responsible_organisation",
        professional_field="responsible_organisation",
    )


@transaction.atomic
def safety_measure_add(
    *,
    actor,
    plan: PlanVersion,
    kind: str,
    description: str,
    responsible_organisation,
    due_on: date | None = None,
    expected_version: int,
    request=None,
) -> SafetyMeasure:
    case = _require_draft_editor(actor, plan)
    plan = _lock_draft(plan, expected_version)
    _clean_measure(case, kind, description, responsible_organisation, due_on)
    order = (plan.safety_measures.filter(kind=kind).aggregate(n=Max("order"))["n"] or 0) + 1
    measure = SafetyMeasure.objects.create(
        plan_version=plan,
        kind=kind,
        description=_text(description),
        responsible_organisation=responsible_organisation,
        due_on=due_on,
        order=order,
    )
    _touch_plan(plan, actor)
    audit_record(
        action="plan.safety_measure_added",
        actor=actor,
        request=request,
        obj=measure,
        detail={"plan": plan.pk, "kind": kind},
    )
    return measure


@transaction.atomic
def safety_measure_update(
    *,
    actor,
    measure: SafetyMeasure,
    kind: str,
    description: str,
    responsible_organisation,
    due_on: date | None = None,
    expected_version: int,
    request=None,
) -> SafetyMeasure:
    case = _require_draft_editor(actor, measure.plan_version)
    plan = _lock_draft(measure.plan_version, expected_version)
    _clean_measure(case, kind, description, responsible_organisation, due_on)
    measure.kind = kind
    measure.description = _text(description)
    measure.responsible_organisation = responsible_organisation
    measure.due_on = due_on
    measure.save(update_fields=["kind", "description", "responsible_organisation", "due_on"])
    _touch_plan(plan, actor)
    audit_record(
        action="plan.safety_measure_changed",
        actor=actor,
        request=request,
        obj=measure,
        detail={"plan": plan.pk},
    )
    return measure


@transaction.atomic
def safety_measure_remove(*, actor, measure: SafetyMeasure, expected_version: int, request=None) -> None:
    _require_draft_editor(actor, measure.plan_version)
    plan = _lock_draft(measure.plan_version, expected_version)
    audit_record(
        action="plan.safety_measure_removed",
        actor=actor,
        request=request,
        obj=measure,
        detail={"plan": plan.pk},
    )
    measure.delete()
    _touch_plan(plan, actor)


def schedule_evaluations(*, case: Case, plan_approved_on: date) -> list[Evaluation]:
    """Evaluation rows for every milestone of the region's method profile (those
    anchored on registration too), each with its due date; existing ones stay."""
    profile = profile_for_region(case.region)
    milestones = milestones_for(
        profile,
        registered_on=timezone.localdate(case.registered_at),
        plan_approved_on=plan_approved_on,
    )
    existing = set(case.evaluations.values_list("milestone_key", flat=True))
    return Evaluation.objects.bulk_create(
        Evaluation(case=case, milestone_key=m.key, name=m.name[:200], due_on=m.due_on)
        for m in milestones
        if m.key not in existing
    )


@transaction.atomic
def plan_approve(
    *,
    actor,
    plan: PlanVersion,
    route: str,
    meeting_date: date | None = None,
    expected_version: int | None = None,
    request=None,
) -> PlanVersion:
    """The coordinator approves the draft, as coordinator or recording the operational
    team's approval in its meeting. The version in force before is superseded. The
    first approval dates the plan and schedules the method's evaluations; starting
    execution stays an explicit step (``cases.services.execution_start``)."""
    policy.require(actor, "case.coordinate", plan.case)
    case = workflow.lock_case(plan.case)
    plan = _lock_draft(plan, expected_version)
    _ensure_planning(case)
    if route not in PlanVersion.ApprovedBy.values:
        raise ValidationError({"route": _("Choose who approved the plan.")})
    today = timezone.localdate()
    if route == PlanVersion.ApprovedBy.TEAM_MEETING:
        if meeting_date is None:
            raise ValidationError(
                {"meeting_date": _("Give the date of the team meeting that approved the plan.")}
            )
        if meeting_date > today:
            raise ValidationError({"meeting_date": _("The meeting date lies in the future.")})
        if meeting_date < timezone.localdate(case.registered_at):
            raise ValidationError({"meeting_date": _("The meeting date lies before the registration.")})
        approved_on = meeting_date
    else:
        meeting_date = None
        approved_on = today
    problems = approval_problems(plan, today=today)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    previous = current_plan_of(case)
    if previous is not None:
        PlanVersion.objects.filter(pk=previous.pk).update(
            status=PlanVersion.Status.SUPERSEDED, superseded_at=now
        )
    plan.status = PlanVersion.Status.APPROVED
    plan.approved_by = actor
    plan.approved_at = now
    plan.approval_route = route
    plan.meeting_date = meeting_date
    plan.version += 1
    plan.updated_by, plan.updated_at = actor, now
    plan.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "approval_route",
            "meeting_date",
            "version",
            "updated_by",
            "updated_at",
        ]
    )
    scheduled = []
    if case.plan_approved_on is None:
        Case.objects.filter(pk=case.pk).update(plan_approved_on=approved_on)
        case.plan_approved_on = approved_on
        scheduled = schedule_evaluations(case=case, plan_approved_on=approved_on)
        workflow.touch(case, actor)
    audit_record(
        action="plan.approved",
        actor=actor,
        request=request,
        obj=plan,
        detail={
            "case": case.pk,
            "number": plan.number,
            "route": route,
            "meeting_date": meeting_date.isoformat() if meeting_date else None,
            "superseded": previous.number if previous else None,
            "evaluations_scheduled": len(scheduled),
        },
    )
    plan.case = case
    return plan


@transaction.atomic
def self_reliance_record(
    *,
    actor,
    case: Case,
    scores: Mapping[int, int | None],
    request=None,
) -> list[SelfRelianceScore]:
    """ZRM scores (1 acute … 5 fully self-reliant) per life domain at the start of the
    plan (``evaluation=None``); scores at an evaluation go with ``evaluation_hold``.
    Domains without a score are left out."""
    if not (policy.can(actor, "plan.edit", case) or policy.can(actor, "case.direct", case)):
        policy.require(actor, "plan.edit", case)
    _ensure_open(case)
    return _record_scores(actor=actor, case=case, scores=scores, evaluation=None, request=request)


def _record_scores(*, actor, case, scores, evaluation, request) -> list[SelfRelianceScore]:
    given = {int(k): v for k, v in (scores or {}).items() if v not in (None, "")}
    if not given:
        if evaluation is None:
            raise ValidationError(_("Give a score for at least one life domain."))
        return []
    domains = set(LifeDomain.objects.filter(pk__in=given, is_active=True).values_list("pk", flat=True))
    errors = []
    for domain_id, score in given.items():
        if domain_id not in domains:
            errors.append(_("Unknown life domain."))
        elif not (isinstance(score, int) or str(score).isdigit()) or not 1 <= int(score) <= 5:
            errors.append(_("A self-reliance score lies between 1 and 5."))
    if errors:
        raise ValidationError(sorted(set(errors)))
    now = timezone.now()
    rows = SelfRelianceScore.objects.bulk_create(
        SelfRelianceScore(
            case=case,
            evaluation=evaluation,
            life_domain_id=domain_id,
            score=int(score),
            recorded_at=now,
            recorded_by=actor,
        )
        for domain_id, score in sorted(given.items())
    )
    audit_record(
        action="plan.self_reliance_recorded",
        actor=actor,
        request=request,
        obj=case,
        detail={"evaluation": evaluation.pk if evaluation else None, "domains": len(rows)},
    )
    return rows


# --- actions ----------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    actor,
    case: Case,
    description: str,
    owner_organisation,
    due_on: date,
    owner=None,
    goal: Goal | None = None,
    request=None,
) -> Action:
    """An action with an owner and a deadline, in any open stage: under a goal of the
    plan, or (without a goal) on the case's action list, e.g. during the dossier."""
    policy.require(actor, "case.contribute", case)
    _ensure_open(case)
    errors = {}
    if not _text(description):
        errors["description"] = _("Describe the action.")
    if due_on is None:
        errors["due_on"] = _("Give the due date.")
    elif due_on < timezone.localdate():
        errors["due_on"] = _("The due date lies in the past.")
    if errors:
        raise ValidationError(errors)
    _check_responsibility(
        case, owner_organisation, owner, org_field="owner_organisation", professional_field="owner"
    )
    if goal is not None and (
        goal.plan_version.case_id != case.pk or goal.plan_version.status == PlanVersion.Status.SUPERSEDED
    ):
        raise ValidationError({"goal": _("Choose a goal of this case's current plan.")})
    action = Action.objects.create(
        case=case,
        goal=goal,
        description=_text(description),
        owner=owner,
        owner_organisation=owner_organisation,
        due_on=due_on,
        created_by=actor,
        updated_by=actor,
    )
    audit_record(
        action="plan.action_created",
        actor=actor,
        request=request,
        obj=action,
        detail={"case": case.pk, "goal": goal.pk if goal else None},
    )
    return action


@transaction.atomic
def action_set_status(
    *,
    actor,
    action: Action,
    status: str,
    reason: str = "",
    expected_version: int,
    request=None,
) -> Action:
    """Open, in progress, done or cannot be done (with the reason). Refused when someone
    else changed the action since the user read it."""
    policy.require(actor, "plan.action_status", action)
    # Only this row: ``updated_by`` is a nullable join, which PostgreSQL cannot lock.
    fresh = (
        Action.objects.select_for_update(of=("self",))
        .select_related("updated_by", "case")
        .get(pk=action.pk)
    )
    if fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    _ensure_open(fresh.case)
    reason = _text(reason)
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == Action.Status.CANNOT_BE_DONE and not reason:
        raise ValidationError({"reason": _("Say why the action cannot be done.")})
    if status == fresh.status and reason == fresh.status_reason:
        raise ValidationError({"status": _("The action already has this status.")})
    before = fresh.status
    fresh.status = status
    fresh.status_reason = reason
    if status == Action.Status.DONE:
        fresh.completed_at = fresh.completed_at if before == status else timezone.now()
    else:
        fresh.completed_at = None
    fresh.version += 1
    fresh.updated_by = actor
    fresh.save(
        update_fields=["status", "status_reason", "completed_at", "version", "updated_by", "updated_at"]
    )
    audit_record(
        action="plan.action_status_changed",
        actor=actor,
        request=request,
        obj=fresh,
        detail={"case": fresh.case_id, "from": before, "to": status},
    )
    return fresh


# --- execution and monitoring -----------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    actor,
    case: Case,
    kind: str,
    at: datetime,
    with_persons: Iterable,
    summary: str,
    request=None,
) -> Contact:
    """A contact with the family: home visit, office, video, phone or chat; with whom."""
    policy.require(actor, "case.contribute", case)
    _ensure_open(case)
    persons = list(with_persons or [])
    errors = {}
    if kind not in Contact.Kind.values:
        errors["kind"] = _("Choose the kind of contact.")
    if at is None:
        errors["at"] = _("Give the date and time of the contact.")
    elif at > timezone.now() + FUTURE_TOLERANCE:
        errors["at"] = _("A contact cannot lie in the future.")
    if not persons:
        errors["with_persons"] = _("Choose who took part in the contact.")
    elif not {p.pk for p in persons} <= _member_person_ids(case):
        errors["with_persons"] = _("Choose members of this family only.")
    if not _text(summary):
        errors["summary"] = _("Summarise the contact.")
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(
        case=case,
        kind=kind,
        at=at,
        professional=actor,
        organisation_id=actor.organisation_id,
        summary=_text(summary),
    )
    contact.with_persons.set(persons)
    audit_record(
        action="plan.contact_logged",
        actor=actor,
        request=request,
        obj=contact,
        detail={"case": case.pk, "kind": kind, "persons": sorted(p.pk for p in persons)},
    )
    return contact


def _apply_referral_status(referral: Referral, status: str, on: date) -> None:
    if status == Referral.Status.WAITING and referral.status != Referral.Status.WAITING:
        referral.waiting_since = on
    if status == Referral.Status.STARTED:
        referral.started_on = on
    referral.status = status


def _check_referral_organisation(case: Case, organisation) -> None:
    if organisation is not None and organisation.region_id != case.region_id:
        raise ValidationError({"organisation": _("This organisation works in another region.")})


@transaction.atomic
def referral_create(
    *,
    actor,
    case: Case,
    service: str,
    person=None,
    organisation=None,
    status: str = Referral.Status.REQUESTED,
    requested_on: date | None = None,
    note: str = "",
    request=None,
) -> Referral:
    """A referral of the family (or one member) to a service."""
    policy.require(actor, "case.contribute", case)
    _ensure_open(case)
    today = timezone.localdate()
    requested_on = requested_on or today
    errors = {}
    if not _text(service):
        errors["service"] = _("Name the service.")
    if status not in Referral.Status.values:
        errors["status"] = _("Choose a status.")
    if requested_on > today:
        errors["requested_on"] = _("This date lies in the future.")
    if errors:
        raise ValidationError(errors)
    _check_person(case, person, "person")
    _check_referral_organisation(case, organisation)
    referral = Referral(
        case=case,
        person=person,
        service=_text(service),
        organisation=organisation,
        requested_on=requested_on,
        note=_text(note),
        created_by=actor,
        updated_by=actor,
    )
    _apply_referral_status(referral, status, today)
    referral.save()
    audit_record(
        action="plan.referral_created",
        actor=actor,
        request=request,
        obj=referral,
        detail={"case": case.pk, "status": status},
    )
    return referral


@transaction.atomic
def referral_set_status(
    *,
    actor,
    referral: Referral,
    status: str,
    note: str = "",
    on: date | None = None,
    expected_version: int,
    request=None,
) -> Referral:
    """Waiting sets ``waiting_since``, started sets ``started_on``; a note is added to
    the referral's notes with the date."""
    policy.require(actor, "case.contribute", referral.case)
    # Only this row: ``updated_by`` is a nullable join, which PostgreSQL cannot lock.
    fresh = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("updated_by", "case")
        .get(pk=referral.pk)
    )
    if fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    _ensure_open(fresh.case)
    on = on or timezone.localdate()
    if status not in Referral.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == fresh.status:
        raise ValidationError({"status": _("The referral already has this status.")})
    _check_not_future(on, "on")
    before = fresh.status
    _apply_referral_status(fresh, status, on)
    note = _text(note)
    if note:
        line = f"{on.isoformat()} · {Referral.Status(status).label}: {note}"
        fresh.note = f"{fresh.note}\n{line}".strip()
    fresh.version += 1
    fresh.updated_by = actor
    fresh.save()
    audit_record(
        action="plan.referral_status_changed",
        actor=actor,
        request=request,
        obj=fresh,
        detail={"case": fresh.case_id, "from": before, "to": status},
    )
    return fresh


@transaction.atomic
def trauma_screening_record(
    *,
    actor,
    case: Case,
    person,
    offered_on: date,
    done_on: date | None = None,
    declined: bool = False,
    treatment_started_on: date | None = None,
    note: str = "",
    request=None,
) -> TraumaScreening:
    """Screening offered, done or declined, and treatment started, per person (one
    record per person and case, updated as things move on)."""
    policy.require(actor, "case.contribute", case)
    _ensure_open(case)
    if person is None:
        raise ValidationError({"person": _("Choose a member of this family.")})
    _check_person(case, person, "person")
    errors = {}
    if offered_on is None:
        errors["offered_on"] = _("Give the date the screening was offered.")
    for field, day in (
        ("offered_on", offered_on),
        ("done_on", done_on),
        ("treatment_started_on", treatment_started_on),
    ):
        if day is not None and day > timezone.localdate():
            errors[field] = _("This date lies in the future.")
    if offered_on and done_on and done_on < offered_on:
        errors["done_on"] = _("The screening cannot be done before it was offered.")
    if declined and (done_on or treatment_started_on):
        errors["declined"] = _("A declined screening has no screening or treatment date.")
    if treatment_started_on and not done_on:
        errors["treatment_started_on"] = _("Record the screening before the treatment.")
    if errors:
        raise ValidationError(errors)
    screening = TraumaScreening.objects.select_for_update().filter(case=case, person=person).first()
    created = screening is None
    if created:
        screening = TraumaScreening(case=case, person=person)
    screening.offered_on = offered_on
    screening.done_on = done_on
    screening.declined = declined
    screening.treatment_started_on = treatment_started_on
    screening.note = _text(note)
    screening.recorded_by = actor
    screening.save()
    audit_record(
        action="plan.trauma_screening_recorded" if created else "plan.trauma_screening_changed",
        actor=actor,
        request=request,
        obj=screening,
        detail={"case": case.pk, "person": person.pk},
    )
    return screening


@transaction.atomic
def police_intervention_record(
    *, actor, case: Case, occurred_on: date, summary: str, request=None
) -> PoliceIntervention:
    """A police intervention at the family (also after closure: the follow-up's
    before/after measure)."""
    policy.require(actor, "plan.police_record", case)
    errors = {}
    if occurred_on is None:
        errors["occurred_on"] = _("Give the date of the intervention.")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("This date lies in the future.")
    if not _text(summary):
        errors["summary"] = _("Summarise the intervention.")
    if errors:
        raise ValidationError(errors)
    intervention = PoliceIntervention.objects.create(
        case=case, occurred_on=occurred_on, summary=_text(summary), recorded_by=actor
    )
    audit_record(
        action="plan.police_intervention_recorded",
        actor=actor,
        request=request,
        obj=intervention,
        detail={"case": case.pk},
    )
    return intervention


# --- evaluations ------------------------------------------------------------------------


@transaction.atomic
def evaluation_hold(
    *,
    actor,
    evaluation: Evaluation,
    held_on: date,
    summary: str,
    goal_progress: Mapping[int, tuple[str, str]],
    decision: str,
    zrm_scores: Mapping[int, int | None] | None = None,
    revise_reason: str = "",
    close_outcome: str = "",
    close_note: str = "",
    follow_up_on: date | None = None,
    confirm_open_requests: bool = False,
    request=None,
) -> Evaluation:
    """Record an evaluation: progress per goal of the plan in force (every goal
    answered), optional ZRM scores, and the decision — continue, a new plan version
    (``plan_revise``), or close (``cases.services.case_close``, whose guards apply)."""
    case = evaluation.case
    policy.require(actor, "case.direct", case)
    evaluation = Evaluation.objects.select_for_update().select_related("case").get(pk=evaluation.pk)
    case = evaluation.case
    _ensure_open(case)
    if evaluation.held_on is not None:
        raise ValidationError(_("This evaluation was already held."))
    plan = current_plan_of(case)
    if plan is None:
        raise ValidationError(_("There is no approved plan to evaluate."))
    summary = _text(summary)
    errors: dict = {}
    if held_on is None:
        errors["held_on"] = _("Give the date of the evaluation.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("This date lies in the future.")
    if not summary:
        errors["summary"] = _("Describe how it is going.")
    if decision not in Evaluation.Decision.values:
        errors["decision"] = _("Choose the decision.")
    goals = {g.pk: g for g in plan.goals.all()}
    answers = {int(k): v for k, v in (goal_progress or {}).items()}
    unknown = set(answers) - set(goals)
    if unknown:
        errors["goal_progress"] = _("Answer for the goals of the plan in force only.")
    missing = [g for pk, g in goals.items() if not (answers.get(pk) or ("",))[0]]
    if missing:
        errors["goal_progress"] = _("Give the progress of every goal (%(count)d missing).") % {
            "count": len(missing)
        }
    for progress, _note in answers.values():
        if progress and progress not in Goal.Progress.values:
            errors["goal_progress"] = _("Choose a progress for every goal.")
    if decision == Evaluation.Decision.NEW_PLAN_VERSION and not _text(revise_reason or summary):
        errors["revise_reason"] = _("Say why the plan changes.")
    if errors:
        raise ValidationError(errors)
    GoalProgress.objects.bulk_create(
        GoalProgress(evaluation=evaluation, goal_id=pk, progress=p, note=_text(n))
        for pk, (p, n) in answers.items()
    )
    for pk, (progress, _note) in answers.items():
        if goals[pk].progress != progress:
            Goal.objects.filter(pk=pk).update(progress=progress)
    if zrm_scores:
        _record_scores(actor=actor, case=case, scores=zrm_scores, evaluation=evaluation, request=request)
    evaluation.held_on = held_on
    evaluation.held_by = actor
    evaluation.plan_version = plan
    evaluation.summary = summary
    evaluation.decision = decision
    evaluation.save(update_fields=["held_on", "held_by", "plan_version", "summary", "decision"])
    audit_record(
        action="plan.evaluation_held",
        actor=actor,
        request=request,
        obj=evaluation,
        detail={"case": case.pk, "milestone": evaluation.milestone_key, "decision": decision},
    )
    if decision == Evaluation.Decision.NEW_PLAN_VERSION:
        plan_revise(actor=actor, case=case, reason=_text(revise_reason) or summary, request=request)
    elif decision == Evaluation.Decision.CLOSE:
        case_services.case_close(
            actor=actor,
            case=case,
            outcome=close_outcome,
            note=_text(close_note) or summary,
            follow_up_on=follow_up_on,
            confirm_open_requests=confirm_open_requests,
            request=request,
        )
    return evaluation
