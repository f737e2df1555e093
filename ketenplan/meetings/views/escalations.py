"""Escalations to the steering group."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketenplan.cases.selectors import case_get
from ketenplan.core import policy as access
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy

from .. import selectors, services
from ..filters import ESCALATION_SORTS, EscalationFilter
from ..forms import EscalationForm, OutcomeForm
from ..models import SteeringMember


@policy("meetings.view_escalations")
def escalation_list(request):
    listing = list_page(
        request,
        selectors.escalation_list(user=request.user),
        sorts=ESCALATION_SORTS,
        default_sort="-raised_at",
        filterset_class=EscalationFilter,
    )
    return render(request, "meetings/escalations.html", {"listing": listing, "page": listing.page})


@policy("meetings.view_escalations")
@require_http_methods(["GET", "POST"])
def escalation_new(request, case_pk):
    case = case_get(user=request.user, pk=case_pk)
    access.require(request.user, "meetings.escalate", case)
    actions = selectors.escalation_actions(user=request.user, case=case)
    organisations = selectors.escalation_organisations(user=request.user, case=case)
    form = EscalationForm(
        request.POST or None,
        actions=actions,
        organisations=organisations,
        initial=EscalationForm.initial_from(request.GET, actions=actions, organisations=organisations),
    )
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_raise(
                actor=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not SteeringMember.objects.filter(region_id=case.region_id).exists():
                messages.warning(
                    request,
                    _(
                        "No steering group is registered for your region: the coordinator sees "
                        "the escalation on the next agenda."
                    ),
                )
            messages.success(request, _("The escalation is sent to the steering group."))
            return redirect("meetings:escalation", pk=escalation.pk)
    return render(request, "meetings/escalation_form.html", {"case": case, "form": form})


@policy("meetings.view_escalations")
@require_http_methods(["GET", "POST"])
def escalation_detail(request, pk):
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    can_handle = access.can(request.user, "meetings.handle_escalation", escalation)
    form = OutcomeForm(request.POST or None) if can_handle else None
    if request.method == "POST":
        access.require(request.user, "meetings.handle_escalation", escalation)
        if form.is_valid():
            try:
                services.escalation_handle(
                    actor=request.user,
                    escalation=escalation,
                    outcome=form.cleaned_data["outcome"],
                    request=request,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The escalation is handled."))
                return redirect("meetings:escalation", pk=escalation.pk)
    return render(
        request,
        "meetings/escalation_detail.html",
        {
            "escalation": escalation,
            "form": form,
            "case_visible": access.can(request.user, "case.view", escalation.case),
        },
    )
