"""Use cases of the case path, from registration to closure. Every write goes here.

Each function is keyword-only, runs in one transaction, checks the access policy, moves
the case only through ``workflow.move`` and writes its audit row inside the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.accounts.models import Organisation, Role
from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from . import workflow
from .models import (
    AdmissibilityDecision,
    Case,
    CaseDirectorAssignment,
    CaseMember,
    Closure,
    ClosureKind,
    ClosureOutcome,
    MemberRole,
    Participation,
    RiskLevel,
    RiskWeighing,
    Stage,
    Transition,
    ViolenceKind,
)

DEFAULT_REPEAT_WINDOW_MONTHS = 12


@dataclass
class MemberSpec:
    """One family member at registration: an existing person or the data of a new one."""

    roles: list[str]
    person: object | None = None
    new_person: dict = field(default_factory=dict)


def repeat_window_start(region, at: datetime | None = None) -> datetime:
    """Registrations or closures after this moment make a registration at ``at`` (default:
    now) a repeat (the method profile's window, 12 months by default)."""
    from ketenplan.methods.schedule import add_months
    from ketenplan.methods.selectors import profile_for_region

    months = profile_for_region(region).parameter("repeat_window_months", DEFAULT_REPEAT_WINDOW_MONTHS)
    day = timezone.localdate(at) if at is not None else timezone.localdate()
    day = add_months(day, -int(months))
    return timezone.make_aware(datetime.combine(day, time.min))


def find_repeat_source(
    *,
    person_ids: list[int],
    exclude_case_id: int | None,
    region,
    registered_at: datetime | None = None,
) -> Case | None:
    """The most recent earlier case of any of these persons registered or closed within
    the method's repeat window before ``registered_at`` (default: now). A case registered
    later never makes an earlier one a repeat."""
    if not person_ids:
        return None
    since = repeat_window_start(region, registered_at)
    earlier = Case.objects.filter(members__person_id__in=person_ids).exclude(pk=exclude_case_id)
    if registered_at is not None:
        earlier = earlier.filter(registered_at__lt=registered_at)
    return (
        earlier.filter(Q(registered_at__gte=since) | Q(closed_at__gte=since))
        .order_by("-registered_at")
        .first()
    )


def _validate_choices(values, choices, field_name, message):
    if not values:
        raise ValidationError({field_name: message})
    unknown = set(values) - set(choices.values)
    if unknown:
        raise ValidationError(
            {field_name: _("Unknown value(s): %(values)s") % {"values": ", ".join(sorted(unknown))}}
        )


def _record_start(case: Case, actor) -> None:
    Transition.objects.create(
        case=case,
        from_stage="",
        to_stage=Stage.REGISTERED,
        name="register",
        actor=actor,
        at=case.registered_at,
        reason=_("Registered by %(name)s") % {"name": actor.full_name},
    )


def _add_member(*, actor, case: Case, spec: MemberSpec, request=None) -> CaseMember:
    from ketenplan.persons import services as person_services

    _validate_choices(
        spec.roles, MemberRole, "roles", _("Choose at least one role for every family member.")
    )
    person = spec.person
    if person is None:
        person = person_services.person_create(actor=actor, request=request, **spec.new_person)
    if CaseMember.objects.filter(case=case, person=person).exists():
        raise ValidationError(_("%(person)s is already part of this case.") % {"person": person})
    member = CaseMember.objects.create(
        case=case, person=person, roles=sorted(set(spec.roles)), added_by=actor
    )
    audit_record(
        action="case.member_added",
        actor=actor,
        request=request,
        obj=member,
        detail={"case": case.pk, "person": person.pk},
    )
    return member


def _mark_repeat(case: Case) -> None:
    person_ids = list(case.members.values_list("person_id", flat=True))
    source = find_repeat_source(
        person_ids=person_ids,
        exclude_case_id=case.pk,
        region=case.region,
        registered_at=case.registered_at,
    )
    if source is not None and not case.is_repeat:
        Case.objects.filter(pk=case.pk).update(is_repeat=True, repeat_of=source)
        case.is_repeat, case.repeat_of = True, source


@transaction.atomic
def case_register(
    *,
    actor,
    family_label: str,
    reason: str,
    violence_kinds: list[str],
    members: list[MemberSpec],
    crisis_measures: str = "",
    request=None,
) -> Case:
    """A professional registers a family. The coordination point and the referrer's
    organisation take part from the start."""
    policy.require(actor, "case.register")
    if not members:
        raise ValidationError(_("Register at least one family member."))
    if not reason.strip():
        raise ValidationError({"reason": _("Describe why you register this family.")})
    _validate_choices(
        violence_kinds, ViolenceKind, "violence_kinds", _("Choose the violence concerned.")
    )
    region = actor.organisation.region
    case = Case.objects.create(
        region=region,
        family_label=family_label.strip(),
        reason=reason.strip(),
        violence_kinds=sorted(set(violence_kinds)),
        crisis_measures=crisis_measures.strip(),
        registered_by=actor,
        referring_organisation=actor.organisation,
        updated_by=actor,
    )
    case.reference = f"{timezone.localdate().year}-{case.pk:06d}"
    case.save(update_fields=["reference"])
    Participation.objects.create(
        case=case, organisation=actor.organisation, kind=Participation.Kind.REFERRER, added_by=actor
    )
    for point in Organisation.objects.filter(region=region, is_coordination_point=True).exclude(
        pk=actor.organisation_id
    ):
        Participation.objects.create(
            case=case, organisation=point, kind=Participation.Kind.COORDINATION, added_by=actor
        )
    for spec in members:
        _add_member(actor=actor, case=case, spec=spec, request=request)
    _mark_repeat(case)
    _record_start(case, actor)
    audit_record(action="case.registered", actor=actor, request=request, obj=case)
    return case


def _refuse_when_closed(case: Case) -> None:
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("The case is closed."))


@transaction.atomic
def case_member_add(
    *, actor, case: Case, spec: MemberSpec, expected_version: int | None = None, request=None
) -> CaseMember:
    policy.require(actor, "case.add_member", case)
    locked = workflow.lock_case(case, expected_version)
    _refuse_when_closed(locked)
    member = _add_member(actor=actor, case=locked, spec=spec, request=request)
    _mark_repeat(locked)
    workflow.touch(locked, actor)
    case.version, case.is_repeat, case.repeat_of = locked.version, locked.is_repeat, locked.repeat_of
    return member


@transaction.atomic
def case_member_set_roles(
    *,
    actor,
    member: CaseMember,
    roles: list[str],
    expected_version: int | None = None,
    request=None,
) -> CaseMember:
    """Change a member's roles; ``expected_version`` is the case's version."""
    policy.require(actor, "case.add_member", member.case)
    _validate_choices(roles, MemberRole, "roles", _("Choose at least one role."))
    case = workflow.lock_case(member.case, expected_version)
    _refuse_when_closed(case)
    before = member.roles
    member.roles = sorted(set(roles))
    member.save(update_fields=["roles"])
    workflow.touch(case, actor)
    member.case.version = case.version
    audit_record(
        action="case.member_roles_changed",
        actor=actor,
        request=request,
        obj=member,
        detail={"before": before, "after": member.roles},
    )
    return member


@transaction.atomic
def participation_add(
    *,
    actor,
    case: Case,
    organisation: Organisation,
    reason: str = "",
    expected_version: int | None = None,
    request=None,
) -> Participation:
    """Add a partner organisation to the case (only one with a signed agreement)."""
    if not (policy.can(actor, "case.coordinate", case) or policy.can(actor, "case.direct", case)):
        policy.require(actor, "case.coordinate", case)
    locked = workflow.lock_case(case, expected_version)
    _refuse_when_closed(locked)
    if organisation.region_id != case.region_id:
        raise ValidationError({"organisation": _("This organisation works in another region.")})
    if not organisation.has_signed_agreement:
        raise ValidationError(
            {
                "organisation": _(
                    "%(org)s has not signed the cooperation agreement and cannot join a case."
                )
                % {"org": organisation}
            }
        )
    if Participation.objects.filter(
        case=case, organisation=organisation, until__isnull=True
    ).exists():
        raise ValidationError(
            {"organisation": _("%(org)s already takes part in this case.") % {"org": organisation}}
        )
    participation = Participation.objects.create(
        case=case,
        organisation=organisation,
        kind=Participation.Kind.PARTNER,
        reason=reason.strip(),
        added_by=actor,
    )
    workflow.touch(locked, actor)
    case.version = locked.version
    audit_record(
        action="case.partner_added",
        actor=actor,
        request=request,
        obj=case,
        detail={"organisation": organisation.pk},
    )
    return participation


CRITERIA = AdmissibilityDecision.Criterion


@transaction.atomic
def admissibility_decide(
    *,
    actor,
    case: Case,
    answers: dict,
    advice: str = "",
    expected_version: int | None = None,
    request=None,
) -> AdmissibilityDecision:
    """The coordinator answers every criterion of METHOD.md §3.2, each with a note.
    Admissible only when all are met; otherwise the case closes with written advice."""
    policy.require(actor, "case.decide_admissibility", case)
    errors = {}
    cleaned = {}
    for criterion in CRITERIA.values:
        answer = answers.get(criterion) or {}
        if answer.get("met") is None:
            errors[criterion] = _("Answer this criterion.")
        elif not str(answer.get("note", "")).strip():
            errors[criterion] = _("Add a note explaining your answer.")
        else:
            cleaned[criterion] = {"met": bool(answer["met"]), "note": str(answer["note"]).strip()}
    if errors:
        raise ValidationError(errors)
    admissible = all(a["met"] for a in cleaned.values())
    if not admissible and not advice.strip():
        raise ValidationError({"advice": _("Write the advice for the referrer.")})
    if admissible:
        workflow.move(
            case=case,
            step="admit",
            actor=actor,
            request=request,
            expected_version=expected_version,
            reason=_("Admissible: all criteria met."),
        )
        taking_part = Participation.objects.filter(
            case=case, organisation=OuterRef("pk"), until__isnull=True
        )
        for org in Organisation.objects.filter(
            region=case.region, ring=Organisation.Ring.CORE, agreement_signed_on__isnull=False
        ).exclude(Exists(taking_part)):
            if org.has_signed_agreement:
                Participation.objects.create(
                    case=case,
                    organisation=org,
                    kind=Participation.Kind.OPERATIONAL_TEAM,
                    added_by=actor,
                    reason=_("Operational team"),
                )
    else:
        now = timezone.now()
        workflow.move(
            case=case,
            step="not_admissible",
            actor=actor,
            request=request,
            expected_version=expected_version,
            reason=advice.strip(),
            set_fields={"closure_kind": ClosureKind.ADVICE, "closed_at": now},
        )
        Closure.objects.create(
            case=case,
            kind=ClosureKind.ADVICE,
            outcome=ClosureOutcome.NOT_ADMISSIBLE,
            advice=advice.strip(),
            closed_by=actor,
            closed_at=now,
        )
    return AdmissibilityDecision.objects.create(
        case=case, answers=cleaned, admissible=admissible, advice=advice.strip(), decided_by=actor
    )


@transaction.atomic
def intake_complete(
    *, actor, case: Case, note: str = "", expected_version: int | None = None, request=None
) -> Transition:
    policy.require(actor, "case.coordinate", case)
    return workflow.move(
        case=case,
        step="start_dossier",
        actor=actor,
        reason=note,
        request=request,
        expected_version=expected_version,
    )


@transaction.atomic
def dossier_ready(
    *, actor, case: Case, note: str = "", expected_version: int | None = None, request=None
) -> Transition:
    policy.require(actor, "case.weigh", case)
    return workflow.move(
        case=case,
        step="ready_for_weighing",
        actor=actor,
        reason=note,
        request=request,
        expected_version=expected_version,
    )


@transaction.atomic
def risk_weighing_record(
    *,
    actor,
    case: Case,
    level: str,
    reasoning: str,
    advice: str = "",
    expected_version: int | None = None,
    request=None,
) -> RiskWeighing:
    """The routing of the team's weighing (METHOD.md §3.5): high risk → the chain
    approach goes on with a plan; low or medium → the referrer continues with the team's
    written advice and the case closes.

    Called by ``ketenplan.risk.services.weighing_confirm``, the one way to weigh: it
    checks the final assessments and the "raise, never lower" rule and records what the
    weighing rests on. The workflow refuses both steps without a final assessment."""
    policy.require(actor, "case.weigh", case)
    if level not in RiskLevel.values:
        raise ValidationError({"level": _("Choose a risk level.")})
    if not reasoning.strip():
        raise ValidationError({"reasoning": _("Explain the weighing.")})
    if level != RiskLevel.HIGH and not advice.strip():
        raise ValidationError({"advice": _("Write the advice for the referrer.")})
    now = timezone.now()
    if level == RiskLevel.HIGH:
        workflow.move(
            case=case,
            step="weighed_high",
            actor=actor,
            reason=reasoning,
            request=request,
            expected_version=expected_version,
            set_fields={"risk_level": level},
        )
    else:
        workflow.move(
            case=case,
            step="weighed_not_high",
            actor=actor,
            reason=reasoning,
            request=request,
            expected_version=expected_version,
            set_fields={"risk_level": level, "closure_kind": ClosureKind.ADVICE, "closed_at": now},
        )
        _withdraw_open_requests(actor=actor, case=case, request=request)
        Closure.objects.create(
            case=case,
            kind=ClosureKind.ADVICE,
            outcome=ClosureOutcome.RISK_NOT_HIGH,
            advice=advice.strip(),
            closed_by=actor,
            closed_at=now,
        )
    return RiskWeighing.objects.create(
        case=case,
        level=level,
        reasoning=reasoning.strip(),
        advice=advice.strip(),
        decided_by=actor,
        decided_at=now,
    )


@transaction.atomic
def case_director_appoint(
    *,
    actor,
    case: Case,
    professional,
    reason: str = "",
    expected_version: int | None = None,
    request=None,
) -> CaseDirectorAssignment:
    """Appoint (or replace) the case director; earlier appointments stay in the history."""
    policy.require(actor, "case.coordinate", case)
    callers_case = case
    case = workflow.lock_case(case, expected_version)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("The case is closed."))
    if not professional.is_active or not professional.has_role(
        Role.CASE_DIRECTOR, Role.TEAM_MEMBER, Role.COORDINATOR
    ):
        raise ValidationError(
            {"professional": _("Choose a professional who can act as case director.")}
        )
    if not case.participations.filter(
        organisation_id=professional.organisation_id, until__isnull=True
    ).exists():
        raise ValidationError(
            {"professional": _("The case director's organisation must take part in the case.")}
        )
    if case.case_director_id == professional.pk:
        raise ValidationError(
            {"professional": _("%(name)s is already the case director.") % {"name": professional}}
        )
    now = timezone.now()
    case.director_assignments.filter(ended_at__isnull=True).update(ended_at=now)
    assignment = CaseDirectorAssignment.objects.create(
        case=case, professional=professional, assigned_by=actor, reason=reason.strip(), started_at=now
    )
    Case.objects.filter(pk=case.pk).update(case_director=professional)
    case.case_director = professional
    workflow.touch(case, actor)
    callers_case.case_director, callers_case.version = professional, case.version
    audit_record(
        action="case.director_appointed",
        actor=actor,
        request=request,
        obj=case,
        detail={"professional": professional.pk},
    )
    return assignment


@transaction.atomic
def execution_start(
    *, actor, case: Case, expected_version: int | None = None, request=None
) -> Transition:
    policy.require(actor, "case.direct", case)
    return workflow.move(
        case=case,
        step="start_execution",
        actor=actor,
        request=request,
        expected_version=expected_version,
    )


def _withdraw_open_requests(*, actor, case: Case, request=None) -> None:
    """Requests still open when a case closes are withdrawn with it (the user confirmed)."""
    from ketenplan.dossier.services import information_requests_close_with_case

    information_requests_close_with_case(actor=actor, case=case, request=request)


@transaction.atomic
def case_close(
    *,
    actor,
    case: Case,
    outcome: str,
    note: str = "",
    follow_up_on: date | None = None,
    confirm_open_requests: bool = False,
    expected_version: int | None = None,
    request=None,
) -> Closure:
    """Close with the measured outcome and a date for the follow-up check."""
    policy.require(actor, "case.direct", case)
    allowed = {
        ClosureOutcome.GOALS_MET,
        ClosureOutcome.VIOLENCE_STOPPED,
        ClosureOutcome.FAMILY_MOVED,
        ClosureOutcome.CONSENT_WITHDRAWN,
        ClosureOutcome.REFERRED_ELSEWHERE,
    }
    if outcome not in allowed:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if outcome == ClosureOutcome.GOALS_MET and case.stage != Stage.EXECUTION:
        raise ValidationError(
            {"outcome": _("Goals can only be met after the plan was carried out.")}
        )
    if follow_up_on is not None and follow_up_on <= timezone.localdate():
        raise ValidationError({"follow_up_on": _("The follow-up date must lie in the future.")})
    now = timezone.now()
    workflow.move(
        case=case,
        step="close",
        actor=actor,
        reason=note,
        request=request,
        expected_version=expected_version,
        confirm_open_requests=confirm_open_requests,
        set_fields={"closure_kind": ClosureKind.OUTCOME, "closed_at": now},
    )
    _withdraw_open_requests(actor=actor, case=case, request=request)
    return Closure.objects.create(
        case=case,
        kind=ClosureKind.OUTCOME,
        outcome=outcome,
        note=note.strip(),
        closed_by=actor,
        closed_at=now,
        follow_up_on=follow_up_on,
    )


@transaction.atomic
def closure_follow_up_record(*, actor, case: Case, note: str, request=None) -> Closure:
    policy.require(actor, "case.direct", case)
    closure = Closure.objects.select_for_update().filter(case=case).first()
    if closure is None:
        raise ValidationError(_("A follow-up can only be recorded after the case is closed."))
    if closure.follow_up_done_at is not None:
        raise ValidationError(_("The follow-up was already recorded."))
    if not note.strip():
        raise ValidationError({"note": _("Describe the result of the follow-up.")})
    closure.follow_up_done_at = timezone.now()
    closure.follow_up_note = note.strip()
    closure.save(update_fields=["follow_up_done_at", "follow_up_note"])
    audit_record(action="case.follow_up_recorded", actor=actor, request=request, obj=case)
    return closure
