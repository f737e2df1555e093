"""Writing to the audit trail. Call these inside the transaction of the action recorded,
so the audit row commits and rolls back with it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the (trusted) reverse proxy or the socket reports it."""
    if request is None:
        return None
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = AuditEvent.Purpose.NORMAL,
    detail: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent(
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        organisation_id=getattr(actor, "organisation_id", None),
        roles=",".join(sorted(actor.roles)) if actor else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        purpose=purpose,
        ip=client_ip(request),
        detail=detail or {},
    )
    event.save()
    return event
