"""The path of a case (METHOD.md §3) as guarded transitions.

Every stage change goes through ``move``: it locks the case row, checks that the step
starts from the current stage, asks the step's guard, and records who, when and why, in
the caller's transaction. A refused step raises ``TransitionRefused`` with a message in
the user's language and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ketenplan.audit.services import audit_record
from ketenplan.core.exceptions import ConflictError

from .models import Case, Stage, Transition


class TransitionRefused(Exception):
    """A step that may not be taken now; ``str(exc)`` says why, translated."""


Guard = Callable[..., "str | Promise | None"]


@dataclass(frozen=True)
class Step:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    guard: Guard | None = None


def _plan_ready(case: Case, **ctx):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    statuses = set(PlanVersion.objects.filter(case=case).values_list("status", flat=True))
    if PlanVersion.Status.APPROVED not in statuses:
        return _("The plan must be approved before execution starts.")
    if PlanVersion.Status.DRAFT in statuses:
        return _("A new plan version is still a draft: approve or discard it first.")
    if case.case_director_id is None:
        return _("Appoint a case director before execution starts.")
    return None


def _no_open_requests(case: Case, *, confirm_open_requests: bool = False, **ctx):
    InformationRequest = apps.get_model("dossier", "InformationRequest")
    open_count = InformationRequest.objects.filter(
        case=case, status__in=InformationRequest.OPEN_STATUSES
    ).count()
    if open_count and not confirm_open_requests:
        return _(
            "%(count)d information request(s) are still open. "
            "Confirm that the case may close anyway."
        ) % {"count": open_count}
    return None


def _has_final_assessment(case: Case, **ctx):
    """The team weighs on structured instruments (METHOD.md §3.5, §7), never on a free level."""
    Assessment = apps.get_model("risk", "Assessment")
    if not Assessment.objects.filter(case=case, status=Assessment.Status.FINAL).exists():
        return _("Finalise at least one assessment before the team weighs the risk.")
    return None


def _has_member(case: Case, **ctx):
    if not case.members.exists():
        return _("Register at least one family member first.")
    return None


OPEN_STAGES = (
    Stage.REGISTERED,
    Stage.INTAKE,
    Stage.DOSSIER,
    Stage.WEIGHING,
    Stage.PLANNING,
    Stage.EXECUTION,
)

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "admit", _("Admissible: start intake"), (Stage.REGISTERED,), Stage.INTAKE, _has_member
        ),
        Step(
            "not_admissible",
            _("Not admissible: close with advice"),
            (Stage.REGISTERED,),
            Stage.CLOSED,
        ),
        Step("start_dossier", _("Intake done: build the dossier"), (Stage.INTAKE,), Stage.DOSSIER),
        Step(
            "ready_for_weighing",
            _("Dossier ready for risk weighing"),
            (Stage.DOSSIER,),
            Stage.WEIGHING,
        ),
        Step(
            "weighed_high",
            _("High risk: make a plan"),
            (Stage.WEIGHING,),
            Stage.PLANNING,
            _has_final_assessment,
        ),
        Step(
            "weighed_not_high",
            _("Low or medium risk: close with advice"),
            (Stage.WEIGHING,),
            Stage.CLOSED,
            _has_final_assessment,
        ),
        Step(
            "start_execution", _("Start execution"), (Stage.PLANNING,), Stage.EXECUTION, _plan_ready
        ),
        Step("revise_plan", _("Make a new plan version"), (Stage.EXECUTION,), Stage.PLANNING),
        Step(
            "close",
            _("Close the case"),
            (Stage.INTAKE, Stage.DOSSIER, Stage.WEIGHING, Stage.PLANNING, Stage.EXECUTION),
            Stage.CLOSED,
            _no_open_requests,
        ),
    ]
}


def refusal(case: Case, step_name: str, **ctx) -> str | None:
    """Why the step cannot be taken now, or None when it can."""
    return refusals(case, [STEPS[step_name]], {step_name: ctx})[step_name]


def refusals(case: Case, steps: list[Step], contexts: dict[str, dict] | None = None) -> dict:
    """Why each of ``steps`` cannot be taken now (None when it can), by step name; a
    guard that several of them share with the same context is asked once (the two
    weighing steps both need a final assessment). A guard's answer depends on the case
    and its context only, and context values are plain (hashable) values."""
    answers: dict[tuple, str | None] = {}
    reasons = {}
    for step in steps:
        ctx = (contexts or {}).get(step.name, {})
        if case.stage not in step.sources:
            reasons[step.name] = str(
                _("This step is not possible while the case is at stage '%(stage)s'.")
                % {"stage": Stage(case.stage).label}
            )
            continue
        if step.guard is None:
            reasons[step.name] = None
            continue
        key = (step.guard, tuple(sorted(ctx.items())))
        if key not in answers:
            reason = step.guard(case, **ctx)
            answers[key] = str(reason) if reason else None
        reasons[step.name] = answers[key]
    return reasons


def lock_case(case: Case, expected_version: int | None = None) -> Case:
    """Re-read the case under a row lock; refuse when someone changed it meanwhile."""
    # Only the case row: ``updated_by`` is a nullable join, which PostgreSQL cannot lock.
    fresh = Case.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=case.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=fresh.updated_by, changed_at=fresh.updated_at, current_version=fresh.version
        )
    return fresh


def touch(case: Case, actor) -> None:
    """Mark the case as changed by ``actor``: bumps the version for optimistic locking."""
    Case.objects.filter(pk=case.pk).update(
        version=case.version + 1, updated_by=actor, updated_at=timezone.now()
    )
    case.version += 1
    case.updated_by = actor


def move(
    *,
    case: Case,
    step: str,
    actor,
    reason: str = "",
    request=None,
    expected_version: int | None = None,
    set_fields: dict | None = None,
    **ctx,
) -> Transition:
    """Take one step. Call inside the service's transaction.

    ``set_fields`` are saved on the case together with the new stage (e.g. the closure
    fields, which the database requires to change with the stage).
    """
    locked = lock_case(case, expected_version)
    why_not = refusal(locked, step, **ctx)
    if why_not:
        raise TransitionRefused(why_not)
    target = STEPS[step].target
    now = timezone.now()
    transition = Transition.objects.create(
        case=locked,
        from_stage=locked.stage,
        to_stage=target,
        name=step,
        actor=actor,
        reason=reason,
        at=now,
    )
    locked.stage = target
    locked.stage_changed_at = now
    locked.version += 1
    locked.updated_by = actor
    for field, value in (set_fields or {}).items():
        setattr(locked, field, value)
        setattr(case, field, value)
    locked.save(
        update_fields=[
            "stage",
            "stage_changed_at",
            "version",
            "updated_by",
            "updated_at",
            *(set_fields or {}),
        ]
    )
    audit_record(
        action=f"case.{step}",
        actor=actor,
        request=request,
        obj=locked,
        detail={"from": transition.from_stage, "to": target},
    )
    # Keep the caller's object in step with the database.
    case.stage, case.stage_changed_at, case.version = locked.stage, now, locked.version
    return transition


def available_steps(case: Case) -> list[Step]:
    return [s for s in STEPS.values() if case.stage in s.sources]
