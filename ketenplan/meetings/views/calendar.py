"""The private calendar feed: made, shown once, revoked."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ketenplan.core import shown_once
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.policy import policy, public

from .. import ical, selectors, services
from .consultations import rate_limited, too_many


@policy("calendar.feed")
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    if request.method == "POST":
        action = request.POST.get("action")
        has_feed = selectors.active_feed(user=request.user) is not None
        if action in ("revoke", "renew") and has_feed and not is_confirmed(request):
            return confirmation_page(
                request,
                _("Revoke your calendar link?") if action == "revoke" else _("Make a new calendar link?"),
                consequence=_("Calendars subscribed to the current link stop showing your meetings."),
                confirm_label=_("Revoke") if action == "revoke" else _("Make a new link"),
                cancel_url=reverse("meetings:calendar"),
            )
        if action == "revoke":
            services.calendar_feed_revoke(actor=request.user, request=request)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("meetings:calendar")
        _feed, token = services.calendar_feed_create(actor=request.user, request=request)
        shown_once.keep(
            request, "calendar_url", f"{settings.BASE_URL}{reverse('meetings:calendar_feed', args=[token])}"
        )
        return redirect("meetings:calendar")
    new_url = shown_once.take(request, "calendar_url")
    return render(
        request,
        "meetings/calendar.html",
        {"feed": selectors.active_feed(user=request.user), "new_url": new_url},
    )


@public
@never_cache
@require_GET
def calendar_feed(request, token):
    """The feed a calendar program subscribes to; the secret in the URL is the key. No
    personal data of families: only meetings, consultations and sign-ups."""
    if rate_limited(request, "feed", 240):
        return too_many(request)
    feed = services.calendar_feed_use(token)
    if feed is None:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        events = selectors.calendar_events_for(professional=feed.professional)
        body = ical.to_ical(events, method="PUBLISH", name=_("Ketenplan"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ketenplan.ics"'
    return response
