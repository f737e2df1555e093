"""Consent pages under /cases/<id>/consent/ and the emergency-access pages. Thin: read
through selectors, write through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy

from . import selectors, services
from .filters import EMERGENCY_REVIEW_SORTS, EmergencyReviewFilter
from .forms import (
    ConsentForm,
    EmergencyAccessForm,
    EmergencyReviewForm,
    EndLegalBasisForm,
    LegalBasisForm,
    NotAskedForm,
    WithdrawForm,
)
from .models import emergency_access_minutes


def _case_url(case) -> str | None:
    """The case page, once the cases app has one."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return None


def _page(request, template: str, case, **context):
    context.update(
        case=case,
        case_url=_case_url(case),
        can_decide=access.can(request.user, "consent.decide", case),
        can_record=access.can(request.user, "consent.record", case),
        can_withdraw=access.can(request.user, "consent.withdraw", case),
    )
    return render(request, template, context)


def _to_overview(case):
    return redirect("consent:overview", pk=case.pk)


def _others(case, member):
    return case.members.select_related("person").exclude(pk=member.pk).order_by("added_at", "pk")


@policy("consent.use")
@never_cache
def overview(request, pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    states = selectors.person_states(user=request.user, case=case)
    return _page(request, "consent/overview.html", case, states=states)


@policy("consent.use")
@never_cache
@require_http_methods(["GET", "POST"])
def consent_record(request, pk, member_pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    access.require(request.user, "consent.record", case)
    member = selectors.member_get(user=request.user, case=case, member_pk=member_pk)
    form = ConsentForm(
        request.POST or None,
        organisations=selectors.scope_organisations(user=request.user, case=case),
        guardians=_others(case, member),
        attachments=selectors.evidence_attachments(user=request.user, case=case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user, case=case, person=member.person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The consent of %(person)s is recorded.") % {"person": member.person})
            return _to_overview(case)
    state = selectors.person_state(user=request.user, case=case, member=member)
    return _page(request, "consent/record.html", case, form=form, state=state)


@policy("consent.use")
@never_cache
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk, member_pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    access.require(request.user, "consent.withdraw", case)
    member = selectors.member_get(user=request.user, case=case, member_pk=member_pk)
    form = WithdrawForm(request.POST or None, guardians=_others(case, member))
    if request.method == "POST" and form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("Record that %(person)s withdraws their consent?") % {"person": member.person},
            consequence=_("From then on, nothing about them is shared on consent."),
            confirm_label=_("Record the withdrawal"),
            cancel_url=reverse("consent:overview", args=[case.pk]),
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user, case=case, person=member.person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The consent of %(person)s is withdrawn. "
                    "From now on, nothing about them is shared on consent."
                )
                % {"person": member.person},
            )
            return _to_overview(case)
    state = selectors.person_state(user=request.user, case=case, member=member)
    return _page(request, "consent/withdraw.html", case, form=form, state=state)


@policy("consent.use")
@never_cache
@require_http_methods(["GET", "POST"])
def legal_basis_record(request, pk, member_pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    access.require(request.user, "consent.decide", case)
    member = selectors.member_get(user=request.user, case=case, member_pk=member_pk)
    form = LegalBasisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_basis_record(
                actor=request.user, case=case, person=member.person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("The legal basis for %(person)s is recorded.") % {"person": member.person}
            )
            return _to_overview(case)
    state = selectors.person_state(user=request.user, case=case, member=member)
    return _page(request, "consent/legal_basis.html", case, form=form, state=state)


@policy("consent.use")
@never_cache
@require_http_methods(["GET", "POST"])
def legal_basis_end(request, pk, basis_pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    legal_basis = selectors.legal_basis_get(user=request.user, case=case, pk=basis_pk)
    access.require(request.user, "consent.end_legal_basis", legal_basis)
    form = EndLegalBasisForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("End this legal basis now?"),
            consequence=_("What was shared on this basis is no longer shared."),
            confirm_label=_("End the legal basis"),
            cancel_url=reverse("consent:overview", args=[case.pk]),
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_basis_end(
                actor=request.user, legal_basis=legal_basis, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The legal basis has ended."))
            return _to_overview(case)
    return _page(request, "consent/legal_basis_end.html", case, form=form, legal_basis=legal_basis)


@policy("consent.use")
@never_cache
@require_http_methods(["GET", "POST"])
def not_asked_record(request, pk, member_pk):
    case = selectors.consent_case_get(user=request.user, pk=pk)
    access.require(request.user, "consent.decide", case)
    member = selectors.member_get(user=request.user, case=case, member_pk=member_pk)
    form = NotAskedForm(request.POST or None, others=_others(case, member))
    if request.method == "POST" and form.is_valid():
        try:
            services.not_asked_record(
                actor=request.user, case=case, person=member.person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Recorded that %(person)s is deliberately not asked.") % {"person": member.person}
            )
            return _to_overview(case)
    state = selectors.person_state(user=request.user, case=case, member=member)
    return _page(request, "consent/not_asked.html", case, form=form, state=state)


# --- Emergency access -------------------------------------------------------------------


@policy("consent.emergency_open")
@never_cache
@require_http_methods(["GET", "POST"])
def emergency_open(request):
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.emergency_access_open(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("consent:emergency_opened", access_pk=opened.pk)
    return render(request, "consent/emergency.html", {"form": form, "minutes": emergency_access_minutes()})


@policy("consent.emergency_open")
@never_cache
def emergency_opened(request, access_pk):
    opened = selectors.my_emergency_access_get(user=request.user, pk=access_pk)
    return render(
        request,
        "consent/emergency_opened.html",
        {"access": opened, "case_url": _case_url(opened.case), "active": opened.is_active()},
    )


@policy("consent.emergency_review_list")
@never_cache
def emergency_review_list(request):
    listing = list_page(
        request,
        selectors.emergency_reviews(user=request.user),
        sorts=EMERGENCY_REVIEW_SORTS,
        default_sort="review",
        filterset_class=EmergencyReviewFilter,
    )
    return render(
        request, "consent/emergency_review_list.html", {"listing": listing, "page": listing.page}
    )


@policy("consent.emergency_review_list")
@never_cache
@require_http_methods(["GET", "POST"])
def emergency_review(request, access_pk):
    opened = selectors.emergency_review_get(user=request.user, pk=access_pk)
    form = EmergencyReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_review(
                actor=request.user, access=opened, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The emergency access is reviewed."))
            return redirect("consent:emergency_review_list")
    return render(
        request,
        "consent/emergency_review.html",
        {"access": opened, "form": form, "case_url": _case_url(opened.case)},
    )
