"""Crisis consultations: an ad-hoc online consultation on one case, within hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.cases.models import Case, Participation
from ketenplan.core import policy

from ..models import AgendaItem, Attendance, Meeting

#: A crisis consultation starts within this many hours of being called.
CRISIS_WITHIN_HOURS = 72
#: A moment this little in the past still counts as "now".
GRACE = timedelta(minutes=10)


def require_organiser(actor, meeting: Meeting) -> None:
    """Whoever called the consultation, or a coordinator taking part in its case."""
    policy.require(actor, "meetings.manage", meeting)


def invitation_refusal(case: Case, professional) -> str | None:
    """Why ``professional`` cannot be invited to a consultation on ``case``, or None.

    Only professionals of organisations that take part in the case, with a role that
    works on cases, may hear about it.
    """
    if professional is None or not professional.is_active:
        return _("This professional is not active.")
    organisation = professional.organisation
    if (
        organisation is None
        or not Participation.objects.filter(case=case, organisation=organisation, until__isnull=True).exists()
    ):
        return _(
            "%(name)s works for %(org)s, which does not take part in this case. "
            "Add the organisation to the case first, or invite someone else."
        ) % {"name": professional, "org": organisation or _("no organisation")}
    if not policy.can(professional, "case.view", case):
        return _("%(name)s has no role that works on cases and cannot be invited.") % {"name": professional}
    return None


def _invite(*, actor, meeting: Meeting, case: Case, professional) -> Attendance:
    why_not = invitation_refusal(case, professional)
    if why_not:
        raise ValidationError({"invitees": why_not})
    attendance, _created = Attendance.objects.get_or_create(
        meeting=meeting,
        professional=professional,
        defaults={
            "organisation_id": professional.organisation_id,
            "role": Attendance.Role.INVITED,
            "status": Attendance.Status.EXPECTED,
            "invited_by": actor,
        },
    )
    return attendance


@transaction.atomic
def crisis_call(
    *,
    actor,
    case: Case,
    starts_at: datetime,
    video_url: str,
    reason: str,
    invitees: list,
    duration_minutes: int = 60,
    request=None,
) -> Meeting:
    """The coordinator or the case director calls a crisis consultation on ``case``. The
    invitees (professionals of organisations in the case) get an e-mail with the video
    link and an iCalendar invitation."""
    from ..tasks import send_meeting_invitations

    policy.require(actor, "meetings.call_crisis", case)
    now = timezone.now()
    errors = {}
    if starts_at is None or starts_at < now - GRACE:
        errors["starts_at"] = _("The consultation cannot start in the past.")
    elif starts_at > now + timedelta(hours=CRISIS_WITHIN_HOURS):
        errors["starts_at"] = _(
            "A crisis consultation takes place within %(hours)d hours; plan a later discussion "
            "on the agenda of the operational team."
        ) % {"hours": CRISIS_WITHIN_HOURS}
    if not (video_url or "").strip():
        errors["video_url"] = _("A crisis consultation is held online: give the video link.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the situation threatens to escalate.")
    if not 15 <= int(duration_minutes or 0) <= 240:
        errors["duration_minutes"] = _("Give between 15 and 240 minutes.")
    if not invitees:
        errors["invitees"] = _("Invite at least one partner.")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.select_related("region").get(pk=case.pk)
    meeting = Meeting.objects.create(
        region=case.region,
        kind=Meeting.Kind.CRISIS,
        case=case,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=int(duration_minutes)),
        video_url=video_url.strip(),
        reason=reason.strip(),
        called_by=actor,
        chair=actor,
    )
    Attendance.objects.create(
        meeting=meeting,
        professional=actor,
        organisation_id=actor.organisation_id,
        role=Attendance.Role.INVITED,
        status=Attendance.Status.EXPECTED,
        invited_by=actor,
    )
    for professional in invitees:
        if professional.pk != actor.pk:
            _invite(actor=actor, meeting=meeting, case=case, professional=professional)
    AgendaItem.objects.create(
        meeting=meeting,
        key=f"case:{case.pk}",
        kind=AgendaItem.Kind.CASE,
        source=AgendaItem.Source.MANUAL,
        case=case,
        position=1,
        minutes=int(duration_minutes),
        urgent=True,
        created_by=actor,
    )
    meeting.agenda_prepared_at = now
    meeting.agenda_prepared_by = actor
    meeting.save(update_fields=["agenda_prepared_at", "agenda_prepared_by"])
    audit_record(
        action="case.crisis_consultation_called",
        actor=actor,
        request=request,
        obj=case,
        detail={"meeting": meeting.pk, "invited": sorted(p.pk for p in invitees)},
    )
    transaction.on_commit(lambda: send_meeting_invitations.enqueue(meeting.pk))
    return meeting


@transaction.atomic
def crisis_invite(*, actor, meeting: Meeting, professional, request=None) -> Attendance:
    from ..tasks import send_meeting_invitations

    require_organiser(actor, meeting)
    if not meeting.is_crisis:
        raise ValidationError(_("Invite partners per case to a crisis consultation only."))
    if meeting.status != Meeting.Status.PLANNED or meeting.ends_at <= timezone.now():
        raise ValidationError(_("This consultation is over."))
    if Attendance.objects.filter(meeting=meeting, professional=professional).exists():
        raise ValidationError({"invitees": _("%(name)s is already invited.") % {"name": professional}})
    attendance = _invite(actor=actor, meeting=meeting, case=meeting.case, professional=professional)
    audit_record(
        action="case.crisis_consultation_invited",
        actor=actor,
        request=request,
        obj=meeting.case,
        detail={"meeting": meeting.pk, "professional": professional.pk},
    )
    ids = [professional.pk]
    transaction.on_commit(lambda: send_meeting_invitations.enqueue(meeting.pk, ids))
    return attendance


@transaction.atomic
def crisis_outcome_record(*, actor, meeting: Meeting, outcome: str, request=None) -> Meeting:
    """What the consultation decided, recorded with the case (its timeline and audit
    trail); actions agreed are added as decisions in the consultation's minutes."""
    if not meeting.is_crisis:
        raise ValidationError(_("Only a crisis consultation has an outcome of its own."))
    require_organiser(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome.")})
    if meeting.starts_at - timedelta(hours=1) > timezone.now():
        raise ValidationError(_("The outcome is recorded when the consultation takes place."))
    if meeting.outcome_recorded_at is not None:
        raise ValidationError(_("The outcome was already recorded; add decisions to the minutes instead."))
    meeting.outcome = outcome.strip()
    meeting.outcome_recorded_at = timezone.now()
    meeting.outcome_recorded_by = actor
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["outcome", "outcome_recorded_at", "outcome_recorded_by", "status"])
    audit_record(
        action="case.crisis_consultation_outcome",
        actor=actor,
        request=request,
        obj=meeting.case,
        detail={"meeting": meeting.pk},
    )
    return meeting
