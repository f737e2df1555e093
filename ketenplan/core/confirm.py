"""A second step before every destructive or irreversible action.

Without JavaScript a POST that lacks ``confirmed=yes`` answers with a confirmation page
that changes nothing: it names the consequence and posts the same fields again with
``confirmed=yes`` (or offers a way back). With JavaScript the ``data-confirm`` attribute
of the form asks the same question natively and adds ``confirmed=yes`` itself
(static/ketenplan/ketenplan.js), so the page is skipped. Either way the server refuses
to act without the confirmation — the browser's dialog is a convenience, not the guard.

Usage, in a view, after the object was looked up (outsiders still get "not found") and,
for a view with a form, after the form is valid (nobody confirms input that is refused)::

    if not is_confirmed(request):
        return confirmation_page(request, _("Cancel this meeting?"), cancel_url=meeting.get_absolute_url())
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
_NOT_REPOSTED = {CONFIRM_FIELD, "csrfmiddlewaretoken"}


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def _back_url(request: HttpRequest, cancel_url: str | None) -> str:
    if cancel_url:
        return cancel_url
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def confirmation_page(
    request: HttpRequest,
    question: str,
    *,
    consequence: str = "",
    confirm_label: str = "",
    cancel_url: str | None = None,
) -> HttpResponse:
    """The page that asks ``question`` before the action at ``request.path`` is carried
    out. Nothing was written; the fields of the POST go along unchanged."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "question": question,
            "consequence": consequence,
            "confirm_label": confirm_label,
            "fields": fields,
            "action": request.get_full_path(),
            "cancel_url": _back_url(request, cancel_url),
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )
