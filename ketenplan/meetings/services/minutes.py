"""Minutes: decisions per agenda item, the review of unfinished actions, approval by the
chair, corrections as new versions.

A decision that changes a case (admissibility, intake, dossier ready, risk weighing, plan
approval, a new action) calls the *same* service the case page calls, inside the same
transaction as the minute: a refused step raises, nothing is written, and the message of
the refusal is what the coordinator sees. The risk weighing is the team confirming the
structured assessments (``risk.services.weighing_confirm``), as on the case's risk page.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases import services as case_services
from ketenplan.cases.models import Case
from ketenplan.cases.workflow import TransitionRefused
from ketenplan.core import policy
from ketenplan.risk import services as risk_services

from ..models import ActionReview, AgendaItem, Decision, Meeting, MinutesVersion

Kind = Decision.Kind


def _refuse_before_start(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.starts_at - timedelta(hours=1) > timezone.now():
        raise ValidationError(_("Minutes are kept when the meeting takes place."))


def _draft_for(meeting: Meeting, actor) -> MinutesVersion:
    """The draft minutes of the meeting, started when the first minute is written."""
    draft = (
        MinutesVersion.objects.select_for_update()
        .filter(meeting=meeting, status=MinutesVersion.Status.DRAFT)
        .first()
    )
    if draft is not None:
        return draft
    if MinutesVersion.objects.filter(meeting=meeting).exists():
        raise ValidationError(
            _("The minutes were approved and no longer change. Make a correction to change them.")
        )
    return MinutesVersion.objects.create(meeting=meeting, number=1, created_by=actor)


def create_case_action(
    *, actor, case: Case, description: str, owner, owner_organisation, due_on, request=None
):
    """A new action in the case, through the plans service that the case page uses."""
    from ketenplan.plans.services import action_create

    if owner_organisation is None and owner is not None:
        owner_organisation = owner.organisation
    return action_create(
        actor=actor,
        case=case,
        description=description,
        owner=owner,
        owner_organisation=owner_organisation,
        due_on=due_on,
        request=request,
    )


def _approve_plan(*, actor, case: Case, item: AgendaItem, meeting: Meeting, request=None):
    from ketenplan.plans.models import PlanVersion
    from ketenplan.plans.services import plan_approve

    plan = None
    if item.plan_version_id:
        plan = PlanVersion.objects.filter(pk=item.plan_version_id, status=PlanVersion.Status.DRAFT).first()
    if plan is None:
        plan = PlanVersion.objects.filter(case=case, status=PlanVersion.Status.DRAFT).first()
    if plan is None:
        raise ValidationError(_("This case has no draft plan to approve."))
    return plan_approve(
        actor=actor,
        plan=plan,
        route=PlanVersion.ApprovedBy.TEAM_MEETING,
        meeting_date=min(meeting.local_start.date(), timezone.localdate()),
        request=request,
    )


@transaction.atomic
def decision_record(
    *,
    actor,
    item: AgendaItem,
    kind: str,
    text: str = "",
    answers: dict | None = None,
    advice: str = "",
    level: str = "",
    owner=None,
    owner_organisation=None,
    due_on: date | None = None,
    expected_version: int | None = None,
    request=None,
) -> Decision:
    """Write one decision on an agenda item into the draft minutes, and take its effect
    on the case through the case's own services."""
    meeting = item.meeting
    policy.require(actor, "meetings.manage", meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_before_start(meeting)
    if item.removed_at is not None:
        raise ValidationError(_("This item was taken off the agenda."))
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of decision.")})
    text = (text or "").strip()
    case = None
    if item.case_id is not None:
        case = Case.objects.filter(pk=item.case_id).first()
        policy.require(actor, "case.view", case)
    elif kind != Kind.NOTE:
        raise ValidationError({"kind": _("This item is not about a case: record a note.")})
    minutes = _draft_for(meeting, actor)
    detail: dict = {}
    action = None
    try:
        if kind == Kind.NOTE:
            if not text:
                raise ValidationError({"text": _("Write the decision.")})
        elif kind == Kind.ADMISSIBILITY:
            decision = case_services.admissibility_decide(
                actor=actor,
                case=case,
                answers=answers or {},
                advice=advice,
                expected_version=expected_version,
                request=request,
            )
            detail = {"admissible": decision.admissible}
            summary = (
                _("Admissible.") if decision.admissible else _("Not admissible; advice to the referrer.")
            )
            text = f"{summary} {text}".strip()
        elif kind == Kind.INTAKE_COMPLETE:
            case_services.intake_complete(
                actor=actor, case=case, note=text, expected_version=expected_version, request=request
            )
            text = text or str(Kind.INTAKE_COMPLETE.label)
        elif kind == Kind.DOSSIER_READY:
            case_services.dossier_ready(
                actor=actor, case=case, note=text, expected_version=expected_version, request=request
            )
            text = text or str(Kind.DOSSIER_READY.label)
        elif kind == Kind.RISK_WEIGHING:
            weighing = risk_services.weighing_confirm(
                actor=actor,
                case=case,
                level=level,
                reasoning=text,
                advice=advice,
                expected_version=expected_version,
                request=request,
            )
            detail = {"level": weighing.level}
        elif kind == Kind.PLAN_APPROVAL:
            plan = _approve_plan(actor=actor, case=case, item=item, meeting=meeting, request=request)
            detail = {"plan_version": plan.pk, "number": plan.number}
            text = text or _("Plan version %(number)s approved.") % {"number": plan.number}
        elif kind == Kind.ACTION:
            action = create_case_action(
                actor=actor,
                case=case,
                description=text,
                owner=owner,
                owner_organisation=owner_organisation,
                due_on=due_on,
                request=request,
            )
            detail = {"due_on": action.due_on.isoformat()}
    except TransitionRefused as exc:
        raise ValidationError(str(exc)) from exc
    recorded = Decision.objects.create(
        minutes=minutes,
        agenda_item=item,
        case=case,
        kind=kind,
        text=text,
        detail=detail,
        action=action,
        recorded_by=actor,
    )
    audit_record(
        action="meetings.decision_recorded",
        actor=actor,
        request=request,
        obj=case if case is not None else meeting,
        detail={"meeting": meeting.pk, "decision": recorded.pk, "kind": kind},
    )
    return recorded


@transaction.atomic
def decision_correct_text(*, actor, decision: Decision, text: str, request=None) -> Decision:
    """Change the wording of a decision in draft minutes (its effect on the case stays)."""
    policy.require(actor, "meetings.manage", decision.minutes.meeting)
    minutes = MinutesVersion.objects.select_for_update().get(pk=decision.minutes_id)
    if not minutes.is_draft:
        raise ValidationError(
            _("The minutes were approved and no longer change. Make a correction to change them.")
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    decision.text = text.strip()
    decision.save(update_fields=["text"])
    audit_record(
        action="meetings.decision_corrected",
        actor=actor,
        request=request,
        obj=minutes.meeting,
        detail={"decision": decision.pk},
    )
    return decision


@transaction.atomic
def minutes_summary_save(*, actor, meeting: Meeting, summary: str, request=None) -> MinutesVersion:
    policy.require(actor, "meetings.manage", meeting)
    _refuse_before_start(meeting)
    minutes = _draft_for(meeting, actor)
    minutes.summary = summary.strip()
    minutes.save(update_fields=["summary"])
    audit_record(action="meetings.minutes_notes_saved", actor=actor, request=request, obj=meeting)
    return minutes


@transaction.atomic
def action_review_record(
    *, actor, meeting: Meeting, action, verdict: str, note: str = "", request=None
) -> ActionReview:
    """Why an action agreed at the previous meeting is not finished: the circumstances
    changed, or it was simply not done."""
    from ..selectors import actions_to_review

    policy.require(actor, "meetings.manage", meeting)
    _refuse_before_start(meeting)
    if verdict not in ActionReview.Verdict.values:
        raise ValidationError({"verdict": _("Choose: circumstances changed, or not done.")})
    if not actions_to_review(meeting=meeting).filter(pk=action.pk).exists():
        raise ValidationError(_("This action is not among the unfinished actions of the previous meeting."))
    minutes = _draft_for(meeting, actor)
    review = ActionReview.objects.filter(minutes=minutes, action=action).first()
    if review is None:
        review = ActionReview(minutes=minutes, action=action, recorded_by=actor)
    review.verdict, review.note, review.recorded_by = verdict, note.strip(), actor
    review.save()
    audit_record(
        action="meetings.action_reviewed",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"action": action.pk, "verdict": verdict},
    )
    return review


@transaction.atomic
def minutes_approve(*, actor, meeting: Meeting, request=None) -> MinutesVersion:
    """The chair approves the draft minutes; from then on they never change. The
    attendees are told by e-mail."""
    from ..tasks import send_minutes

    policy.require(actor, "meetings.chair", meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    draft = (
        MinutesVersion.objects.select_for_update()
        .filter(meeting=meeting, status=MinutesVersion.Status.DRAFT)
        .first()
    )
    if draft is None:
        raise ValidationError(_("There are no draft minutes to approve."))
    if not draft.summary and not draft.decisions.exists() and not draft.action_reviews.exists():
        raise ValidationError(_("The minutes are empty: record at least one decision or note."))
    now = timezone.now()
    MinutesVersion.objects.filter(meeting=meeting, status=MinutesVersion.Status.APPROVED).update(
        status=MinutesVersion.Status.SUPERSEDED
    )
    draft.status = MinutesVersion.Status.APPROVED
    draft.approved_by = actor
    draft.approved_at = now
    draft.save(update_fields=["status", "approved_by", "approved_at"])
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    audit_record(
        action="meetings.minutes_approved",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"version": draft.number},
    )
    transaction.on_commit(lambda: send_minutes.enqueue(draft.pk))
    return draft


@transaction.atomic
def minutes_correct(*, actor, meeting: Meeting, reason: str, request=None) -> MinutesVersion:
    """Start a correction of approved minutes: a new draft version with the same
    decisions (their effect on the cases is not repeated) that the chair approves again.
    The approved version stays readable until then and afterwards."""
    policy.require(actor, "meetings.manage", meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Explain what must be corrected.")})
    if MinutesVersion.objects.filter(meeting=meeting, status=MinutesVersion.Status.DRAFT).exists():
        raise ValidationError(_("A correction is already in progress."))
    approved = MinutesVersion.objects.filter(meeting=meeting, status=MinutesVersion.Status.APPROVED).first()
    if approved is None:
        raise ValidationError(_("Only approved minutes are corrected; change the draft directly."))
    number = meeting.minutes_versions.count() + 1
    draft = MinutesVersion.objects.create(
        meeting=meeting,
        number=number,
        summary=approved.summary,
        supersedes=approved,
        correction_reason=reason.strip(),
        created_by=actor,
    )
    for d in approved.decisions.all():
        Decision.objects.create(
            minutes=draft,
            agenda_item_id=d.agenda_item_id,
            case_id=d.case_id,
            kind=d.kind,
            text=d.text,
            detail=d.detail,
            action_id=d.action_id,
            carried_from=d.carried_from or d,
            recorded_by=d.recorded_by,
            recorded_at=d.recorded_at,
        )
    for r in approved.action_reviews.all():
        ActionReview.objects.create(
            minutes=draft,
            action_id=r.action_id,
            verdict=r.verdict,
            note=r.note,
            recorded_by=r.recorded_by,
            recorded_at=r.recorded_at,
        )
    audit_record(
        action="meetings.minutes_correction_started",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"version": number, "corrects": approved.number},
    )
    return draft
