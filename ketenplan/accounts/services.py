"""Use cases for organisations and professionals. Every write goes through here."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from .models import Invitation, Organisation, Professional, Role, RoleGrant


class InvitationError(Exception):
    """An invitation link that cannot be used; the message says why, for the user."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def professional_invite(
    *,
    actor: Professional,
    email: str,
    full_name: str,
    organisation: Organisation,
    roles: list[str],
    job_title: str = "",
    request=None,
) -> Invitation:
    """Create (or re-invite) a professional and queue the invitation e-mail.

    The account exists from now on but cannot be used until the invitee sets a password
    through the link. Re-inviting someone who never accepted replaces earlier links.
    """
    policy.require(actor, "accounts.invite")
    allowed = policy.scope(actor, "accounts.invite_into", Organisation.objects.all())
    if not allowed.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("You cannot invite people into this organisation.")})
    if Role.ADMINISTRATOR in roles and not actor.has_role(Role.ADMINISTRATOR):
        raise ValidationError({"roles": _("Only an administrator can grant the administrator role.")})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})

    email = email.strip().lower()
    professional = Professional.objects.filter(email__iexact=email).first()
    if professional is not None and professional.has_usable_password():
        raise ValidationError({"email": _("This person already has an account.")})
    if professional is None:
        professional = Professional.objects.create_user(
            email=email, full_name=full_name, organisation=organisation, job_title=job_title
        )
    else:
        professional.full_name = full_name
        professional.organisation = organisation
        professional.job_title = job_title
        professional.save(update_fields=["full_name", "organisation", "job_title"])
        professional.role_grants.exclude(role__in=roles).delete()
    for role in roles:
        RoleGrant.objects.get_or_create(professional=professional, role=role)

    now = timezone.now()
    professional.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation = Invitation.objects.create(
        professional=professional,
        invited_by=actor,
        token_hash=f"pending-{secrets.token_hex(24)}",
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(
        action="professional.invited",
        actor=actor,
        request=request,
        obj=professional,
        purpose="security",
        detail={"roles": sorted(roles), "organisation": organisation.pk},
    )
    from .tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.enqueue(invitation.pk))
    return invitation


@transaction.atomic
def invitation_issue_link(*, invitation: Invitation) -> str:
    """Mint the secret link for an invitation. Only its hash is stored."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=_hash_token(token))
    return f"{settings.BASE_URL}/invitation/{token}/"


def invitation_for_token(token: str) -> Invitation:
    """The invitation behind a link, or an error that says why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("professional").filter(token_hash=_hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Sign in with your e-mail address and password.")
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            _("This invitation was replaced by a newer one. Use the link in the latest e-mail.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation has expired. Ask your coordinator to invite you again.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request=None) -> Professional:
    """Set the invitee's password and activate the account; the link is used up."""
    invitation = invitation_for_token(token)
    # Lock the invitation so two simultaneous submissions cannot both accept it.
    invitation = Invitation.objects.select_for_update().select_related("professional").get(
        pk=invitation.pk
    )
    if not invitation.is_usable:
        raise InvitationError(_("This invitation has already been used."))
    professional = invitation.professional
    validate_password(password, user=professional)
    professional.set_password(password)
    professional.is_active = True
    professional.save(update_fields=["password", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])

    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=professional,
        email=professional.email,
        defaults={"verified": True, "primary": True},
    )
    audit_record(
        action="professional.invitation_accepted",
        actor=professional,
        request=request,
        obj=professional,
        purpose="security",
    )
    return professional


@transaction.atomic
def professional_set_roles(
    *, actor: Professional, professional: Professional, roles: list[str], request=None
) -> None:
    policy.require(actor, "accounts.invite")
    if not policy.scope(actor, "accounts.invite_into", Organisation.objects.all()).filter(
        pk=professional.organisation_id
    ).exists():
        raise ValidationError(_("You cannot change roles in this organisation."))
    current = set(professional.roles)
    if (Role.ADMINISTRATOR in set(roles) ^ current) and not actor.has_role(Role.ADMINISTRATOR):
        raise ValidationError({"roles": _("Only an administrator can grant the administrator role.")})
    professional.role_grants.exclude(role__in=roles).delete()
    for role in roles:
        RoleGrant.objects.get_or_create(professional=professional, role=role)
    professional._roles_cache = None
    audit_record(
        action="professional.roles_changed",
        actor=actor,
        request=request,
        obj=professional,
        purpose="security",
        detail={"before": sorted(current), "after": sorted(roles)},
    )
