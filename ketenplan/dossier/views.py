"""Dossier pages. Thin: read through selectors, write through services, and show a
service's refusal on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketenplan.cases.selectors import case_get
from ketenplan.core import policy
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.exceptions import ConflictError
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import SortKey, list_page
from ketenplan.core.policy import policy as view_policy

from . import selectors, services
from .forms import (
    AnswerForm,
    ContributionForm,
    CorrectionForm,
    DeclineForm,
    DossierFilterForm,
    InboxFilterForm,
    InformationRequestForm,
    WithdrawForm,
)

CONTRIBUTION_PREFIX = "contribution"
# Should a browser ever render a download, it runs in a sandbox with nothing allowed.
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'; object-src 'none'"
REQUEST_PREFIX = "request"


def _case_context(request, case, **extra) -> dict:
    """What every page of a case's dossier shows around its content (the case header and
    tabs partials need only ``case``)."""
    return {"case": case, **extra}


def _dossier_case(request, pk):
    """The case, when the user may open its dossier; "not found" otherwise."""
    case = case_get(user=request.user, pk=pk)
    policy.require(request.user, "dossier.view", case)
    return case


def _contribution_form(request, case, data=None, files=None) -> ContributionForm:
    return ContributionForm(
        data,
        files,
        prefix=CONTRIBUTION_PREFIX,
        life_domains=selectors.life_domain_choices(),
        persons=selectors.case_persons(user=request.user, case=case),
    )


def _request_form(request, case, data=None) -> InformationRequestForm:
    return InformationRequestForm(
        data,
        prefix=REQUEST_PREFIX,
        organisations=selectors.request_recipients(user=request.user, case=case),
        persons=selectors.case_persons(user=request.user, case=case),
    )


# --- The dossier page -------------------------------------------------------------------


@view_policy("dossier.use")
@require_GET
def case_dossier(request, pk):
    case = _dossier_case(request, pk)
    contributions = selectors.dossier_contributions(user=request.user, case=case)
    life_domains = list(selectors.life_domain_choices())
    persons = list(selectors.case_persons(user=request.user, case=case))
    filter_form = DossierFilterForm(
        request.GET or None,
        life_domains=life_domains,
        persons=persons,
        organisations=contributions.organisations,
    )
    filters = filter_form.filters()
    can_contribute = policy.can(request.user, "dossier.contribute", case)
    can_request = policy.can(request.user, "dossier.request_information", case)
    services.dossier_view_record(actor=request.user, case=case, request=request)
    context = _case_context(
        request,
        case,
        filter_form=filter_form,
        filtered=bool(filters),
        groups=contributions.groups(**filters),
        total=contributions.total,
        withheld=contributions.withheld,
        requests=selectors.case_information_requests(user=request.user, case=case),
        can_contribute=can_contribute,
        can_request=can_request,
        contribution_form=_contribution_form(request, case) if can_contribute else None,
        request_form=_request_form(request, case) if can_request else None,
    )
    return render(request, "dossier/case_dossier.html", context)


# --- Contributions ----------------------------------------------------------------------


@view_policy("dossier.use")
@require_http_methods(["GET", "POST"])
def contribution_add(request, pk):
    case = _dossier_case(request, pk)
    if request.method == "POST":
        form = _contribution_form(request, case, request.POST, request.FILES)
        if form.is_valid():
            try:
                contribution = services.contribution_add(
                    actor=request.user, case=case, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Your contribution was added to the dossier."))
                return redirect(_dossier_url(case, f"contribution-{contribution.pk}"))
    else:
        form = _contribution_form(request, case)
    return render(
        request,
        "dossier/contribution_form.html",
        _case_context(
            request,
            case,
            form=form,
            can_contribute=policy.can(request.user, "dossier.contribute", case),
        ),
        status=400 if form.errors else 200,
    )


@view_policy("dossier.use")
@require_GET
def contribution_detail(request, pk, contribution_pk):
    case = _dossier_case(request, pk)
    contribution = selectors.contribution_get(user=request.user, case=case, pk=contribution_pk)
    versions = selectors.contribution_versions(user=request.user, contribution=contribution)
    services.contribution_view_record(actor=request.user, contribution=contribution, request=request)
    return render(
        request,
        "dossier/contribution_detail.html",
        _case_context(
            request,
            case,
            contribution=contribution,
            versions=versions,
            current=versions[0],
            can_correct=policy.can(request.user, "dossier.correct_contribution", versions[0]),
        ),
    )


@view_policy("dossier.use")
@require_http_methods(["GET", "POST"])
def contribution_correct(request, pk, contribution_pk):
    """Correct a contribution. The version corrected is in the URL: when it is no longer
    the current one, someone corrected it meanwhile (optimistic locking)."""
    case = _dossier_case(request, pk)
    original = selectors.contribution_get(user=request.user, case=case, pk=contribution_pk)
    status = 200
    form_kwargs = {
        "prefix": CONTRIBUTION_PREFIX,
        "life_domains": selectors.life_domain_choices(),
        "persons": selectors.case_persons(user=request.user, case=case),
        "attachments": selectors.contribution_attachments(user=request.user, contribution=original),
    }
    if request.method == "POST":
        form = CorrectionForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                correction = services.contribution_correct(
                    actor=request.user,
                    original=original,
                    drop_attachments=data.pop("drop_attachments", None) or (),
                    request=request,
                    **data,
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The correction was saved; the earlier version stays readable."))
                return redirect(_dossier_url(case, f"contribution-{correction.pk}"))
        if form.errors and status == 200:
            status = 400
    else:
        if not policy.can(request.user, "dossier.correct_contribution", original):
            return redirect("dossier:contribution_detail", pk=case.pk, contribution_pk=original.pk)
        form = CorrectionForm(initial=CorrectionForm.initial_for(original), **form_kwargs)
    versions = selectors.contribution_versions(user=request.user, contribution=original)
    return render(
        request,
        "dossier/contribution_correct.html",
        _case_context(request, case, form=form, original=original, versions=versions),
        status=status,
    )


@view_policy("dossier.use")
@require_GET
def attachment_download(request, pk, attachment_pk):
    """Serve a document: only through the policy, always as a download, with the type
    found by content, never rendered by the browser."""
    case = _dossier_case(request, pk)
    attachment = selectors.attachment_get(user=request.user, case=case, pk=attachment_pk)
    try:
        handle = services.attachment_open(actor=request.user, attachment=attachment, request=request)
    except FileNotFoundError:
        raise Http404(_("The document could not be found.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Download-Options"] = "noopen"
    return response


def _dossier_url(case, anchor: str = "") -> str:
    url = reverse("dossier:case_dossier", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Information requests ---------------------------------------------------------------


@view_policy("dossier.use")
@require_http_methods(["GET", "POST"])
def information_request_create(request, pk):
    case = _dossier_case(request, pk)
    form = _request_form(request, case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.information_request_create(
                actor=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent to %(org)s.") % {"org": form.cleaned_data["to_organisation"]},
            )
            return redirect(_dossier_url(case, "information-requests"))
    return render(
        request,
        "dossier/request_form.html",
        _case_context(
            request,
            case,
            form=form,
            can_request=policy.can(request.user, "dossier.request_information", case),
        ),
        status=400 if form.errors else 200,
    )


INBOX_SORTS = {
    "case": SortKey(gettext_lazy("Case"), ("case__reference",)),
    "from": SortKey(gettext_lazy("From"), ("requested_by__organisation__name", "-requested_at")),
    "due_on": SortKey(gettext_lazy("Answer needed by"), ("due_on",)),
    "requested_at": SortKey(gettext_lazy("Asked on"), ("requested_at",)),
}


@view_policy("dossier.view_inbox")
@require_GET
def inbox(request):
    """Requests to my organisation."""
    form = InboxFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") if form.is_valid() else "") or selectors.INBOX_OPEN
    rows = selectors.requests_to_my_organisation(user=request.user, status=status)
    listing = list_page(
        request,
        rows,
        sorts=INBOX_SORTS,
        default_sort="due_on" if status == selectors.INBOX_OPEN else "-requested_at",
    )
    return render(
        request,
        "dossier/inbox.html",
        {"form": form, "listing": listing, "page": listing.page, "status": status},
    )


def _request_page(request, request_obj, *, status=200, **forms):
    user = request.user
    can_answer = policy.can(user, "dossier.answer_request", request_obj)
    can_withdraw = policy.can(user, "dossier.withdraw_request", request_obj)
    initial = {"version": request_obj.version}
    context = {
        "request_obj": request_obj,
        "case": request_obj.case,
        "participates": policy.can(user, "dossier.view", request_obj.case),
        "answer_form": forms.get("answer_form")
        or (AnswerForm(prefix="answer", initial=initial) if can_answer else None),
        "decline_form": forms.get("decline_form")
        or (DeclineForm(prefix="decline", initial=initial) if can_answer else None),
        "withdraw_form": forms.get("withdraw_form")
        or (WithdrawForm(prefix="withdraw", initial=initial) if can_withdraw else None),
    }
    return render(request, "dossier/request_detail.html", context, status=status)


@view_policy("dossier.use")
@require_GET
def information_request_detail(request, request_pk):
    request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
    services.information_request_view_record(actor=request.user, request_obj=request_obj, request=request)
    return _request_page(request, request_obj)


_ACTIONS = {
    "answer": (AnswerForm, services.information_request_answer, "answer"),
    "decline": (DeclineForm, services.information_request_decline, "reason"),
    "withdraw": (WithdrawForm, services.information_request_withdraw, "reason"),
}
_DONE = {
    "answer": gettext_lazy("Your answer was sent."),
    "decline": gettext_lazy("The request was declined."),
    "withdraw": gettext_lazy("The request was withdrawn."),
}


# Irreversible: asked again without JavaScript (ketenplan.core.confirm), for those allowed;
# the service refuses the others as before.
_CONFIRM = {
    "decline": (
        gettext_lazy("Decline this information request? It cannot be answered afterwards."),
        "dossier.answer_request",
    ),
    "withdraw": (
        gettext_lazy("Withdraw this information request? It cannot be answered afterwards."),
        "dossier.withdraw_request",
    ),
}


def _request_action(request, request_pk, action: str):
    request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
    form_class, service, text_field = _ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    status = 400
    if (
        form.is_valid()
        and action in _CONFIRM
        and not is_confirmed(request)
        and policy.can(request.user, _CONFIRM[action][1], request_obj)
    ):
        return confirmation_page(
            request,
            str(_CONFIRM[action][0]),
            cancel_url=reverse("dossier:request_detail", args=[request_obj.pk]),
        )
    if form.is_valid():
        try:
            service(
                actor=request.user,
                request_obj=request_obj,
                expected_version=form.cleaned_data["version"],
                request=request,
                **{text_field: form.cleaned_data[text_field]},
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, str(_DONE[action]))
            return redirect("dossier:request_detail", request_pk=request_obj.pk)
    request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
    return _request_page(request, request_obj, status=status, **{f"{action}_form": form})


@view_policy("dossier.use")
@require_POST
def information_request_answer(request, request_pk):
    return _request_action(request, request_pk, "answer")


@view_policy("dossier.use")
@require_POST
def information_request_decline(request, request_pk):
    return _request_action(request, request_pk, "decline")


@view_policy("dossier.use")
@require_POST
def information_request_withdraw(request, request_pk):
    return _request_action(request, request_pk, "withdraw")
