"""Consultation hours: signing up (signed in or from the public page), the staff's list
of sign-ups and the advice given, and the coordinator's set-up of the hours."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ketenplan.accounts.models import Organisation
from ketenplan.audit.services import client_ip
from ketenplan.core import policy as access
from ketenplan.core import shown_once
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy, public

from .. import selectors, services
from ..filters import PAST, SIGNUP_SORTS, SignupFilter
from ..forms import AdviceForm, BookingForm, ConsultationHourForm, parse_slot
from .meetings import show_error

# Public pages: per client address, at most this many requests per window.
PUBLIC_VIEWS_PER_WINDOW = 120
PUBLIC_POSTS_PER_WINDOW = 10
RATE_WINDOW_SECONDS = 15 * 60


def rate_limited(request, bucket: str, limit: int) -> bool:
    """Count this request; True when the client went over ``limit`` in the window.
    Kept in the shared (database) cache, so it holds across every web worker."""
    key = f"meetings:rate:{bucket}:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        return False


def too_many(request):
    return render(request, "meetings/public_rate_limited.html", status=429)


def _book(request, hour, form, *, actor):
    starts_at = parse_slot(form.cleaned_data["starts_at"], hour)
    data = {k: v for k, v in form.cleaned_data.items() if k != "starts_at"}
    return services.booking_create(actor=actor, hour=hour, starts_at=starts_at, request=request, **data)


# --- Signed in -----------------------------------------------------------------------------


@policy("consultations.book")
def overview(request):
    region_id = request.user.organisation.region_id
    return render(
        request,
        "meetings/consultations.html",
        {
            "hours": selectors.open_slots(region_id=region_id, weeks=3),
            "bookings": selectors.my_bookings(user=request.user)[:20],
            "can_staff": access.can(request.user, "consultations.staff"),
            "can_manage": access.can(request.user, "consultations.manage"),
        },
    )


@policy("consultations.book")
@require_http_methods(["GET", "POST"])
def book(request, hour_pk):
    hour = selectors.hour_get_public(hour_pk)
    if hour.region_id != request.user.organisation.region_id:
        raise Http404
    form = BookingForm(
        request.POST or None, signed_in=True, initial={"starts_at": request.GET.get("start", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _book(request, hour, form, actor=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("You are signed up. The confirmation is on its way by e-mail."))
            return redirect("meetings:consultations")
    moment = parse_slot(form["starts_at"].value() or "", hour)
    return render(request, "meetings/booking_form.html", {"hour": hour, "form": form, "moment": moment})


@policy("consultations.book")
@require_POST
def booking_cancel(request, pk):
    booking = selectors.booking_get_own(user=request.user, pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            _("Cancel your sign-up?"),
            consequence=_("The time becomes free for someone else."),
            confirm_label=_("Cancel the sign-up"),
            cancel_url=reverse("meetings:consultations"),
        )
    try:
        services.booking_cancel(actor=request.user, booking=booking, request=request)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("meetings:consultations")


@policy("consultations.staff")
def signups(request):
    default_sort = "-when" if request.GET.get("period") == PAST else "when"
    listing = list_page(
        request,
        selectors.staff_signups(user=request.user, past=None),
        sorts=SIGNUP_SORTS,
        default_sort=default_sort,
        filterset_class=SignupFilter,
    )
    return render(request, "meetings/signups.html", {"listing": listing, "page": listing.page})


@policy("consultations.staff")
@require_http_methods(["GET", "POST"])
def advice(request, pk):
    booking = selectors.booking_get_for_staff(user=request.user, pk=pk)
    form = AdviceForm(request.POST or None, initial={"advice": booking.advice})
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_advice_record(
                actor=request.user, booking=booking, advice=form.cleaned_data["advice"], request=request
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The advice is recorded."))
            return redirect("meetings:consultation_signups")
    return render(request, "meetings/advice_form.html", {"booking": booking, "form": form})


@policy("consultations.manage")
def hours(request):
    return render(request, "meetings/hours.html", {"hours": selectors.region_hours(user=request.user)})


@policy("consultations.manage")
@require_http_methods(["GET", "POST"])
def hour_edit(request, pk=None):
    hour = selectors.hour_get_for_manager(user=request.user, pk=pk) if pk is not None else None
    region_id = request.user.organisation.region_id
    initial = None
    if hour is not None:
        initial = {
            "kind": hour.kind,
            "specialism": hour.specialism,
            "organisation": hour.organisation_id,
            "weekday": hour.weekday,
            "start_time": hour.start_time,
            "duration_minutes": hour.duration_minutes,
            "slot_minutes": hour.slot_minutes,
            "video_url": hour.video_url,
            "phone": hour.phone,
            "staff": list(hour.staff.values_list("pk", flat=True)),
            "is_active": hour.is_active,
        }
    form = ConsultationHourForm(
        request.POST or None,
        initial=initial,
        organisations=Organisation.objects.filter(region_id=region_id).order_by("name"),
        professionals=selectors.region_professionals(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["staff"] = list(data["staff"])
        try:
            services.consultation_hour_save(actor=request.user, hour=hour, request=request, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The consultation hour is saved."))
            return redirect("meetings:consultation_hours")
    return render(request, "meetings/hour_form.html", {"form": form, "hour": hour})


# --- Public (no sign-in; reveals nothing about cases) -------------------------------------


@public
@never_cache
def public_hours(request):
    """The consultation hours of a region and their free moments: no case data."""
    if rate_limited(request, "view", PUBLIC_VIEWS_PER_WINDOW):
        return too_many(request)
    regions = list(selectors.public_regions())
    region = None
    wanted = request.GET.get("region", "")
    if wanted.isdigit():
        region = next((r for r in regions if r.pk == int(wanted)), None)
    elif len(regions) == 1:
        region = regions[0]
    context = {"regions": regions, "region": region}
    if region is not None:
        context["hours"] = selectors.open_slots(region_id=region.pk, weeks=3)
    return render(request, "meetings/public_hours.html", context)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def public_book(request, hour_pk):
    """Sign up without signing in. CSRF-protected like every form; rate-limited."""
    if rate_limited(request, "view", PUBLIC_VIEWS_PER_WINDOW):
        return too_many(request)
    hour = selectors.hour_get_public(hour_pk)
    form = BookingForm(
        request.POST or None, signed_in=False, initial={"starts_at": request.GET.get("start", "")}
    )
    if request.method == "POST":
        if rate_limited(request, "post", PUBLIC_POSTS_PER_WINDOW):
            return too_many(request)
        if form.is_valid():
            try:
                booking = _book(request, hour, form, actor=None)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                shown_once.keep(
                    request,
                    f"public_booking:{hour.pk}",
                    {"starts_at": booking.slot.starts_at.isoformat(), "email": booking.email},
                )
                return redirect("meetings:public_book", hour_pk=hour.pk)
    elif (booked := shown_once.take(request, f"public_booking:{hour.pk}")) is not None:
        return render(
            request,
            "meetings/public_booked.html",
            {
                "hour": hour,
                "starts_at": datetime.fromisoformat(booked["starts_at"]),
                "email": booked["email"],
            },
        )
    moment = parse_slot(form["starts_at"].value() or "", hour)
    return render(request, "meetings/public_book.html", {"hour": hour, "form": form, "moment": moment})
