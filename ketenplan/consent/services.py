"""Use cases of consent, legal basis and emergency access. Every write goes here.

Each function is keyword-only, checks the access policy and writes its audit row in the
same transaction as the change. Audit rows name objects by id only, never a person's
name. Consent rows are only ever added: the history is the table itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.accounts.models import Organisation
from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record
from ketenplan.cases.models import Case, CaseMember, MemberRole
from ketenplan.cases.policy import participates
from ketenplan.core import policy

from . import policy as consent_policy
from .models import (
    Consent,
    ConsentOrganisation,
    ConsentScope,
    ConsentStatus,
    EmergencyAccess,
    LegalBasis,
    NotAsked,
    ObtainedHow,
    child_own_age,
    emergency_access_minutes,
)
from .selectors import age_on

CHILD_ROLES = frozenset({MemberRole.CHILD_VICTIM, MemberRole.CHILD_WITNESS})
ADULT_AGE = 18
RECORDABLE_STATUSES = (ConsentStatus.ASKED, ConsentStatus.GIVEN, ConsentStatus.REFUSED)


# --- Who answers for a person -----------------------------------------------------------


def needs_guardian(member: CaseMember, on: date) -> bool:
    """Whether a parent or guardian answers for this person on ``on``: a child below
    ``CONSENT_CHILD_OWN_AGE`` (default 12). Without a date of birth, a member with a
    child's role counts as such a child (the safe side)."""
    age = age_on(member.person.birth_date, on)
    if age is None:
        return bool(CHILD_ROLES.intersection(member.roles))
    return age < child_own_age()


def _is_child(member: CaseMember, on: date) -> bool:
    age = age_on(member.person.birth_date, on)
    if age is None:
        return bool(CHILD_ROLES.intersection(member.roles))
    return age < ADULT_AGE


def _check_guardian(member: CaseMember, guardian: CaseMember | None, on: date, *, required: bool) -> None:
    if guardian is None:
        if required:
            raise ValidationError(
                {
                    "given_by": _(
                        "%(person)s is younger than %(age)d: a parent or guardian answers for them."
                    )
                    % {"person": member.person, "age": child_own_age()}
                }
            )
        return
    if guardian.case_id != member.case_id or guardian.pk == member.pk:
        raise ValidationError(
            {"given_by": _("The parent or guardian must be another member of this family.")}
        )
    if _is_child(guardian, on):
        raise ValidationError({"given_by": _("A parent or guardian must be an adult.")})


def _lock_member(case: Case, person) -> CaseMember:
    """The person's membership of the case, locked so that two records for the same
    person are written one after the other."""
    try:
        return (
            CaseMember.objects.select_for_update()
            .select_related("person")
            .get(case_id=case.pk, person_id=getattr(person, "pk", person))
        )
    except CaseMember.DoesNotExist:
        raise ValidationError(_("This person is not a member of this family.")) from None


def _answer_date(obtained_on: date | None) -> date:
    day = obtained_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"obtained_on": _("The date cannot lie in the future.")})
    return day


def _check_how(obtained_how: str) -> None:
    if obtained_how not in ObtainedHow.values:
        raise ValidationError({"obtained_how": _("Say how the answer was obtained.")})


def _check_evidence(actor, case: Case, attachment) -> None:
    if attachment is None:
        return
    if attachment.case_id != case.pk or attachment.organisation_id != actor.organisation_id:
        raise ValidationError(
            {"evidence_attachment": _("Choose a document of this case from your own organisation.")}
        )


def _audit_consent(action: str, *, actor, consent: Consent, request, detail: dict | None = None) -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        obj=consent,
        detail={
            "case": consent.case_id,
            "person": consent.person_id,
            "status": consent.status,
            **(detail or {}),
        },
    )


# --- Consent ----------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor,
    case: Case,
    person,
    status: str,
    scope: str = ConsentScope.ALL_PARTNERS,
    organisations: Iterable[Organisation] = (),
    obtained_on: date | None = None,
    obtained_how: str = "",
    given_by: CaseMember | None = None,
    evidence_note: str = "",
    evidence_attachment=None,
    note: str = "",
    request=None,
) -> Consent:
    """Record that consent was asked, given or refused, as a new row of the person's
    history. A child below ``CONSENT_CHILD_OWN_AGE`` answers through a parent or
    guardian (``given_by``, another member of the family); from that age the child
    answers itself."""
    policy.require(actor, "consent.record", case)
    member = _lock_member(case, person)
    if status not in RECORDABLE_STATUSES:
        raise ValidationError({"status": _("Choose whether consent was asked, given or refused.")})
    organisations = list(organisations)
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": _("Choose with whom information may be shared.")})
    if status != ConsentStatus.GIVEN and (scope != ConsentScope.ALL_PARTNERS or organisations):
        raise ValidationError({"scope": _("Only a consent given has organisations it covers.")})
    if scope == ConsentScope.CHOSEN:
        if not organisations:
            raise ValidationError({"organisations": _("Choose at least one organisation.")})
        if any(o.region_id != case.region_id or not o.has_signed_agreement for o in organisations):
            raise ValidationError(
                {
                    "organisations": _(
                        "Choose organisations of this region that signed the cooperation agreement."
                    )
                }
            )
    elif organisations:
        raise ValidationError(
            {"organisations": _("Choose organisations only when consent is limited to them.")}
        )
    day = _answer_date(obtained_on)
    if status == ConsentStatus.ASKED:
        if obtained_how:
            _check_how(obtained_how)
        _check_guardian(member, given_by, day, required=False)
    else:
        _check_how(obtained_how)
        if needs_guardian(member, day):
            _check_guardian(member, given_by, day, required=True)
        elif given_by is not None:
            raise ValidationError(
                {
                    "given_by": _("%(person)s is %(age)d or older and answers for themselves.")
                    % {"person": member.person, "age": child_own_age()}
                }
            )
    _check_evidence(actor, case, evidence_attachment)
    consent = Consent.objects.create(
        case=case,
        person=member.person,
        status=status,
        scope=scope,
        obtained_on=day,
        obtained_how=obtained_how,
        given_by=given_by,
        evidence_note=evidence_note.strip(),
        evidence_attachment=evidence_attachment,
        reason=note.strip(),
        recorded_by=actor,
        recorded_by_organisation_id=actor.organisation_id,
    )
    unique = {o.pk: o for o in organisations}
    ConsentOrganisation.objects.bulk_create(
        ConsentOrganisation(consent=consent, organisation=o) for o in unique.values()
    )
    _audit_consent(
        "consent.recorded",
        actor=actor,
        consent=consent,
        request=request,
        detail={
            "scope": scope,
            "organisations": sorted(o.pk for o in organisations),
            "given_by": given_by.pk if given_by else None,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    actor,
    case: Case,
    person,
    obtained_how: str,
    obtained_on: date | None = None,
    given_by: CaseMember | None = None,
    evidence_note: str = "",
    note: str = "",
    request=None,
) -> Consent:
    """The person (or, for a child, a parent or guardian) withdraws their consent. It
    takes effect the moment this returns: nothing about the person reaches other
    organisations on consent any more. Any professional of a participating organisation
    may record it, also after the case is closed."""
    policy.require(actor, "consent.withdraw", case)
    member = _lock_member(case, person)
    current = consent_policy.current_consent(case, member.person_id)
    if current is None or current.status != ConsentStatus.GIVEN:
        raise ValidationError(_("There is no consent given to withdraw."))
    _check_how(obtained_how)
    day = _answer_date(obtained_on)
    # Withdrawing is never made harder: the person or a guardian may, at any age.
    _check_guardian(member, given_by, day, required=False)
    consent = Consent.objects.create(
        case=case,
        person=member.person,
        status=ConsentStatus.WITHDRAWN,
        obtained_on=day,
        obtained_how=obtained_how,
        given_by=given_by,
        evidence_note=evidence_note.strip(),
        reason=note.strip(),
        recorded_by=actor,
        recorded_by_organisation_id=actor.organisation_id,
    )
    _audit_consent(
        "consent.withdrawn", actor=actor, consent=consent, request=request, detail={"replaces": current.pk}
    )
    return consent


@transaction.atomic
def not_asked_record(
    *, actor, case: Case, person, reason: str, protects: CaseMember | None = None, request=None
) -> NotAsked:
    """The coordinator or case director decides not to ask this person, to protect
    another. Counts as "no consent"; the reason is visible to the team."""
    policy.require(actor, "consent.decide", case)
    member = _lock_member(case, person)
    if not reason.strip():
        raise ValidationError({"reason": _("Explain why this person is not asked.")})
    if protects is not None and (protects.case_id != case.pk or protects.pk == member.pk):
        raise ValidationError({"protects": _("Choose another member of this family.")})
    current = consent_policy.current_consent(case, member.person_id)
    if current is not None and current.status == ConsentStatus.GIVEN:
        raise ValidationError(_("This person has given consent; record a withdrawal if they take it back."))
    row = NotAsked.objects.create(
        case=case,
        person=member.person,
        status=ConsentStatus.NOT_ASKED,
        reason=reason.strip(),
        protects=protects,
        recorded_by=actor,
        recorded_by_organisation_id=actor.organisation_id,
    )
    _audit_consent(
        "consent.not_asked",
        actor=actor,
        consent=row,
        request=request,
        detail={"protects": protects.pk if protects else None},
    )
    return row


# --- Legal basis ------------------------------------------------------------------------


@transaction.atomic
def legal_basis_record(
    *,
    actor,
    case: Case,
    person,
    basis: str,
    justification: str,
    valid_until: date,
    valid_from: date | None = None,
    basis_text: str = "",
    request=None,
) -> LegalBasis:
    """The coordinator or case director records that information about the person is
    shared on a legal basis instead of consent, with a justification and an end date."""
    policy.require(actor, "consent.decide", case)
    member = _lock_member(case, person)
    if basis not in LegalBasis.Basis.values:
        raise ValidationError({"basis": _("Choose the legal basis.")})
    if basis == LegalBasis.Basis.OTHER and not basis_text.strip():
        raise ValidationError({"basis_text": _("Name the legal basis.")})
    if not justification.strip():
        raise ValidationError({"justification": _("Justify why information is shared without consent.")})
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_until is None:
        raise ValidationError({"valid_until": _("Give the date until which the legal basis applies.")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date lies before the start date.")})
    if valid_until < today:
        raise ValidationError({"valid_until": _("The end date lies in the past.")})
    overlapping = LegalBasis.objects.filter(
        case=case,
        person_id=member.person_id,
        ended_at__isnull=True,
        valid_from__lte=valid_until,
        valid_until__gte=valid_from,
    )
    if overlapping.exists():
        raise ValidationError(
            _("A legal basis for this person already applies in that period; end it first.")
        )
    legal_basis = LegalBasis.objects.create(
        case=case,
        person=member.person,
        basis=basis,
        basis_text=basis_text.strip() if basis == LegalBasis.Basis.OTHER else "",
        justification=justification.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=actor,
        recorded_by_organisation_id=actor.organisation_id,
    )
    audit_record(
        action="legal_basis.recorded",
        actor=actor,
        request=request,
        obj=legal_basis,
        detail={
            "case": case.pk,
            "person": member.person_id,
            "basis": basis,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return legal_basis


@transaction.atomic
def legal_basis_end(*, actor, legal_basis: LegalBasis, reason: str, request=None) -> LegalBasis:
    """End (revoke) a legal basis now; the record stays, with who ended it and why."""
    policy.require(actor, "consent.end_legal_basis", legal_basis)
    if not reason.strip():
        raise ValidationError({"reason": _("Explain why the legal basis ends.")})
    now = timezone.now()
    ended = LegalBasis.objects.filter(pk=legal_basis.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=actor, end_reason=reason.strip()
    )
    if not ended:
        raise ValidationError(_("This legal basis has already ended."))
    legal_basis.ended_at, legal_basis.ended_by, legal_basis.end_reason = now, actor, reason.strip()
    audit_record(
        action="legal_basis.ended",
        actor=actor,
        request=request,
        obj=legal_basis,
        detail={"case": legal_basis.case_id, "person": legal_basis.person_id},
    )
    return legal_basis


# --- Emergency access -------------------------------------------------------------------

# Wrong passwords on the emergency page within this window lock the page for the user.
EMERGENCY_PASSWORD_ATTEMPTS = 5
EMERGENCY_PASSWORD_WINDOW = timedelta(minutes=15)


class EmergencyAccessRefused(ValidationError):
    """Emergency access was not granted; the message says why, revealing nothing about
    a case before the password is right."""


def _unknown_reference() -> EmergencyAccessRefused:
    return EmergencyAccessRefused(
        {"reference": _("No case can be opened with this reference. Check the reference and try again.")}
    )


def _recent_wrong_passwords(actor) -> int:
    return AuditEvent.objects.filter(
        actor_id=actor.pk,
        action="emergency_access.refused",
        detail__why="wrong_password",
        at__gte=timezone.now() - EMERGENCY_PASSWORD_WINDOW,
    ).count()


def emergency_access_open(
    *, actor, reference: str, password: str, reason: str, request=None
) -> EmergencyAccess:
    """Break the glass: open the case with ``reference`` to ``actor`` for
    ``EMERGENCY_ACCESS_MINUTES`` (default 60), after the password is entered again and a
    reason is given. The coordinators of the case are e-mailed once the access commits,
    with no personal data. Refused — with ``EmergencyAccessRefused`` — when the password
    is wrong, the reason is missing, the reference is unknown (one message whether or not
    the case exists) or the user has normal access already.

    Not one transaction around everything, on purpose: a refusal raises, and its audit
    row must stay. The attempt runs in its own transaction; a refusal is then recorded
    in another.
    """
    try:
        return _emergency_access_attempt(
            actor=actor, reference=reference, password=password, reason=reason, request=request
        )
    except EmergencyAccessRefused as refusal:
        _emergency_refusal_record(
            actor=actor, reference=reference, why=getattr(refusal, "why", "refused"), request=request
        )
        raise


@transaction.atomic
def _emergency_access_attempt(*, actor, reference: str, password: str, reason: str, request=None):
    def refuse(why: str, error: EmergencyAccessRefused) -> None:
        error.why = why
        raise error

    if not policy.can(actor, "consent.emergency_open"):
        refuse(
            "not_allowed",
            EmergencyAccessRefused(_("Your account cannot use emergency access.")),
        )
    if _recent_wrong_passwords(actor) >= EMERGENCY_PASSWORD_ATTEMPTS:
        refuse(
            "too_many_attempts",
            EmergencyAccessRefused(
                _("Too many wrong passwords. Wait a quarter of an hour or call the coordination point.")
            ),
        )
    if not password or not actor.check_password(password):
        refuse("wrong_password", EmergencyAccessRefused({"password": _("The password is not correct.")}))
    if not reason.strip():
        refuse("no_reason", EmergencyAccessRefused({"reason": _("State the acute danger you face.")}))
    case = (
        Case.objects.filter(region_id=actor.organisation.region_id, reference__iexact=reference.strip())
        .select_related("region")
        .first()
        if reference.strip()
        else None
    )
    if case is None:
        refuse("unknown_reference", _unknown_reference())
    if participates(actor, case):
        refuse(
            "has_access",
            EmergencyAccessRefused(
                {"reference": _("You already have access to this case: open it from your case list.")}
            ),
        )
    now = timezone.now()
    active = EmergencyAccess.objects.filter(
        case=case, professional=actor, opened_at__lte=now, expires_at__gt=now
    ).first()
    if active is not None:
        refuse(
            "already_open",
            EmergencyAccessRefused({"reference": _("Your emergency access to this case is still open.")}),
        )
    access = EmergencyAccess.objects.create(
        case=case,
        professional=actor,
        organisation_id=actor.organisation_id,
        reason=reason.strip(),
        opened_at=now,
        expires_at=now + timedelta(minutes=emergency_access_minutes()),
    )
    audit_record(
        action="emergency_access.opened",
        actor=actor,
        request=request,
        obj=access,
        purpose=AuditEvent.Purpose.EMERGENCY,
        detail={"case": case.pk, "expires_at": access.expires_at.isoformat()},
    )
    from .tasks import notify_emergency_access

    transaction.on_commit(lambda: notify_emergency_access.enqueue(access.pk))
    return access


@transaction.atomic
def _emergency_refusal_record(*, actor, reference: str, why: str, request=None) -> None:
    audit_record(
        action="emergency_access.refused",
        actor=actor,
        request=request,
        purpose=AuditEvent.Purpose.SECURITY,
        detail={"why": why, "reference": (reference or "").strip()[:30]},
    )


@transaction.atomic
def emergency_access_review(*, actor, access: EmergencyAccess, note: str, request=None) -> EmergencyAccess:
    """A coordinator of the case reviews an emergency access and notes the outcome."""
    policy.require(actor, "consent.emergency_review", access)
    if not note.strip():
        raise ValidationError({"note": _("Write what you found.")})
    now = timezone.now()
    reviewed = EmergencyAccess.objects.filter(pk=access.pk, reviewed_at__isnull=True).update(
        reviewed_at=now, reviewed_by=actor, review_note=note.strip()
    )
    if not reviewed:
        raise ValidationError(_("This emergency access has already been reviewed."))
    access.reviewed_at, access.reviewed_by, access.review_note = now, actor, note.strip()
    audit_record(
        action="emergency_access.reviewed",
        actor=actor,
        request=request,
        obj=access,
        detail={"case": access.case_id},
    )
    return access


def coordinators_to_notify(case: Case):
    """The coordinators of the case's coordination point (the organisations taking part
    as coordination point, or else the region's coordination points)."""
    from ketenplan.accounts.models import Professional, Role
    from ketenplan.cases.models import Participation

    points = Participation.objects.filter(
        case=case, kind=Participation.Kind.COORDINATION, until__isnull=True
    ).values("organisation_id")
    if not points.exists():
        points = Organisation.objects.filter(region_id=case.region_id, is_coordination_point=True).values(
            "pk"
        )
    return (
        Professional.objects.filter(
            Q(organisation_id__in=points), is_active=True, role_grants__role=Role.COORDINATOR
        )
        .distinct()
        .order_by("pk")
    )
