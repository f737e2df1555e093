"""Consultation hours (seed 000): fixed weekly moments, sign-ups, reminders, advice.

One confirmed sign-up per slot is a database constraint; the booking locks the slot row
first, so of two professionals booking the same moment one wins and the other is told,
in words, to choose another moment.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from .. import recurrence
from ..models import Booking, ConsultationHour, ConsultationSlot, validate_time_zone

#: How far ahead professionals can sign up.
BOOKING_HORIZON_WEEKS = 8
QUESTION_MAX = 1000
#: Tries when the database reports the slot locked by a competing booking.
LOCK_RETRIES = 8


def slot_taken_message() -> str:
    return _("Someone else just signed up for this moment. Choose another moment.")


@transaction.atomic
def consultation_hour_save(
    *,
    actor,
    hour: ConsultationHour | None = None,
    kind: str,
    weekday: int,
    start_time,
    duration_minutes: int,
    slot_minutes: int,
    staff: list,
    specialism: str = "",
    organisation=None,
    video_url: str = "",
    phone: str = "",
    time_zone: str = "",
    is_active: bool = True,
    request=None,
) -> ConsultationHour:
    """The coordinator sets up a weekly consultation hour, or a specialist's phone consult."""
    policy.require(actor, "consultations.manage", hour)
    region_id = actor.organisation.region_id
    errors = {}
    if kind not in ConsultationHour.Kind.values:
        errors["kind"] = _("Choose video consultation hour or phone consult.")
    if specialism not in ConsultationHour.Specialism.values:
        errors["specialism"] = _("Choose a specialism.")
    if kind == ConsultationHour.Kind.PHONE:
        if not specialism:
            errors["specialism"] = _("A phone consult is with a specialist: choose the specialism.")
        if not phone.strip():
            errors["phone"] = _("Give the phone number of the consult.")
    if kind == ConsultationHour.Kind.VIDEO and not video_url.strip():
        errors["video_url"] = _("Give the video link of the consultation hour.")
    if not 15 <= int(duration_minutes or 0) <= 480:
        errors["duration_minutes"] = _("Between 15 minutes and 8 hours.")
    elif not 5 <= int(slot_minutes or 0) <= int(duration_minutes):
        errors["slot_minutes"] = _("A sign-up takes at least 5 minutes and fits in the hour.")
    if not staff:
        errors["staff"] = _("Choose who staffs the consultation hour.")
    elif any(p.organisation_id is None or p.organisation.region_id != region_id for p in staff):
        errors["staff"] = _("Choose professionals of your region.")
    if organisation is not None and organisation.region_id != region_id:
        errors["organisation"] = _("This organisation works in another region.")
    zone = time_zone or timezone.get_default_timezone_name()
    try:
        validate_time_zone(zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    values = {
        "kind": kind,
        "specialism": specialism,
        "organisation": organisation,
        "weekday": int(weekday),
        "start_time": start_time,
        "duration_minutes": int(duration_minutes),
        "slot_minutes": int(slot_minutes),
        "video_url": video_url.strip(),
        "phone": phone.strip(),
        "time_zone": zone,
        "is_active": is_active,
    }
    if hour is None:
        hour = ConsultationHour.objects.create(region_id=region_id, created_by=actor, **values)
        action = "consultations.hour_created"
    else:
        for field, value in values.items():
            setattr(hour, field, value)
        hour.save()
        action = "consultations.hour_changed"
    hour.staff.set(staff)
    audit_record(action=action, actor=actor, request=request, obj=hour)
    return hour


def _check_moment(hour: ConsultationHour, starts_at: datetime) -> None:
    if not hour.is_active:
        raise ValidationError(_("This consultation hour no longer takes sign-ups."))
    if starts_at is None:
        raise ValidationError({"starts_at": _("Choose a moment.")})
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError({"starts_at": _("This moment has passed. Choose a later one.")})
    if starts_at > now + timedelta(weeks=BOOKING_HORIZON_WEEKS):
        raise ValidationError(
            {"starts_at": _("Sign-ups open %(weeks)d weeks ahead.") % {"weeks": BOOKING_HORIZON_WEEKS}}
        )
    day = starts_at.astimezone(hour.zone).date()
    if starts_at not in recurrence.slot_starts(hour, start=day, end=day):
        raise ValidationError({"starts_at": _("This is not a moment of the consultation hour.")})


def booking_create(
    *,
    hour: ConsultationHour,
    starts_at: datetime,
    question: str,
    actor=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    organisation_name: str = "",
    anonymised: bool = True,
    request=None,
) -> Booking:
    """Sign up for one moment of a consultation hour, signed in (``actor``) or from the
    public page (no actor; always anonymised). Confirmation by e-mail with an iCalendar
    invitation; the hour's staff are told too."""

    if actor is not None:
        policy.require(actor, "consultations.book")
        name = name.strip() or actor.full_name
        email = actor.email
        organisation_name = actor.organisation.name
        phone = phone.strip() or actor.phone
    else:
        anonymised = True
    name, email, phone = name.strip(), email.strip().lower(), phone.strip()
    organisation_name, question = organisation_name.strip(), question.strip()
    errors = {}
    if not name:
        errors["name"] = _("Give your name.")
    if not email:
        errors["email"] = _("Give your e-mail address for the confirmation.")
    if not organisation_name:
        errors["organisation_name"] = _("Give your organisation.")
    if not question:
        errors["question"] = _("Describe your question in a few sentences.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("Keep the question under %(max)d characters.") % {"max": QUESTION_MAX}
    if hour.kind == ConsultationHour.Kind.PHONE and not phone:
        errors["phone"] = _("Give the number on which the specialist can call you.")
    if errors:
        raise ValidationError(errors)
    _check_moment(hour, starts_at)
    values = {
        "booked_by": actor,
        "name": name[:200],
        "email": email,
        "phone": phone[:50],
        "organisation_name": organisation_name[:200],
        "question": question,
        "anonymised": anonymised,
    }
    for attempt in range(LOCK_RETRIES):
        try:
            return _book_slot(hour=hour, starts_at=starts_at, values=values, actor=actor, request=request)
        except OperationalError as exc:
            # SQLite reports a competing writer as "locked" once its wait is over;
            # outside a caller's transaction the booking is simply tried again.
            if connection.in_atomic_block or "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _book_slot(*, hour: ConsultationHour, starts_at: datetime, values: dict, actor, request) -> Booking:
    """Lock the slot, check it is free, book it: one transaction. The unique constraint
    on confirmed bookings catches whatever slips between check and insert."""
    from ..tasks import send_booking_confirmation

    try:
        with transaction.atomic():
            ends_at = starts_at + timedelta(minutes=hour.slot_minutes)
            if Booking.objects.filter(
                email=values["email"],
                status=Booking.Status.CONFIRMED,
                slot__starts_at__lt=ends_at,
                slot__ends_at__gt=starts_at,
            ).exists():
                raise ValidationError(_("You already signed up for this moment."))
            slot, _created = ConsultationSlot.objects.get_or_create(
                hour=hour, starts_at=starts_at, defaults={"ends_at": ends_at}
            )
            slot = ConsultationSlot.objects.select_for_update().get(pk=slot.pk)
            if Booking.objects.filter(slot=slot, status=Booking.Status.CONFIRMED).exists():
                raise ValidationError(slot_taken_message())
            booking = Booking.objects.create(slot=slot, **values)
            audit_record(
                action="consultations.signed_up",
                actor=actor,
                request=request,
                obj=booking,
                actor_label="" if actor else f"public:{values['email']}",
                detail={"hour": hour.pk, "starts_at": starts_at.isoformat()},
            )
            transaction.on_commit(lambda: send_booking_confirmation.enqueue(booking.pk))
    except IntegrityError as exc:
        # The other booking committed between our check and our insert.
        raise ValidationError(slot_taken_message()) from exc
    return booking


def _may_change(actor, booking: Booking) -> bool:
    return booking.booked_by_id == actor.pk or policy.can(actor, "consultations.staff", booking.slot.hour)


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, request=None) -> Booking:
    from ..tasks import send_booking_cancellation

    booking = Booking.objects.select_for_update().select_related("slot__hour").get(pk=booking.pk)
    if not _may_change(actor, booking):
        policy.require(actor, "consultations.staff", booking.slot.hour)
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(_("This sign-up was already cancelled."))
    if booking.slot.starts_at <= timezone.now():
        raise ValidationError(_("This consultation has already started."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit_record(action="consultations.cancelled", actor=actor, request=request, obj=booking)
    transaction.on_commit(lambda: send_booking_cancellation.enqueue(booking.pk))
    return booking


@transaction.atomic
def booking_advice_record(*, actor, booking: Booking, advice: str, request=None) -> Booking:
    """The staff record the advice given (without names of the family when anonymised)."""
    booking = Booking.objects.select_for_update().select_related("slot__hour").get(pk=booking.pk)
    policy.require(actor, "consultations.staff", booking.slot.hour)
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(_("This sign-up was cancelled."))
    if booking.slot.starts_at > timezone.now() + timedelta(minutes=15):
        raise ValidationError(_("Advice is recorded when the consultation takes place."))
    if not advice.strip():
        raise ValidationError({"advice": _("Describe the advice given.")})
    booking.advice = advice.strip()
    booking.advised_by = actor
    booking.advised_at = timezone.now()
    booking.save(update_fields=["advice", "advised_by", "advised_at"])
    audit_record(action="consultations.advice_recorded", actor=actor, request=request, obj=booking)
    return booking


@transaction.atomic
def booking_reminders_send(*, now: datetime | None = None, ahead: timedelta = timedelta(hours=24)) -> int:
    """Queue a reminder for every confirmed sign-up starting within ``ahead`` that has had
    none. Run periodically (``manage.py send_consultation_reminders``)."""
    from ..tasks import send_booking_reminder

    now = now or timezone.now()
    due = list(
        Booking.objects.select_for_update()
        .filter(
            status=Booking.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + ahead,
        )
        .values_list("pk", flat=True)
    )
    if due:
        Booking.objects.filter(pk__in=due).update(reminder_sent_at=now)
        for pk in due:
            transaction.on_commit(lambda pk=pk: send_booking_reminder.enqueue(pk))
    return len(due)
