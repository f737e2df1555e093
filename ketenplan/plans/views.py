"""The plan page and the execution page of a case, and the forms posted from them.

Thin: reads through ``selectors``, writes through ``services``. A POST that succeeds
answers with a redirect (POST-redirect-GET); one that is refused shows the page again
with the user's input and the reason, and changes nothing. Outsiders get "not found"
(``case_get``); a participant without the right gets "forbidden".
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketenplan.cases import selectors as case_selectors
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.workflow import TransitionRefused
from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.exceptions import ConflictError
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.policy import policy
from ketenplan.methods.selectors import active_life_domains

from . import selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    ApproveForm,
    ContactForm,
    DraftStartForm,
    EvaluationHoldForm,
    GoalForm,
    PoliceInterventionForm,
    ReferralForm,
    ReferralStatusForm,
    ReviseForm,
    SafetyMeasureForm,
    TraumaScreeningForm,
    VersionForm,
    ZrmForm,
)
from .models import Action, PlanVersion

VIEW_RULE = "case.list"  # works on cases; the case itself is checked by case_get


def _may(user, action: str, obj) -> None:
    """The case is visible (``case_get`` made sure); refuse a participant without the
    right with "forbidden"."""
    if not access.can(user, action, obj):
        raise PermissionDenied


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _after_conflict(request, build, version_key: str, version: int, exc: ConflictError):
    """Someone else saved first: the form keeps the user's input, now with the current
    version (to review and retry), and says who changed what when."""
    data = request.POST.copy()
    data[version_key] = str(version)
    form = build(data)
    form.is_valid()
    form.add_error(None, str(exc))
    return form


def _refused(form, exc: Exception) -> None:
    """Show a refusal from a service on the form."""
    if isinstance(exc, ValidationError):
        apply_validation_error(form, exc)
    else:
        form.add_error(None, str(exc))


# --- the plan page ----------------------------------------------------------------------


def _goal_form(request, case: Case, data=None, **kwargs) -> GoalForm:
    user = request.user
    return GoalForm(
        data,
        domains=active_life_domains(),
        organisations=selectors.participating_organisations(user=user, case=case),
        professionals=selectors.case_professionals(user=user, case=case),
        persons=selectors.case_persons(user=user, case=case),
        **kwargs,
    )


def _measure_form(request, case: Case, data=None, **kwargs) -> SafetyMeasureForm:
    return SafetyMeasureForm(
        data,
        organisations=selectors.participating_organisations(user=request.user, case=case),
        **kwargs,
    )


def _plan_page(request, case: Case, *, status: int = 200, **forms):
    """The plan page; ``forms`` replace the blank forms (a refused POST shows its input)."""
    user = request.user
    current, draft = selectors.current_and_draft(user=user, case=case)
    may_edit = case.stage == Stage.PLANNING and access.can(user, "plan.edit", case)
    may_approve = access.can(user, "case.coordinate", case)
    context = {
        "case": case,
        "current": current,
        "draft": draft,
        "versions": selectors.plan_versions(user=user, case=case),
        "start_scores": selectors.start_self_reliance(user=user, case=case),
        "can": {
            "edit": may_edit,
            "start_draft": may_edit and draft is None,
            "approve": draft is not None and case.stage == Stage.PLANNING and may_approve,
            "revise": case.stage == Stage.EXECUTION and access.can(user, "case.direct", case),
            "start_execution": (
                case.stage == Stage.PLANNING
                and current is not None
                and draft is None
                and case.case_director_id is not None
                and access.can(user, "case.direct", case)
            ),
            "score": case.stage != Stage.CLOSED and (may_edit or access.can(user, "case.direct", case)),
        },
        "start_execution_url": _url_or_none("cases:start_execution", case.pk),
    }
    can = context["can"]
    if draft is not None:
        context["problems"] = selectors.approval_problems(draft)
    if can["start_draft"]:
        context["start_form"] = forms.get("start_form") or DraftStartForm()
    if draft is not None and may_edit:
        context["goal_form"] = forms.get("goal_form") or _goal_form(
            request, case, initial={"version": draft.version}
        )
        context["measure_form"] = forms.get("measure_form") or _measure_form(
            request, case, initial={"version": draft.version, "kind": "direct"}
        )
        context["can_discard"] = True
    if can["approve"]:
        context["approve_form"] = forms.get("approve_form") or ApproveForm(
            initial={"version": draft.version, "route": PlanVersion.ApprovedBy.COORDINATOR}
        )
    if can["revise"]:
        context["revise_form"] = forms.get("revise_form") or ReviseForm(initial={"version": case.version})
    if can["score"]:
        context["zrm_form"] = forms.get("zrm_form") or ZrmForm(domains=active_life_domains())
    return render(request, "plans/case_plan.html", context, status=status)


@policy(VIEW_RULE)
@require_GET
def case_plan(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    return _plan_page(request, case)


def _draft_of(request, case: Case) -> PlanVersion:
    _current, draft = selectors.current_and_draft(user=request.user, case=case)
    if draft is None:
        raise Http404
    return draft


@policy(VIEW_RULE)
@require_POST
def plan_start(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    form = DraftStartForm(request.POST)
    if form.is_valid():
        try:
            plan = services.plan_draft_start(
                actor=request.user, case=case, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Draft of plan version %(number)d started.") % {"number": plan.number}
            )
            return redirect("plans:case_plan", case.pk)
    return _plan_page(request, case, status=400, start_form=form)


@policy(VIEW_RULE)
@require_POST
def plan_revise(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.direct", case)
    form = ReviseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            plan = services.plan_revise(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            case = case_selectors.case_get(user=request.user, pk=pk)
            form = _after_conflict(request, ReviseForm, form.add_prefix("version"), case.version, exc)
            status = 409
        except (ValidationError, TransitionRefused) as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("The case is back in planning; plan version %(number)d is a draft.")
                % {"number": plan.number},
            )
            return redirect("plans:case_plan", case.pk)
    return _plan_page(request, case, status=status, revise_form=form)


@policy(VIEW_RULE)
@require_POST
def plan_discard(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    draft = _draft_of(request, case)
    form = VersionForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Throw this draft away?"),
            consequence=_(
                "Its goals and safety measures are deleted; actions go back to the goals they came from."
            ),
            confirm_label=_("Discard the draft"),
            cancel_url=reverse("plans:case_plan", args=[case.pk]),
        )
    if form.is_valid():
        try:
            services.plan_draft_discard(
                actor=request.user,
                plan=draft,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (ConflictError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The draft was discarded."))
    return redirect("plans:case_plan", case.pk)


@policy(VIEW_RULE)
@require_POST
def plan_approve(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.coordinate", case)
    draft = _draft_of(request, case)
    form = ApproveForm(request.POST)
    status = 400
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Approve this plan version?"),
            consequence=_(
                "An approved version cannot be changed any more; "
                "the version in force before it is superseded."
            ),
            confirm_label=_("Approve"),
            cancel_url=reverse("plans:case_plan", args=[case.pk]),
        )
    if form.is_valid():
        try:
            plan = services.plan_approve(
                actor=request.user,
                plan=draft,
                route=form.cleaned_data["route"],
                meeting_date=form.cleaned_data["meeting_date"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            fresh = _draft_of(request, case)
            form = _after_conflict(request, ApproveForm, form.add_prefix("version"), fresh.version, exc)
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Plan version %(number)d is approved.") % {"number": plan.number})
            return redirect("plans:case_plan", case.pk)
    return _plan_page(request, case, status=status, approve_form=form)


def _draft_write(request, case: Case, form, call, success: str, form_kwargs: dict):
    """Run one edit of the draft with the form's input. Returns ``(form, status)``:
    302 when saved (the caller redirects), else the form with the refusal and 400, or
    409 when someone else changed the draft (the form then carries the new version)."""
    if not form.is_valid():
        return form, 400
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        call(expected_version=version, **data)
    except ConflictError as exc:
        version = _draft_of(request, case).version
        form_class, version_key = type(form), form.add_prefix("version")
        form = _after_conflict(
            request, lambda data: form_class(data, **form_kwargs), version_key, version, exc
        )
        return form, 409
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return form, 400
    messages.success(request, success)
    return form, 302


@policy(VIEW_RULE)
@require_POST
def goal_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    draft = _draft_of(request, case)
    form = _goal_form(request, case, request.POST)

    def call(**kwargs):
        services.goal_add(actor=request.user, plan=draft, request=request, **kwargs)

    form, status = _draft_write(request, case, form, call, _("Goal added."), _goal_kwargs(request, case))
    if status == 302:
        return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-goals")
    return _plan_page(request, case, status=status, goal_form=form)


def _goal_kwargs(request, case):
    user = request.user
    return {
        "domains": active_life_domains(),
        "organisations": selectors.participating_organisations(user=user, case=case),
        "professionals": selectors.case_professionals(user=user, case=case),
        "persons": selectors.case_persons(user=user, case=case),
    }


def _draft_goal(request, case: Case, goal_pk: int):
    goal = selectors.goal_get(user=request.user, pk=goal_pk)
    if goal.plan_version.case_id != case.pk or goal.plan_version.status != PlanVersion.Status.DRAFT:
        raise Http404
    goal.plan_version.case = case
    return goal


@policy(VIEW_RULE)
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int, goal_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    goal = _draft_goal(request, case, goal_pk)
    kwargs = _goal_kwargs(request, case)
    status = 200
    if request.method == "POST":
        form = GoalForm(request.POST, **kwargs)

        def call(**data):
            services.goal_update(actor=request.user, goal=goal, request=request, **data)

        form, status = _draft_write(request, case, form, call, _("Goal saved."), kwargs)
        if status == 302:
            return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-goals")
    else:
        form = GoalForm(initial=GoalForm.initial_for(goal, goal.plan_version.version), **kwargs)
    return render(
        request,
        "plans/edit.html",
        {"case": case, "form": form, "title": _("Change a goal"), "submit_label": _("Save goal")},
        status=status,
    )


@policy(VIEW_RULE)
@require_POST
def goal_remove(request, pk: int, goal_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    goal = _draft_goal(request, case, goal_pk)
    form = VersionForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Remove this goal from the draft?"),
            consequence=_("Its actions go back to the plan in force or to the action list."),
            confirm_label=_("Remove"),
            cancel_url=reverse("plans:case_plan", args=[case.pk]) + "#draft-goals",
        )
    if form.is_valid():
        try:
            services.goal_remove(
                actor=request.user,
                goal=goal,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (ConflictError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Goal removed from the draft."))
    return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-goals")


@policy(VIEW_RULE)
@require_POST
def measure_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    draft = _draft_of(request, case)
    kwargs = {"organisations": selectors.participating_organisations(user=request.user, case=case)}
    form = SafetyMeasureForm(request.POST, **kwargs)

    def call(**data):
        services.safety_measure_add(actor=request.user, plan=draft, request=request, **data)

    form, status = _draft_write(request, case, form, call, _("Safety measure added."), kwargs)
    if status == 302:
        return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-safety")
    return _plan_page(request, case, status=status, measure_form=form)


def _draft_measure(request, case: Case, measure_pk: int):
    measure = selectors.safety_measure_get(user=request.user, pk=measure_pk)
    if measure.plan_version.case_id != case.pk or measure.plan_version.status != PlanVersion.Status.DRAFT:
        raise Http404
    measure.plan_version.case = case
    return measure


@policy(VIEW_RULE)
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int, measure_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    measure = _draft_measure(request, case, measure_pk)
    kwargs = {"organisations": selectors.participating_organisations(user=request.user, case=case)}
    status = 200
    if request.method == "POST":
        form = SafetyMeasureForm(request.POST, **kwargs)

        def call(**data):
            services.safety_measure_update(actor=request.user, measure=measure, request=request, **data)

        form, status = _draft_write(request, case, form, call, _("Safety measure saved."), kwargs)
        if status == 302:
            return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-safety")
    else:
        form = SafetyMeasureForm(
            initial=SafetyMeasureForm.initial_for(measure, measure.plan_version.version), **kwargs
        )
    return render(
        request,
        "plans/edit.html",
        {
            "case": case,
            "form": form,
            "title": _("Change a safety measure"),
            "submit_label": _("Save measure"),
        },
        status=status,
    )


@policy(VIEW_RULE)
@require_POST
def measure_remove(request, pk: int, measure_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.edit", case)
    measure = _draft_measure(request, case, measure_pk)
    form = VersionForm(request.POST)
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Remove this safety measure from the draft?"),
            confirm_label=_("Remove"),
            cancel_url=reverse("plans:case_plan", args=[case.pk]) + "#draft-safety",
        )
    if form.is_valid():
        try:
            services.safety_measure_remove(
                actor=request.user,
                measure=measure,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (ConflictError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Safety measure removed from the draft."))
    return redirect(reverse("plans:case_plan", args=[case.pk]) + "#draft-safety")


@policy(VIEW_RULE)
@require_POST
def self_reliance_start(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    if not (access.can(request.user, "plan.edit", case) or access.can(request.user, "case.direct", case)):
        raise PermissionDenied
    form = ZrmForm(request.POST, domains=active_life_domains())
    if form.is_valid():
        try:
            services.self_reliance_record(
                actor=request.user, case=case, scores=form.zrm_scores(), request=request
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Self-reliance scores recorded."))
            return redirect(reverse("plans:case_plan", args=[case.pk]) + "#self-reliance")
    return _plan_page(request, case, status=400, zrm_form=form)


@policy(VIEW_RULE)
@require_GET
def plan_version(request, pk: int, number: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    plan = selectors.plan_with_content(user=request.user, case=case, number=number)
    return render(
        request,
        "plans/plan_version.html",
        {"case": case, "plan": plan, "versions": selectors.plan_versions(user=request.user, case=case)},
    )


@policy(VIEW_RULE)
@require_GET
def plan_compare(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    versions = selectors.plan_versions(user=request.user, case=case)
    numbers = [v.number for v in versions]
    try:
        old = int(request.GET.get("old", ""))
        new = int(request.GET.get("new", ""))
    except ValueError:
        old, new = (numbers[1], numbers[0]) if len(numbers) >= 2 else (None, None)
    comparison = None
    if old in numbers and new in numbers and old != new:
        comparison = selectors.plan_compare(user=request.user, case=case, old_number=old, new_number=new)
    return render(
        request,
        "plans/compare.html",
        {"case": case, "versions": versions, "comparison": comparison, "old": old, "new": new},
    )


# --- the execution page -----------------------------------------------------------------


def _action_form(request, case: Case, data=None) -> ActionForm:
    user = request.user
    return ActionForm(
        data,
        goals=selectors.action_goal_choices(user=user, case=case),
        organisations=selectors.participating_organisations(user=user, case=case),
        professionals=selectors.case_professionals(user=user, case=case),
    )


def _persons(request, case: Case):
    return selectors.case_persons(user=request.user, case=case)


def _evaluation_form(request, case: Case, data=None) -> EvaluationHoldForm:
    return EvaluationHoldForm(
        data,
        goals=selectors.current_goals(user=request.user, case=case),
        domains=active_life_domains(),
    )


def _mark_escalatable(user, case: Case, actions) -> None:
    """Mark the overdue or blocked actions that the viewer may escalate to the steering
    group (the case director, or the coordinator standing in): their row links to the
    escalation form with the action filled in."""
    may_escalate = access.can(user, "meetings.escalate", case)
    for action in actions:
        action.may_escalate = may_escalate and (
            action.is_overdue or action.status == Action.Status.CANNOT_BE_DONE
        )


def _execution_page(request, case: Case, *, status: int = 200, **forms):
    """The execution page; ``forms`` replace the blank forms (a refused POST shows its
    input): ``action_form``, ``contact_form``, ``referral_form``, ``screening_form``,
    ``police_form``, ``hold_form`` (with ``hold_evaluation``), ``action_status_forms`` and
    ``referral_status_forms`` ({pk: form})."""
    user = request.user
    is_open = case.stage != Stage.CLOSED
    may_contribute = access.can(user, "case.contribute", case)
    may_direct = access.can(user, "case.direct", case)
    actions = selectors.case_actions(user=user, case=case)
    status_forms = forms.get("action_status_forms", {})
    _mark_escalatable(user, case, actions)
    for action in actions:
        action.can_change = is_open and access.can(user, "plan.action_status", action)
        if action.can_change:
            action.status_form = status_forms.get(action.pk) or ActionStatusForm.for_action(action)
    referrals = selectors.case_referrals(user=user, case=case)
    referral_forms = forms.get("referral_status_forms", {})
    for referral in referrals:
        if is_open and may_contribute:
            referral.status_form = referral_forms.get(referral.pk) or ReferralStatusForm.for_referral(
                referral
            )
    evaluations = selectors.case_evaluations(user=user, case=case)
    held = forms.get("hold_evaluation")
    next_evaluation = (
        next((e for e in evaluations if e.pk == held.pk), None)
        if held is not None
        else selectors.next_open_evaluation(evaluations)
    )
    context = {
        "case": case,
        "actions": actions,
        "contacts": selectors.case_contacts(user=user, case=case),
        "referrals": referrals,
        "screenings": selectors.case_trauma_screenings(user=user, case=case),
        "interventions": selectors.case_police_interventions(user=user, case=case),
        "evaluations": evaluations,
        "next_evaluation": next_evaluation,
        "today": timezone.localdate(),
        "can": {
            "contribute": is_open and may_contribute,
            "police": access.can(user, "plan.police_record", case),
            "hold": is_open and may_direct and next_evaluation is not None,
        },
    }
    can = context["can"]
    if can["contribute"]:
        context["action_form"] = forms.get("action_form") or _action_form(request, case)
        context["contact_form"] = forms.get("contact_form") or ContactForm(persons=_persons(request, case))
        context["referral_form"] = forms.get("referral_form") or ReferralForm(
            organisations=selectors.region_organisations(user=user, case=case),
            persons=_persons(request, case),
        )
        context["screening_form"] = forms.get("screening_form") or TraumaScreeningForm(
            persons=_persons(request, case)
        )
    if can["police"]:
        context["police_form"] = forms.get("police_form") or PoliceInterventionForm()
    if can["hold"]:
        context["hold_form"] = forms.get("hold_form") or _evaluation_form(request, case)
    return render(request, "plans/case_execution.html", context, status=status)


@policy(VIEW_RULE)
@require_GET
def case_execution(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    return _execution_page(request, case)


def _to_execution(case: Case, anchor: str = ""):
    return redirect(reverse("plans:case_execution", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@policy(VIEW_RULE)
@require_POST
def action_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.contribute", case)
    form = _action_form(request, case, request.POST)
    if form.is_valid():
        try:
            services.action_create(actor=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Action added."))
            return _to_execution(case, "actions")
    return _execution_page(request, case, status=400, action_form=form)


@policy(VIEW_RULE)
@require_POST
def action_status(request, pk: int, action_pk: int):
    """Change an action's status; with htmx only the action's row is sent back."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    action = selectors.action_get(user=request.user, pk=action_pk)
    if action.case_id != case.pk:
        raise Http404
    action.case = case
    _may(request.user, "plan.action_status", action)
    form = ActionStatusForm.for_action(action, request.POST)
    status = 400
    if form.is_valid():
        try:
            action = services.action_set_status(
                actor=request.user,
                action=action,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            action = selectors.action_get(user=request.user, pk=action_pk)
            action.case = case
            form = _after_conflict(
                request,
                lambda data: ActionStatusForm.for_action(action, data),
                f"action-{action.pk}-version",
                action.version,
                exc,
            )
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if request.htmx:
                action = selectors.action_get(user=request.user, pk=action_pk)
                action.case = case
                action.can_change = True
                action.status_form = ActionStatusForm.for_action(action)
                action.just_saved = True
                _mark_escalatable(request.user, case, [action])
                return render(request, "plans/partials/action_row.html", {"case": case, "action": action})
            messages.success(request, _("Status of the action changed."))
            return _to_execution(case, f"action-{action.pk}")
    if request.htmx:
        action.can_change = True
        action.status_form = form
        _mark_escalatable(request.user, case, [action])
        # htmx swaps only 2xx answers: the row with its errors is a normal answer to it.
        return render(request, "plans/partials/action_row.html", {"case": case, "action": action})
    return _execution_page(request, case, status=status, action_status_forms={action.pk: form})


@policy(VIEW_RULE)
@require_POST
def contact_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.contribute", case)
    form = ContactForm(request.POST, persons=_persons(request, case))
    if form.is_valid():
        try:
            services.contact_log(actor=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Contact recorded."))
            return _to_execution(case, "contacts")
    return _execution_page(request, case, status=400, contact_form=form)


@policy(VIEW_RULE)
@require_POST
def referral_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.contribute", case)
    form = ReferralForm(
        request.POST,
        organisations=selectors.region_organisations(user=request.user, case=case),
        persons=_persons(request, case),
    )
    if form.is_valid():
        try:
            services.referral_create(actor=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Referral recorded."))
            return _to_execution(case, "referrals")
    return _execution_page(request, case, status=400, referral_form=form)


@policy(VIEW_RULE)
@require_POST
def referral_status(request, pk: int, referral_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    referral = selectors.referral_get(user=request.user, pk=referral_pk)
    if referral.case_id != case.pk:
        raise Http404
    referral.case = case
    _may(request.user, "case.contribute", case)
    form = ReferralStatusForm.for_referral(referral, request.POST)
    status = 400
    if form.is_valid():
        try:
            services.referral_set_status(
                actor=request.user,
                referral=referral,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            referral = selectors.referral_get(user=request.user, pk=referral_pk)
            form = _after_conflict(
                request,
                lambda data: ReferralStatusForm.for_referral(referral, data),
                f"referral-{referral.pk}-version",
                referral.version,
                exc,
            )
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Status of the referral changed."))
            return _to_execution(case, f"referral-{referral.pk}")
    return _execution_page(request, case, status=status, referral_status_forms={referral.pk: form})


@policy(VIEW_RULE)
@require_POST
def trauma_screening(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.contribute", case)
    form = TraumaScreeningForm(request.POST, persons=_persons(request, case))
    if form.is_valid():
        try:
            services.trauma_screening_record(
                actor=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Trauma screening recorded."))
            return _to_execution(case, "screenings")
    return _execution_page(request, case, status=400, screening_form=form)


@policy(VIEW_RULE)
@require_POST
def police_add(request, pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "plan.police_record", case)
    form = PoliceInterventionForm(request.POST)
    if form.is_valid():
        try:
            services.police_intervention_record(
                actor=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Police intervention recorded."))
            return _to_execution(case, "police")
    return _execution_page(request, case, status=400, police_form=form)


@policy(VIEW_RULE)
@require_POST
def evaluation_hold(request, pk: int, evaluation_pk: int):
    case = case_selectors.case_get(user=request.user, pk=pk)
    evaluation = selectors.evaluation_get(user=request.user, pk=evaluation_pk)
    if evaluation.case_id != case.pk:
        raise Http404
    evaluation.case = case
    _may(request.user, "case.direct", case)
    form = _evaluation_form(request, case, request.POST)
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Record this evaluation?"),
            consequence=_(
                "It cannot be changed afterwards; a decision for a new plan version or to close the "
                "case is carried out at once."
            ),
            confirm_label=_("Record the evaluation"),
            cancel_url=reverse("plans:case_execution", args=[case.pk]),
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluation_hold(
                actor=request.user,
                evaluation=evaluation,
                held_on=data["held_on"],
                summary=data["summary"],
                goal_progress=form.goal_progress(),
                zrm_scores=form.zrm_scores(),
                decision=data["decision"],
                revise_reason=data["revise_reason"],
                close_outcome=data["close_outcome"],
                close_note=data["close_note"],
                follow_up_on=data["follow_up_on"],
                confirm_open_requests=data["confirm_open_requests"],
                request=request,
            )
        except (ValidationError, TransitionRefused) as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Evaluation recorded."))
            if data["decision"] == "new_plan_version":
                return redirect("plans:case_plan", case.pk)
            return _to_execution(case, "evaluations")
    return _execution_page(request, case, status=400, hold_form=form, hold_evaluation=evaluation)
