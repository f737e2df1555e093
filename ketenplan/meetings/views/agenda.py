"""The coordinator prepares and edits the agenda (POST only; back to the meeting)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenplan.cases.selectors import visible_cases
from ketenplan.core import policy as access
from ketenplan.core.policy import policy

from .. import selectors, services
from ..forms import AgendaAddForm, AgendaItemForm
from ..models import AgendaItem
from .meetings import show_error


def _managed_meeting(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    return meeting


@policy("meetings.manage")
@require_POST
def prepare(request, pk):
    meeting = _managed_meeting(request, pk)
    try:
        items = services.agenda_prepare(actor=request.user, meeting=meeting, request=request)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("The agenda is ready: %(count)d items.") % {"count": len(items)})
    return redirect(meeting)


@policy("meetings.manage")
@require_POST
def add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = AgendaAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a case reference or a topic, and the minutes it needs."))
        return redirect(meeting)
    data = form.cleaned_data
    case = None
    if data["reference"].strip():
        case = visible_cases(user=request.user).filter(reference=data["reference"].strip()).first()
        if case is None:
            messages.error(request, _("You have no case with this reference."))
            return redirect(meeting)
    try:
        services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            case=case,
            title=data["title"],
            minutes=data["minutes"],
            urgent=data["urgent"],
            request=request,
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("The item was added to the agenda."))
    return redirect(meeting)


OPERATIONS = {"remove", "restore", "up", "down", "urgent", "not_urgent", "minutes"}


@policy("meetings.manage")
@require_POST
def item(request, pk, item_pk, op):
    meeting = _managed_meeting(request, pk)
    if op not in OPERATIONS:
        raise Http404
    entry = get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)
    try:
        if op == "remove":
            services.agenda_item_remove(actor=request.user, item=entry, request=request)
        elif op == "restore":
            services.agenda_item_restore(actor=request.user, item=entry, request=request)
        elif op in ("up", "down"):
            services.agenda_item_move(actor=request.user, item=entry, direction=op, request=request)
        elif op in ("urgent", "not_urgent"):
            services.agenda_item_update(
                actor=request.user, item=entry, urgent=op == "urgent", request=request
            )
        else:
            form = AgendaItemForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give between 1 and 240 minutes."))
            services.agenda_item_update(
                actor=request.user, item=entry, minutes=form.cleaned_data["minutes"], request=request
            )
    except ValidationError as exc:
        show_error(request, exc)
    return redirect(f"{meeting.get_absolute_url()}#item-{entry.pk}")
