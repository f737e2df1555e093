"""Crisis consultations on one case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketenplan.accounts.models import Professional
from ketenplan.cases.selectors import case_get
from ketenplan.core import policy as access
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.policy import policy

from .. import selectors, services
from ..forms import CrisisForm, InviteForm, OutcomeForm
from .meetings import show_error


@policy("meetings.use")
@require_http_methods(["GET", "POST"])
def crisis_new(request, case_pk):
    case = case_get(user=request.user, pk=case_pk)
    access.require(request.user, "meetings.call_crisis", case)
    candidates = selectors.crisis_invitee_candidates(user=request.user, case=case).exclude(pk=request.user.pk)
    form = CrisisForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.crisis_call(
                actor=request.user,
                case=case,
                request=request,
                invitees=list(form.cleaned_data.pop("invitees")),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The crisis consultation is called; the invitees get an e-mail now."))
            return redirect(meeting)
    return render(request, "meetings/crisis_form.html", {"case": case, "form": form})


@policy("meetings.use")
@require_POST
def crisis_invite(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the e-mail address of the professional to invite."))
        return redirect(meeting)
    professional = Professional.objects.filter(
        email__iexact=form.cleaned_data["email"], organisation__region_id=meeting.region_id
    ).first()
    if professional is None:
        messages.error(request, _("No professional of your region has this e-mail address."))
        return redirect(meeting)
    try:
        services.crisis_invite(
            actor=request.user, meeting=meeting, professional=professional, request=request
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": professional})
    return redirect(meeting)


@policy("meetings.use")
@require_POST
def crisis_outcome(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the outcome."))
        return redirect(meeting)
    try:
        services.crisis_outcome_record(
            actor=request.user, meeting=meeting, outcome=form.cleaned_data["outcome"], request=request
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("The outcome is recorded with the case."))
    return redirect(meeting)
