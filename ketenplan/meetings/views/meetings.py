"""Meetings: the list, the schedule, one meeting with its agenda, attendance, the
confidentiality statement and the preparation packet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketenplan.core import policy as access
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy

from .. import ical, packets, selectors, services
from ..filters import MEETING_SORTS, PAST, MeetingFilter
from ..forms import AgendaAddForm, AgendaItemForm, ApologyForm, AttendanceForm, MemberForm, SeriesForm
from ..models import DEFAULT_CONFIDENTIALITY_STATEMENT, AgendaItem, Attendance, SeriesMember


def show_error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@policy("meetings.use")
def meeting_list(request):
    user = request.user
    # Coming meetings soonest first; earlier ones most recent first.
    default_sort = "-starts_at" if request.GET.get("period") == PAST else "starts_at"
    listing = list_page(
        request,
        selectors.meeting_list(user=user, past=None),
        sorts=MEETING_SORTS,
        default_sort=default_sort,
        filterset_class=MeetingFilter,
        per_page=25,
    )
    return render(
        request,
        "meetings/list.html",
        {
            "listing": listing,
            "page": listing.page,
            "now": timezone.now(),
            "can_manage": access.can(user, "meetings.manage"),
            "escalations": selectors.open_escalations(user=user)[:10],
        },
    )


@policy("meetings.manage")
@require_http_methods(["GET", "POST"])
def schedule(request):
    series = selectors.series_of_region(user=request.user)
    initial = {}
    if series is not None:
        initial = {
            "name": series.name,
            "weekday": series.weekday,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
            "recurrence": series.recurrence,
            "weeks_of_month": [str(w) for w in series.weeks_of_month],
            "interval_weeks": series.interval_weeks,
            "anchor_date": series.anchor_date,
            "time_zone": series.time_zone,
            "location": series.location,
            "video_url": series.video_url,
            "chair": series.chair_id,
            "confidentiality_statement": series.confidentiality_statement,
        }
    form = SeriesForm(
        request.POST or None, initial=initial or None, chairs=selectors.chair_candidates(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_save(
                actor=request.user, series=series, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The schedule is saved; the coming meetings follow it."))
            return redirect("meetings:schedule")
    context = {"form": form, "series": series}
    if series is not None:
        context["members"] = selectors.series_members(series=series)
        context["member_form"] = MemberForm(
            candidates=selectors.member_candidates(user=request.user, series=series)
        )
    return render(request, "meetings/schedule.html", context)


@policy("meetings.manage")
@require_POST
def member_add(request):
    series = selectors.series_of_region(user=request.user)
    if series is None:
        raise Http404
    form = MemberForm(request.POST, candidates=selectors.member_candidates(user=request.user, series=series))
    if form.is_valid():
        try:
            services.series_member_add(
                actor=request.user, series=series, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(
                request, _("%(name)s was added to the team.") % {"name": form.cleaned_data["professional"]}
            )
    else:
        messages.error(request, _("Choose a professional and their role."))
    return redirect("meetings:schedule")


@policy("meetings.manage")
@require_POST
def member_remove(request, pk):
    series = selectors.series_of_region(user=request.user)
    member = get_object_or_404(SeriesMember, pk=pk, series=series) if series else None
    if member is None:
        raise Http404
    if not is_confirmed(request):
        return confirmation_page(
            request,
            _("Remove %(name)s from the team?") % {"name": member.professional},
            confirm_label=_("Remove"),
            cancel_url=reverse("meetings:schedule"),
        )
    services.series_member_remove(actor=request.user, member=member, request=request)
    messages.success(request, _("%(name)s no longer belongs to the team.") % {"name": member.professional})
    return redirect("meetings:schedule")


@policy("meetings.use")
def meeting_detail(request, pk):
    user = request.user
    meeting = selectors.meeting_get(user=user, pk=pk)
    can_manage = access.can(user, "meetings.manage", meeting)
    entries = selectors.agenda_for_viewer(user=user, meeting=meeting)
    context = {
        "meeting": meeting,
        "entries": entries,
        "total_minutes": selectors.agenda_minutes(entries),
        "attendances": selectors.meeting_attendances(user=user, meeting=meeting),
        "mine": selectors.attendance_of(user=user, meeting=meeting),
        "can_manage": can_manage,
        "can_read_packet": access.can(user, "meetings.read_packet", meeting),
        "apology_form": ApologyForm(),
        "overflow": [
            (AgendaItem.Kind(kind).label, count)
            for kind, count in (meeting.agenda_overflow or {}).items()
            if kind in AgendaItem.Kind.values
        ],
    }
    if can_manage:
        context["removed"] = selectors.agenda_for_viewer(user=user, meeting=meeting, removed=True)
        context["add_form"] = AgendaAddForm()
        context["attendance_form"] = AttendanceForm()
        context["item_form"] = AgendaItemForm()
    return render(request, "meetings/detail.html", context)


@policy("meetings.use")
def meeting_ics(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    body = ical.to_ical([ical.meeting_event(meeting)], method="PUBLISH")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@policy("meetings.use")
@require_POST
def apologise(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = ApologyForm(request.POST)
    form.is_valid()
    try:
        services.attendance_apologise(
            actor=request.user, meeting=meeting, note=form.cleaned_data.get("note", ""), request=request
        )
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("Your apologies were sent."))
    return redirect(meeting)


@policy("meetings.use")
@require_POST
def attendance(request, pk, attendance_pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    row = get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                actor=request.user,
                meeting=meeting,
                attendance=row,
                status=form.cleaned_data["status"],
                request=request,
            )
        except ValidationError as exc:
            show_error(request, exc)
    return redirect(meeting)


@policy("meetings.use")
@require_POST
def cancel(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.manage", meeting)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            _("Cancel this meeting?"),
            consequence=_("The attendees are told that it does not take place."),
            confirm_label=_("Cancel the meeting"),
            cancel_url=meeting.get_absolute_url(),
        )
    try:
        services.meeting_cancel(actor=request.user, meeting=meeting, request=request)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("The meeting was cancelled."))
    return redirect(meeting)


@policy("meetings.use")
@require_http_methods(["GET", "POST"])
def confidentiality(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.read_packet", meeting)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the statement."))
        else:
            services.confidentiality_confirm(actor=request.user, meeting=meeting, request=request)
            return redirect("meetings:packet", pk=meeting.pk)
    statement = (
        meeting.series.confidentiality_statement if meeting.series_id else DEFAULT_CONFIDENTIALITY_STATEMENT
    )
    return render(request, "meetings/confidentiality.html", {"meeting": meeting, "statement": statement})


def _packet(request, pk, template):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    access.require(request.user, "meetings.read_packet", meeting)
    if not selectors.has_confirmed_confidentiality(user=request.user, meeting=meeting):
        return redirect("meetings:confidentiality", pk=meeting.pk)
    packet = packets.packet_open(user=request.user, meeting=meeting, request=request)
    return render(request, template, {"meeting": meeting, "packet": packet})


@policy("meetings.use")
def packet(request, pk):
    return _packet(request, pk, "meetings/packet.html")


@policy("meetings.use")
def packet_print(request, pk):
    return _packet(request, pk, "meetings/packet_print.html")
