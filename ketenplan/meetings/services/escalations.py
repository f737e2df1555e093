"""Escalation (doorzettingsmacht): the case director appeals to the steering group when
an action is blocked or a partner does not cooperate."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases.models import Case, Participation
from ketenplan.core import policy

from ..models import Escalation


@transaction.atomic
def escalation_raise(
    *, actor, case: Case, kind: str, reason: str, action=None, organisation=None, request=None
) -> Escalation:
    """Escalate to the steering group of the region. The escalation goes on the next
    agenda of the operational team and on the coordinator's board until handled."""
    from ..tasks import send_escalation_notice

    policy.require(actor, "meetings.escalate", case)
    errors = {}
    if kind not in Escalation.Kind.values:
        errors["kind"] = _("Choose what is wrong.")
    if not reason.strip():
        errors["reason"] = _("Explain what is blocked and what you tried.")
    if kind == Escalation.Kind.BLOCKED_ACTION:
        if action is None or action.case_id != case.pk:
            errors["action"] = _("Choose the blocked action of this case.")
        elif action.status not in action.OPEN_STATUSES and action.status != action.Status.CANNOT_BE_DONE:
            errors["action"] = _("This action is done; nothing is blocked.")
        organisation = organisation or (action.owner_organisation if action is not None else None)
    if kind == Escalation.Kind.NON_COOPERATING_PARTNER and (
        organisation is None
        or not Participation.objects.filter(case=case, organisation=organisation, until__isnull=True).exists()
    ):
        errors["organisation"] = _("Choose a partner that takes part in this case.")
    if errors:
        raise ValidationError(errors)
    duplicate = Escalation.objects.filter(case=case, kind=kind, status=Escalation.Status.OPEN)
    duplicate = (
        duplicate.filter(action=action)
        if kind == Escalation.Kind.BLOCKED_ACTION
        else duplicate.filter(organisation=organisation)
    )
    if duplicate.exists():
        raise ValidationError(_("This is already escalated and waits for the steering group."))
    escalation = Escalation.objects.create(
        region_id=case.region_id,
        case=case,
        kind=kind,
        action=action if kind == Escalation.Kind.BLOCKED_ACTION else None,
        organisation=organisation,
        reason=reason.strip(),
        raised_by=actor,
    )
    audit_record(
        action="case.escalated",
        actor=actor,
        request=request,
        obj=case,
        detail={"escalation": escalation.pk, "kind": kind},
    )
    transaction.on_commit(lambda: send_escalation_notice.enqueue(escalation.pk))
    return escalation


@transaction.atomic
def escalation_handle(*, actor, escalation: Escalation, outcome: str, request=None) -> Escalation:
    """The steering group records how it handled the escalation."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != Escalation.Status.OPEN:
        raise ValidationError(_("This escalation was already handled."))
    policy.require(actor, "meetings.handle_escalation", escalation)
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    escalation.status = Escalation.Status.HANDLED
    escalation.outcome = outcome.strip()
    escalation.handled_by = actor
    escalation.handled_at = timezone.now()
    escalation.save(update_fields=["status", "outcome", "handled_by", "handled_at"])
    audit_record(
        action="case.escalation_handled",
        actor=actor,
        request=request,
        obj=escalation.case,
        detail={"escalation": escalation.pk},
    )
    return escalation
