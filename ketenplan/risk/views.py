"""The risk page of a case, its assessments, and the reporting-code guide. Thin: forms
collect, services decide, selectors read through the access policy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ketenplan.cases import selectors as case_selectors
from ketenplan.cases.models import Stage
from ketenplan.cases.workflow import TransitionRefused
from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.exceptions import ConflictError
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy
from ketenplan.methods.language import localized

from . import selectors, services
from .filters import GUIDE_SORTS, GuideFilter
from .forms import (
    AssessmentForm,
    ConfirmWeighingForm,
    ConsultationForm,
    DecisionForm,
    GuideStartForm,
    GuideStepsForm,
    JudgementForm,
    NewAssessmentForm,
)
from .models import RiskLevel
from .scoring import answer_label

# --- The risk page of a case --------------------------------------------------------------


def _risk_context(request, case, *, new_form=None, confirm_form=None) -> dict:
    user = request.user
    assessments, withheld = selectors.case_assessments_and_withheld(user=user, case=case)
    proposal = selectors.weighing_proposal(user=user, case=case, assessments=assessments)
    can_assess = access.can(user, "risk.assess", case)
    can_confirm = case.stage == Stage.WEIGHING and access.can(user, "case.weigh", case)
    members = case_selectors.case_members(user=user, case=case) if can_assess else []
    instruments = selectors.instruments_for_region(case.region) if can_assess else []
    if can_assess and new_form is None:
        new_form = NewAssessmentForm(instruments=instruments, members=members)
    if can_confirm and confirm_form is None:
        confirm_form = ConfirmWeighingForm(
            initial={"version": case.version, "level": proposal.level or RiskLevel.LOW}
        )
    return {
        "case": case,
        "assessments": list(reversed(assessments)),
        "trends": selectors.trends(assessments),
        "proposal": proposal,
        "new_form": new_form if (instruments and members) else None,
        "confirm_form": confirm_form if can_confirm else None,
        "can_assess": can_assess,
        "withheld": withheld,
    }


@policy("risk.view")
@require_GET
def case_risk(request, case_id: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    access.require(request.user, "risk.view", case)
    return render(request, "risk/case_risk.html", _risk_context(request, case))


@policy("risk.view")
@require_POST
def assessment_new(request, case_id: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    access.require(request.user, "risk.assess", case)
    form = NewAssessmentForm(
        request.POST,
        instruments=selectors.instruments_for_region(case.region),
        members=case_selectors.case_members(user=request.user, case=case),
    )
    if form.is_valid() and form.cleaned_data["instrument"] and form.cleaned_data["member"]:
        try:
            assessment = services.assessment_start(
                actor=request.user, case=case, instrument=form.cleaned_data["instrument"],
                member=form.cleaned_data["member"], request=request,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("risk:assessment_edit", case.pk, assessment.pk)
    return render(request, "risk/case_risk.html", _risk_context(request, case, new_form=form), status=400)


@policy("risk.view")
@require_GET
def assessment_detail(request, case_id: int, pk: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    assessment = selectors.assessment_get(user=request.user, case=case, pk=pk)
    return render(request, "risk/assessment_detail.html", _detail_context(request, case, assessment))


def _detail_context(request, case, assessment, judgement_form=None) -> dict:
    user = request.user
    definition = assessment.definition
    if judgement_form is None and access.can(user, "risk.judge", assessment) and definition.higher_bands(
        assessment.final_band
    ):
        judgement_form = JudgementForm(assessment=assessment)
    return {
        "case": case,
        "assessment": assessment,
        "sections": _answer_sections(assessment),
        "fired": _trigger_notes(definition, assessment.triggers),
        "flags": _trigger_notes(definition, assessment.flags),
        "judgement_form": judgement_form,
        "can_edit": access.can(user, "risk.edit", assessment),
        "is_current_version": assessment.instrument_version.instrument.current_version_id
        == assessment.instrument_version_id,
    }


def _trigger_notes(definition, keys: list[str]) -> list[str]:
    return [localized(t["note"]) for t in map(definition.trigger, keys) if t]


def _answer_sections(assessment) -> list[dict]:
    """The questions of the assessment's own version with the answers given."""
    sections = []
    for section in assessment.definition.data["sections"]:
        rows = [
            {
                "id": item["id"],
                "text": localized(item["text"]),
                "help": localized(item["help"]),
                "answer": answer_label(item, assessment.answers.get(item["id"])),
                "unknown": assessment.answers.get(item["id"]) == "unknown",
            }
            for item in section["items"]
        ]
        sections.append({"name": localized(section["name"]), "rows": rows})
    return sections


@policy("risk.view")
@require_http_methods(["GET", "POST"])
def assessment_edit(request, case_id: int, pk: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    assessment = selectors.assessment_get(user=request.user, case=case, pk=pk)
    if assessment.is_final and request.method == "GET":
        return redirect("risk:assessment", case.pk, assessment.pk)
    access.require(request.user, "risk.edit", assessment)
    form = AssessmentForm(request.POST or None, assessment=assessment)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finalise = "finalise" in request.POST
        try:
            if finalise:
                services.assessment_finalise(
                    actor=request.user, assessment=assessment, answers=form.answers(), note=data["note"],
                    judgement_band=data["judgement_band"], judgement_reason=data["judgement_reason"],
                    expected_version=data["version"], request=request,
                )
            else:
                services.assessment_save_draft(
                    actor=request.user, assessment=assessment, answers=form.answers(), note=data["note"],
                    expected_version=data["version"], request=request,
                )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            if finalise:
                # Keep what was typed: save it as a draft, then show what is missing.
                assessment = _save_quietly(request, assessment, form)
            apply_validation_error(form, exc)
            status = 400
        else:
            if finalise:
                messages.success(request, _("The assessment is final."))
                return redirect("risk:assessment", case.pk, assessment.pk)
            messages.success(request, _("Draft saved."))
            return redirect("risk:assessment_edit", case.pk, assessment.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "risk/assessment_form.html",
        {"case": case, "assessment": assessment, "form": form}, status=status,
    )


def _save_quietly(request, assessment, form):
    """Save the answers of a refused finalisation as a draft, so nothing typed is lost."""
    try:
        saved = services.assessment_save_draft(
            actor=request.user, assessment=assessment, answers=form.answers(),
            note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"], request=request,
        )
    except (ValidationError, ConflictError):
        return assessment
    form.data = form.data.copy()
    form.data["version"] = str(saved.version)
    return saved


@policy("risk.view")
@require_POST
def assessment_autosave(request, case_id: int, pk: int):
    """htmx: save the draft while the questions are answered; answers the status line and
    the new version (out of band)."""
    case = case_selectors.case_get(user=request.user, pk=case_id)
    assessment = selectors.assessment_get(user=request.user, case=case, pk=pk)
    access.require(request.user, "risk.edit", assessment)
    form = AssessmentForm(request.POST, assessment=assessment)
    error = ""
    if form.is_valid():
        try:
            assessment = services.assessment_save_draft(
                actor=request.user, assessment=assessment, answers=form.answers(),
                note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Not saved: correct the answers marked in the form and save again.")
    return render(
        request, "risk/partials/draft_status.html",
        {"assessment": assessment, "error": error, "saved_at": timezone.now(), "oob": True},
    )


@policy("risk.view")
@require_POST
def assessment_judge(request, case_id: int, pk: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    assessment = selectors.assessment_get(user=request.user, case=case, pk=pk)
    access.require(request.user, "risk.judge", assessment)
    form = JudgementForm(request.POST, assessment=assessment)
    status = 400
    if form.is_valid():
        try:
            services.assessment_judge(
                actor=request.user, assessment=assessment, band=form.cleaned_data["band"],
                reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The band is raised by professional judgement."))
            return redirect("risk:assessment", case.pk, assessment.pk)
    return render(
        request, "risk/assessment_detail.html",
        _detail_context(request, case, assessment, judgement_form=form), status=status,
    )


@policy("risk.view")
@require_POST
def weighing_confirm(request, case_id: int):
    case = case_selectors.case_get(user=request.user, pk=case_id)
    access.require(request.user, "case.weigh", case)
    form = ConfirmWeighingForm(request.POST)
    status = 400
    if form.is_valid() and not is_confirmed(request):
        return confirmation_page(
            request,
            _("The weighing cannot be undone. Record it?"),
            confirm_label=_("Record the risk weighing"),
            cancel_url=reverse("risk:case_risk", args=[case.pk]),
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.weighing_confirm(
                actor=request.user, case=case, level=data["level"], reasoning=data["reasoning"],
                advice=data["advice"], expected_version=data["version"], request=request,
            )
        except ConflictError as exc:
            # Someone changed the case meanwhile: keep what was typed, now with the
            # current version, so the team can review and confirm again.
            form = ConfirmWeighingForm(request.POST.copy())
            form.data["version"] = str(exc.current_version)
            form.is_valid()
            form.add_error(None, str(exc))
            status = 409
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if data["level"] == RiskLevel.HIGH:
                messages.success(request, _("High risk: the team now makes a plan."))
            else:
                messages.success(request, _("Risk not high: the case is closed with advice to the referrer."))
            return redirect(case)
    case = case_selectors.case_get(user=request.user, pk=case_id)
    context = _risk_context(request, case, confirm_form=form)
    return render(request, "risk/case_risk.html", context, status=status)


# --- The reporting-code guide -------------------------------------------------------------


@policy("reporting.use")
@require_http_methods(["GET", "POST"])
def guide_list(request):
    form = GuideStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guide = services.guide_start(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect(guide)
    listing = list_page(
        request,
        selectors.guide_list(user=request.user),
        sorts=GUIDE_SORTS,
        default_sort="-created_at",
        filterset_class=GuideFilter,
    )
    return render(
        request,
        "risk/reporting/guide_list.html",
        {"form": form, "listing": listing, "page": listing.page},
        status=400 if form.errors else 200,
    )


def _guide_context(request, guide, *, steps_form=None, consultation_form=None, decision_form=None):
    editable = access.can(request.user, "reporting.edit", guide)
    context = {
        "guide": guide,
        "consultations": selectors.guide_consultations(user=request.user, guide=guide),
        "editable": editable,
        "required": services.reporting_required(guide),
        "registration_url": selectors.registration_url(guide) if guide.outcome == "chain_approach" else "",
    }
    if editable:
        context["steps_form"] = steps_form or GuideStepsForm(guide=guide)
        context["consultation_form"] = consultation_form or ConsultationForm(
            initial={"on": timezone.localdate()}
        )
        context["decision_form"] = decision_form or DecisionForm(initial={"version": guide.version})
    return context


@policy("reporting.use")
@require_http_methods(["GET", "POST"])
def guide_detail(request, pk: int):
    guide = selectors.guide_get(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "risk/reporting/guide_detail.html", _guide_context(request, guide))
    access.require(request.user, "reporting.edit", guide)
    form = GuideStepsForm(request.POST, guide=guide)
    status = 400
    if form.is_valid():
        try:
            services.guide_update(
                actor=request.user, guide=guide, values=form.values(),
                expected_version=form.cleaned_data["version"], request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(guide)
    return render(
        request, "risk/reporting/guide_detail.html", _guide_context(request, guide, steps_form=form),
        status=status,
    )


@policy("reporting.use")
@require_POST
def consultation_add(request, pk: int):
    guide = selectors.guide_get(user=request.user, pk=pk)
    access.require(request.user, "reporting.edit", guide)
    form = ConsultationForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_record(
                actor=request.user, guide=guide, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Consultation recorded."))
            return redirect(reverse("reporting:guide", args=[guide.pk]) + "#consultations")
    return render(
        request, "risk/reporting/guide_detail.html",
        _guide_context(request, guide, consultation_form=form), status=400,
    )


@policy("reporting.use")
@require_POST
def guide_decide(request, pk: int):
    guide = selectors.guide_get(user=request.user, pk=pk)
    access.require(request.user, "reporting.edit", guide)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            guide = services.guide_decide(
                actor=request.user, guide=guide, outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"], expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(guide)
    return render(
        request, "risk/reporting/guide_detail.html", _guide_context(request, guide, decision_form=form),
        status=status,
    )


@policy("reporting.use")
@require_GET
def guide_summary(request, pk: int):
    guide = selectors.guide_get(user=request.user, pk=pk)
    return render(request, "risk/reporting/guide_summary.html", {
        "guide": guide,
        "consultations": selectors.guide_consultations(user=request.user, guide=guide),
        "required": services.reporting_required(guide),
        "printed_at": timezone.now(),
    })

