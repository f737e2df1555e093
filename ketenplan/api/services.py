import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from .models import ApiToken, hash_token

MAX_VALID_DAYS = 365


@transaction.atomic
def api_token_create(*, actor, name: str, valid_days: int, request=None) -> str:
    """Make a personal API token; returns the token itself, which is never shown again."""
    policy.require(actor, "api.manage_tokens")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValidationError(
            {"valid_days": _("Choose between 1 and %(max)d days.") % {"max": MAX_VALID_DAYS}}
        )
    token = "kp_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        professional=actor,
        name=name.strip(),
        prefix=token[:8],
        key_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=valid_days),
    )
    audit_record(action="api.token_created", actor=actor, request=request, obj=record, purpose="security")
    return token


@transaction.atomic
def api_token_revoke(*, actor, token_id: int, request=None) -> None:
    policy.require(actor, "api.manage_tokens")
    updated = ApiToken.objects.filter(pk=token_id, professional=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        from django.http import Http404

        raise Http404
    audit_record(
        action="api.token_revoked",
        actor=actor,
        request=request,
        object_type="api.apitoken",
        object_id=token_id,
        purpose="security",
    )
