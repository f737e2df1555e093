"""Minutes: decisions per item, the review of unfinished actions, approval, correction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.cases.models import Stage
from ketenplan.cases.selectors import case_get
from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.exceptions import ConflictError
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.policy import policy

from .. import progress, selectors, services
from ..forms import ActionReviewForm, CorrectionForm, DecisionForm, DecisionTextForm, MinutesSummaryForm
from ..models import AgendaItem, Decision
from .meetings import show_error

Kind = Decision.Kind

#: The case steps a decision can take from each stage (the workflow guards decide).
STEPS_BY_STAGE = {
    Stage.REGISTERED: [Kind.ADMISSIBILITY],
    Stage.INTAKE: [Kind.INTAKE_COMPLETE],
    Stage.DOSSIER: [Kind.DOSSIER_READY],
    Stage.WEIGHING: [Kind.RISK_WEIGHING],
    Stage.PLANNING: [Kind.PLAN_APPROVAL],
}


@policy("meetings.use")
@require_http_methods(["GET", "POST"])
def minutes(request, pk):
    user = request.user
    meeting = selectors.meeting_get(user=user, pk=pk)
    can_manage = access.can(user, "meetings.manage", meeting)
    summary_form = None
    if can_manage:
        summary_form = MinutesSummaryForm(request.POST or None)
        if request.method == "POST":
            if summary_form.is_valid():
                try:
                    services.minutes_summary_save(
                        actor=user,
                        meeting=meeting,
                        summary=summary_form.cleaned_data["summary"],
                        request=request,
                    )
                except ValidationError as exc:
                    show_error(request, exc)
                else:
                    messages.success(request, _("The notes are saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
    elif request.method == "POST":
        access.require(user, "meetings.manage", meeting)
    version = request.GET.get("version")
    view = selectors.minutes_view(
        user=user, meeting=meeting, version=int(version) if version and version.isdigit() else None
    )
    if summary_form is not None and view.current is not None:
        summary_form.initial = {"summary": view.current.summary}
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "view": view,
            "can_manage": can_manage,
            "can_chair": access.can(user, "meetings.chair", meeting),
            "sending": progress.minutes_sending(view.current),
            "summary_form": summary_form,
            "review_form": ActionReviewForm(),
            "correction_form": CorrectionForm(),
            "editing": can_manage and (view.current is None or view.current.is_draft),
        },
    )


def _decision_form(request, item: AgendaItem, case, data=None):
    kinds = [Kind.NOTE]
    owners = Professional.objects.none()
    organisations = Organisation.objects.none()
    if case is not None:
        kinds += [*STEPS_BY_STAGE.get(case.stage, []), Kind.ACTION]
        organisations = Organisation.objects.filter(
            participations__case=case, participations__until__isnull=True
        ).distinct()
        owners = (
            Professional.objects.filter(is_active=True, organisation__in=organisations)
            .select_related("organisation")
            .order_by("organisation__name", "full_name")
        )
    return DecisionForm(
        data,
        kinds=kinds,
        owners=owners,
        organisations=organisations,
        initial={"expected_version": case.version if case is not None else None},
    )


@policy("meetings.use")
@require_http_methods(["GET", "POST"])
def decide(request, pk, item_pk):
    user = request.user
    meeting = selectors.meeting_get(user=user, pk=pk)
    access.require(user, "meetings.manage", meeting)
    item = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting, removed_at__isnull=True)
    case = case_get(user=user, pk=item.case_id) if item.case_id else None
    form = _decision_form(request, item, case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                actor=user,
                item=item,
                kind=data["kind"],
                text=data["text"],
                answers=form.admissibility_answers(),
                advice=data["advice"],
                level=data["level"],
                owner=data["owner"],
                owner_organisation=data["owner_organisation"],
                due_on=data["due_on"],
                expected_version=data["expected_version"],
                request=request,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The decision is in the minutes."))
            return redirect(f"{redirect('meetings:minutes', pk=meeting.pk).url}#item-{item.pk}")
    decisions = []
    view = selectors.minutes_view(user=user, meeting=meeting)
    for entry in view.entries:
        if entry.item.pk == item.pk:
            decisions = entry.decisions
    return render(
        request,
        "meetings/decide.html",
        {"meeting": meeting, "item": item, "case": case, "form": form, "decisions": decisions},
    )


@policy("meetings.use")
@require_POST
def decision_text(request, pk, decision_pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    decision = get_object_or_404(Decision, pk=decision_pk, minutes__meeting=meeting)
    form = DecisionTextForm(request.POST)
    if form.is_valid():
        try:
            services.decision_correct_text(
                actor=request.user, decision=decision, text=form.cleaned_data["text"], request=request
            )
        except ValidationError as exc:
            show_error(request, exc)
    return redirect("meetings:minutes", pk=meeting.pk)


@policy("meetings.use")
@require_POST
def review(request, pk, action_pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    action = selectors.actions_to_review(meeting=meeting).filter(pk=action_pk).first()
    if action is None or not access.can(request.user, "case.view", action.case):
        raise Http404
    form = ActionReviewForm(request.POST)
    if form.is_valid():
        try:
            services.action_review_record(
                actor=request.user, meeting=meeting, action=action, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            show_error(request, exc)
    else:
        messages.error(request, _("Choose: circumstances changed, or not done."))
    return redirect("meetings:minutes", pk=meeting.pk)


@policy("meetings.use")
@require_POST
def approve(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.chair", meeting)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            _("Approve the minutes?"),
            consequence=_("They no longer change afterwards and are sent to the attendees."),
            confirm_label=_("Approve"),
            cancel_url=reverse("meetings:minutes", args=[meeting.pk]),
        )
    try:
        services.minutes_approve(actor=request.user, meeting=meeting, request=request)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("The minutes are approved; they are being sent to the attendees."))
    return redirect("meetings:minutes", pk=meeting.pk)


@policy("meetings.use")
@require_GET
def sending(request, pk):
    """Where sending the approved minutes stands (htmx polls this until it is finished)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    view = selectors.minutes_view(user=request.user, meeting=meeting)
    return render(
        request,
        "meetings/partials/minutes_sending.html",
        {"meeting": meeting, "sending": progress.minutes_sending(view.current)},
    )


@policy("meetings.use")
@require_POST
def correct(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Explain what must be corrected."))
        return redirect("meetings:minutes", pk=meeting.pk)
    try:
        services.minutes_correct(
            actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"], request=request
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(
            request, _("A correction was started as a new version; the chair approves it again.")
        )
    return redirect("meetings:minutes", pk=meeting.pk)
