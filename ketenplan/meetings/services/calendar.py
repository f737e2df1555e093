"""The private calendar feed: a secret URL per professional, revocable at any time.

Only a SHA-256 hash of the secret is stored; the URL is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from ..models import CalendarFeed


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor, request=None) -> tuple[CalendarFeed, str]:
    """A new feed URL; an earlier one stops working."""
    policy.require(actor, "calendar.feed")
    now = timezone.now()
    CalendarFeed.objects.filter(professional=actor, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(professional=actor, token_hash=hash_token(token), created_at=now)
    audit_record(action="calendar.feed_created", actor=actor, request=request, obj=feed)
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor, request=None) -> int:
    policy.require(actor, "calendar.feed")
    count = CalendarFeed.objects.filter(professional=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit_record(
            action="calendar.feed_revoked",
            actor=actor,
            request=request,
            object_type="meetings.calendarfeed",
            object_id=actor.pk,
        )
    return count


def calendar_feed_use(token: str) -> CalendarFeed | None:
    """The active feed of this secret, with its professional, or None. Notes the use."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("professional__organisation")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.professional.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=5):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed
