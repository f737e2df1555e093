"""The case pages: list, registration, the case overview, its step forms and timeline.

Thin: every read goes through ``selectors``, every write through ``services``; a refused
step, a broken rule or someone else's change shows as a message and changes nothing.
Every POST answers with a redirect when it succeeds, so the back button never resubmits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ketenplan.audit import reads
from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.exceptions import ConflictError
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.policy import policy
from ketenplan.meetings import selectors as meeting_selectors
from ketenplan.persons.selectors import person_matches
from ketenplan.persons.services import person_search_audit

from . import navigation, selectors, services, workflow
from .forms import (
    NEW_PERSON,
    SORTABLE,
    AdmissibilityForm,
    CaseFilterForm,
    CloseForm,
    DirectorForm,
    FollowUpForm,
    MemberAddForm,
    MemberForm,
    MemberFormSet,
    MemberRolesForm,
    NoteStepForm,
    PartnerForm,
    RegistrationForm,
    VersionForm,
)
from .models import Case, Stage
from .workflow import TransitionRefused

PAGE_SIZE = 25
# Steps that cannot be undone and are refused without ``confirmed=yes`` (ketenplan.core.confirm).
CONFIRMED_ON_SERVER = {"close"}
MEMBER_PREFIX = "members"


def _may(user, action: str, case: Case) -> None:
    """The case is visible (selectors made sure); refuse a participant without the role."""
    if not access.can(user, action, case):
        raise PermissionDenied


def _may_add_partner(user, case: Case) -> bool:
    return access.can(user, "case.coordinate", case) or access.can(user, "case.direct", case)


# --- List ---------------------------------------------------------------------------------


@policy("case.list")
@require_GET
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "-registered_at"
    cases = selectors.case_list(
        user=request.user,
        stage=filters.get("stage", ""),
        q=filters.get("q", "").strip(),
        repeat_only=bool(filters.get("repeat")),
        ordering=sort,
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    reads.note_objects("cases.case", [case.pk for case in page])
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "columns": _sort_columns(request.GET, sort)},
    )


def _sort_columns(params: QueryDict, current: str) -> dict:
    """Per sortable column: the link that sorts by it (the other way when it is the
    current order) and its ``aria-sort``."""
    columns = {}
    for key, label in SORTABLE.items():
        query = params.copy()
        query.pop("page", None)
        if current == key:
            state, query["sort"] = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, query["sort"] = "descending", key
        else:
            state, query["sort"] = None, key
        columns[key] = {"label": label, "url": f"?{query.urlencode()}", "aria_sort": state}
    return columns


# --- Registration -------------------------------------------------------------------------


def _resolve_members(
    request, member_forms: list[MemberForm], *, purpose: str = "case_registration"
) -> list[services.MemberSpec] | None:
    """Propose existing persons who may be the same as each new member.

    Returns the member specs when every member with possible matches has a choice (link
    or create), otherwise None and the forms show their proposals: those lists are
    audited as a search hit list, like the live panel's.
    """
    specs, pending, offered = [], False, []
    for form in member_forms:
        matches = person_matches(user=request.user, **form.match_query())
        if not matches:
            specs.append(form.spec())
            continue
        form.offer(matches)
        offered.extend(matches)
        chosen = form.chosen_match()
        if form.choice == NEW_PERSON:
            specs.append(form.spec())
        elif chosen is not None:
            specs.append(form.spec(chosen.person))
        else:
            pending = True
            if form.was_offered:
                form.add_error(
                    "person_choice",
                    _("Choose whether this is one of the persons shown or a new person."),
                )
    if pending:
        person_search_audit(actor=request.user, request=request, matches=offered, purpose=purpose)
        return None
    return specs


def _with_extra_member(data: QueryDict) -> QueryDict:
    data = data.copy()
    key = f"{MEMBER_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, MemberFormSet.max_num))
    return data


def _initial_from_reporting_guide(request) -> dict:
    """A decided reporting-code guide ("register for the chain approach") fills in the
    reason and the violence concerned; only the guide's id travels in the link."""
    guide_id = request.GET.get("reporting_guide", "")
    if request.method != "GET" or not guide_id.isdigit():
        return {}
    from ketenplan.risk.selectors import registration_initial

    return registration_initial(user=request.user, guide_id=int(guide_id))


@policy("case.register")
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None, initial=_initial_from_reporting_guide(request))
    formset = MemberFormSet(request.POST or None, prefix=MEMBER_PREFIX)
    proposals = False
    if request.method == "POST" and "add_member" in request.POST:
        # Another row for a family member, without checking anything yet.
        data = _with_extra_member(request.POST)
        form = _without_errors(RegistrationForm(data))
        formset = MemberFormSet(data, prefix=MEMBER_PREFIX)
        formset._errors = [_without_errors(f).errors for f in formset.forms]
        formset._non_form_errors = formset.error_class()
        return render(request, "cases/register.html", {"form": form, "formset": formset})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        specs = _resolve_members(request, formset.filled_forms())
        if specs is None:
            proposals = True
        else:
            try:
                case = services.case_register(
                    actor=request.user, request=request, members=specs, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Family registered as case %(reference)s.") % {"reference": case.reference},
                )
                if case.is_repeat:
                    messages.warning(request, _repeat_message())
                return redirect(case)
    return render(
        request,
        "cases/register.html",
        {"form": form, "formset": formset, "proposals": proposals},
    )


def _without_errors(form):
    """Show the input again without judging it yet (the user only asked for a row)."""
    form._errors = ErrorDict()
    return form


def _repeat_message() -> str:
    return _(
        "This is a repeat registration: a member of this family was in a case registered "
        "or closed within the last 12 months."
    )


@policy("case.register")
@require_GET
def person_proposals(request):
    """The live proposal panel (htmx): persons who may be the one being typed."""
    prefix = request.GET.get("prefix", "")
    field = MemberForm(prefix=prefix or None)

    def value(name: str) -> str:
        return request.GET.get(field.add_prefix(name), "").strip()

    given, family = value("given_names"), value("family_name")
    birth_date = None
    if value("birth_date"):
        try:
            birth_date = MemberForm.base_fields["birth_date"].clean(value("birth_date"))
        except ValidationError:
            birth_date = None
    matches = []
    searched = len(family) >= 2 and (len(given) >= 1 or birth_date is not None)
    if searched:
        matches = person_matches(
            user=request.user,
            given_names=given,
            family_name=family,
            birth_date=birth_date,
            national_number=value("national_number"),
        )
        person_search_audit(
            actor=request.user, request=request, matches=matches, purpose="case_registration"
        )
    return render(
        request, "cases/partials/person_proposals.html", {"matches": matches, "searched": searched}
    )


# --- The case page ------------------------------------------------------------------------


@policy("case.list")
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    user = request.user
    context = {
        "case": case,
        "members": selectors.case_members(user=user, case=case),
        "participations": selectors.case_participations(user=user, case=case),
        "decisions": selectors.case_decisions(user=user, case=case),
        "steps": navigation.step_links(user, case),
        "open_requests": selectors.open_information_requests(user=user, case=case),
        "crisis_and_escalations": meeting_selectors.case_panel(user=user, case=case),
        "can": {
            "add_member": access.can(user, "case.add_member", case),
            "add_partner": case.stage != Stage.CLOSED and _may_add_partner(user, case),
            "appoint": case.stage != Stage.CLOSED and access.can(user, "case.coordinate", case),
            "follow_up": case.stage == Stage.CLOSED and access.can(user, "case.direct", case),
            "privacy": access.can(user, "persons.privacy"),
        },
    }
    if context["can"]["add_partner"]:
        context["partner_form"] = PartnerForm(
            case=case, organisations=selectors.partner_candidates(user=user, case=case)
        )
    return render(request, "cases/case_detail.html", context)


@policy("case.list")
@require_GET
def case_timeline(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    events = selectors.case_timeline(user=request.user, case=case)
    return render(request, "cases/timeline.html", {"case": case, "events": events})


# --- Family members and partners ----------------------------------------------------------


@policy("case.list")
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.add_member", case)
    form = MemberAddForm(request.POST or None, case=case, prefix="member")
    status = 200
    if request.method == "POST" and form.is_valid():
        specs = _resolve_members(request, [form], purpose="member_add")
        if specs is not None:
            try:
                services.case_member_add(
                    actor=request.user,
                    case=case,
                    spec=specs[0],
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except ConflictError as exc:
                case, form, status = _after_conflict(request, pk, MemberAddForm, exc, prefix="member")
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Family member added."))
                if case.is_repeat:
                    messages.warning(request, _repeat_message())
                return redirect(case)
    return render(request, "cases/member_add.html", {"case": case, "form": form}, status=status)


@policy("case.list")
@require_http_methods(["GET", "POST"])
def member_roles(request, pk: int, member_pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    member = selectors.member_get(user=request.user, case=case, pk=member_pk)
    _may(request.user, "case.add_member", case)
    form = MemberRolesForm(request.POST or None, case=case, initial={"roles": member.roles})
    status = 200
    if request.method == "POST" and form.is_valid():
        member.case = case
        try:
            services.case_member_set_roles(
                actor=request.user,
                member=member,
                roles=form.cleaned_data["roles"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            case, form, status = _after_conflict(request, pk, MemberRolesForm, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, _("Roles of %(person)s changed.") % {"person": member.person.full_name}
            )
            return redirect(case)
    return render(
        request,
        "cases/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Roles of %(person)s") % {"person": member.person.full_name},
            "submit_label": _("Save roles"),
        },
        status=status,
    )


@policy("case.list")
@require_http_methods(["GET", "POST"])
def partner_add(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    if not _may_add_partner(request.user, case):
        raise PermissionDenied
    organisations = selectors.partner_candidates(user=request.user, case=case)
    form = PartnerForm(request.POST or None, case=case, organisations=organisations)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_add(
                actor=request.user,
                case=case,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            case, form, status = _after_conflict(
                request, pk, PartnerForm, exc, organisations=organisations
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(org)s now takes part in the case.") % {"org": form.cleaned_data["organisation"]},
            )
            return redirect(case)
    return render(
        request,
        "cases/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Add a partner organisation"),
            "intro": _("Only organisations of the region that signed the cooperation agreement can join."),
            "submit_label": _("Add organisation"),
        },
        status=status,
    )


def _after_conflict(request, pk: int, form_class, exc: ConflictError, **form_kwargs):
    """Someone else changed the case: show its current state and the message; the form
    keeps the user's input and now carries the current version, to review and retry."""
    case = selectors.case_get(user=request.user, pk=pk)
    data = request.POST.copy()
    version_key = f"{form_kwargs['prefix']}-version" if form_kwargs.get("prefix") else "version"
    data[version_key] = str(case.version)
    form = form_class(data, case=case, **form_kwargs)
    form.is_valid()
    form.add_error(None, str(exc))
    return case, form, 409


# --- Steps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepPage:
    """One step form: who may, which workflow steps it takes, and what it calls."""

    action: str
    steps: tuple[str, ...]
    form_class: type
    run: Callable  # (request, case, cleaned_data) -> success message
    title: str
    submit_label: str
    confirm: str
    template: str = "cases/step.html"
    intro: str = ""


def _admissibility(request, case, data, form):
    decision = services.admissibility_decide(
        actor=request.user,
        case=case,
        answers=form.answers(),
        advice=data["advice"],
        expected_version=data["version"],
        request=request,
    )
    if decision.admissible:
        return _("Admissible: the case moves on to intake.")
    return _("Not admissible: the case is closed with advice to the referrer.")


def _intake_done(request, case, data, form):
    services.intake_complete(
        actor=request.user, case=case, note=data["note"], expected_version=data["version"], request=request
    )
    return _("Intake done: the partners now build the dossier.")


def _dossier_ready(request, case, data, form):
    services.dossier_ready(
        actor=request.user, case=case, note=data["note"], expected_version=data["version"], request=request
    )
    return _("The dossier is ready for the risk weighing.")


def _start_execution(request, case, data, form):
    services.execution_start(
        actor=request.user, case=case, expected_version=data["version"], request=request
    )
    return _("Execution started.")


def _close(request, case, data, form):
    services.case_close(
        actor=request.user,
        case=case,
        outcome=data["outcome"],
        note=data["note"],
        follow_up_on=data["follow_up_on"],
        confirm_open_requests=data.get("confirm_open_requests", False),
        expected_version=data["version"],
        request=request,
    )
    return _("The case is closed.")


def _step_pages() -> dict[str, StepPage]:
    """Built per request so that every text is in the user's language."""
    return {
        "admissibility": StepPage(
            action="case.decide_admissibility",
            steps=("admit", "not_admissible"),
            form_class=AdmissibilityForm,
            run=_admissibility,
            title=_("Admissibility"),
            intro=_(
                "The family situation is very unsafe and all of the criteria are met: only then "
                "is the case admissible. Answer every criterion with a note. When the case is not "
                "admissible, it closes with your written advice to the referrer."
            ),
            submit_label=_("Record the decision"),
            confirm=_("The decision cannot be undone. Record it?"),
            template="cases/admissibility.html",
        ),
        "intake_done": StepPage(
            action="case.coordinate",
            steps=("start_dossier",),
            form_class=NoteStepForm,
            run=_intake_done,
            title=_("Intake done"),
            intro=_("The team has read the file and discussed it; the partners now build the dossier."),
            submit_label=_("Intake done: build the dossier"),
            confirm=_("Move the case on to the dossier? This cannot be undone."),
        ),
        "dossier_ready": StepPage(
            action="case.weigh",
            steps=("ready_for_weighing",),
            form_class=NoteStepForm,
            run=_dossier_ready,
            title=_("Dossier ready for risk weighing"),
            intro=_("Every partner has added what it knows; the team can now weigh the risk."),
            submit_label=_("Dossier ready for risk weighing"),
            confirm=_("Move the case on to the risk weighing? This cannot be undone."),
        ),
        "start_execution": StepPage(
            action="case.direct",
            steps=("start_execution",),
            form_class=VersionForm,
            run=_start_execution,
            title=_("Start execution"),
            intro=_(
                "The plan is approved and a case director is appointed: the partners carry out the plan."
            ),
            submit_label=_("Start execution"),
            confirm=_("Start carrying out the plan?"),
        ),
        "close": StepPage(
            action="case.direct",
            steps=("close",),
            form_class=CloseForm,
            run=_close,
            title=_("Close the case"),
            intro=_("Record the outcome and plan a follow-up check."),
            submit_label=_("Close the case"),
            confirm=_("Closing cannot be undone: a new registration would be needed. Close the case?"),
        ),
    }


def _step_view(request, pk: int, key: str):
    page = _step_pages()[key]
    case = selectors.case_get(user=request.user, pk=pk)
    _may(request.user, page.action, case)
    form_kwargs = {}
    open_requests = 0
    if page.form_class is CloseForm:
        open_requests = selectors.open_information_requests(user=request.user, case=case)
        form_kwargs["open_requests"] = open_requests
    form = page.form_class(request.POST or None, case=case, **form_kwargs)
    status = 200
    if (
        key in CONFIRMED_ON_SERVER
        and request.method == "POST"
        and form.is_valid()
        and not is_confirmed(request)
        and _first_refusal(case, page.steps) is None
    ):
        # Without JavaScript the form's data-confirm cannot ask: ask on a page of its own.
        return confirmation_page(
            request, page.confirm, confirm_label=page.submit_label, cancel_url=case.get_absolute_url()
        )
    if request.method == "POST" and form.is_valid():
        try:
            message = page.run(request, case, form.cleaned_data, form)
        except ConflictError as exc:
            case, form, status = _after_conflict(request, pk, page.form_class, exc, **form_kwargs)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, message)
            return redirect(case)
    refusal = None
    if request.method == "GET":
        refusal = _first_refusal(case, page.steps)
    return render(
        request,
        page.template,
        {
            "case": case,
            "form": form,
            "title": page.title,
            "intro": page.intro,
            "submit_label": page.submit_label,
            "confirm": page.confirm,
            "refusal": refusal,
            "open_requests": open_requests,
        },
        status=status,
    )


def _first_refusal(case: Case, steps: tuple[str, ...]) -> str | None:
    """Why none of these steps can be taken now, or None when one can."""
    reasons = workflow.refusals(case, [workflow.STEPS[name] for name in steps], navigation.CONFIRMABLE)
    return None if any(r is None for r in reasons.values()) else reasons[steps[0]]


def _make_step_view(key: str):
    @policy("case.list")
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        return _step_view(request, pk, key)

    view.__name__ = view.__qualname__ = f"step_{key}"
    return view


admissibility = _make_step_view("admissibility")
intake_done = _make_step_view("intake_done")
dossier_ready = _make_step_view("dossier_ready")
start_execution = _make_step_view("start_execution")
close = _make_step_view("close")


@policy("case.list")
@require_http_methods(["GET", "POST"])
def director(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.coordinate", case)
    professionals = selectors.director_candidates(user=request.user, case=case)
    form = DirectorForm(request.POST or None, case=case, professionals=professionals)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.case_director_appoint(
                actor=request.user,
                case=case,
                professional=form.cleaned_data["professional"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            case, form, status = _after_conflict(
                request, pk, DirectorForm, exc, professionals=professionals
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now the case director.") % {"name": form.cleaned_data["professional"]},
            )
            return redirect(case)
    replacing = case.case_director_id is not None
    return render(
        request,
        "cases/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Replace the case director") if replacing else _("Appoint a case director"),
            "intro": _(
                "The case director is the single contact for the family and the organisations. "
                "Earlier case directors stay in the history."
            ),
            "submit_label": _("Replace") if replacing else _("Appoint"),
            "refusal": _("The case is closed.")
            if request.method == "GET" and case.stage == Stage.CLOSED
            else None,
        },
        status=status,
    )


@policy("case.list")
@require_http_methods(["GET", "POST"])
def follow_up(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    _may(request.user, "case.direct", case)
    form = FollowUpForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_follow_up_record(
                actor=request.user, case=case, note=form.cleaned_data["note"], request=request
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect(case)
    return render(
        request,
        "cases/step.html",
        {
            "case": case,
            "form": form,
            "title": _("Record the follow-up"),
            "intro": _(
                "Some time after closure: was the family registered again, "
                "did the police have to come back?"
            ),
            "submit_label": _("Record the follow-up"),
            "confirm": _("The follow-up cannot be changed afterwards. Record it?"),
            "refusal": _("The case is not closed yet.")
            if request.method == "GET" and case.stage != Stage.CLOSED
            else None,
        },
    )
