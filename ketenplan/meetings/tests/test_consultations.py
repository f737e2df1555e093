"""Consultation hours: signing up signed in or from the public page, refusals with clear
messages, one winner when two book the same moment, reminders, advice by the staff."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.tests.factories import make_world, register
from ketenplan.meetings import services
from ketenplan.meetings.models import Booking, ConsultationHour
from ketenplan.meetings.recurrence import slot_starts
from ketenplan.meetings.selectors import open_slots
from ketenplan.meetings.services.consultations import slot_taken_message


@pytest.fixture
def world(db):
    return make_world()


def video_hour(world, **overrides):
    values = {
        "kind": ConsultationHour.Kind.VIDEO,
        "weekday": 1,
        "start_time": time(10, 0),
        "duration_minutes": 60,
        "slot_minutes": 20,
        "video_url": "https://video.example/consult",
        "staff": [world.coordinator],
    }
    values.update(overrides)
    return services.consultation_hour_save(actor=world.coordinator, **values)


def next_slot(hour, skip=0):
    today = timezone.localdate()
    starts = [s for s in slot_starts(hour, start=today, end=today + timedelta(weeks=2)) if s > timezone.now()]
    return starts[skip]


def book(world, hour, starts_at, actor=None, **extra):
    values = {
        "question": "A mother hides her bruises; how do I raise it?",
        "actor": actor or world.team_member,
    }
    values.update(extra)
    return services.booking_create(hour=hour, starts_at=starts_at, **values)


@pytest.mark.django_db
def test_signing_up_and_the_refusals(world, smtp_sink, django_capture_on_commit_callbacks):
    hour = video_hour(world)
    slot = next_slot(hour)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(world, hour, slot)
    assert booking.anonymised and booking.email == world.team_member.email
    messages = smtp_sink.wait_for(2)
    assert {r for env in smtp_sink.envelopes for r in env.rcpt_tos} == {
        world.team_member.email,
        world.coordinator.email,
    }
    confirmation = next(m for m in messages if world.team_member.email in m["To"])
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "https://video.example/consult" in text and "bruises" not in text
    ics = next(p for p in confirmation.iter_attachments() if p.get_content_type() == "text/calendar")
    (event,) = icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("dtstart") == slot

    with pytest.raises(ValidationError) as refused:
        book(world, hour, slot, actor=world.referrer)
    assert refused.value.messages == [slot_taken_message()]
    book(world, hour, next_slot(hour, 3), actor=world.team_member)
    same_time_elsewhere = video_hour(world, staff=[world.team_member])
    with pytest.raises(ValidationError) as refused:
        book(world, same_time_elsewhere, next_slot(hour, 3), actor=world.team_member)
    assert refused.value.messages == ["You already signed up for this moment."]

    past = slot - timedelta(weeks=1)
    with pytest.raises(ValidationError) as refused:
        book(world, hour, past, actor=world.referrer)
    assert refused.value.message_dict["starts_at"] == ["This moment has passed. Choose a later one."]
    with pytest.raises(ValidationError) as refused:
        book(world, hour, slot + timedelta(minutes=7), actor=world.referrer)
    assert "not a moment" in refused.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError):
        book(world, hour, next_slot(hour, 1), actor=world.referrer, question="   ")

    # The list of free moments shows the taken one as taken.
    view = next(v for v in open_slots(region_id=world.region.pk) if v.hour.pk == hour.pk)
    taken = {s.starts_at for s in view.slots if s.taken}
    assert slot in taken


@pytest.mark.django_db
def test_phone_consults_need_a_specialism_and_a_number(world):
    with pytest.raises(ValidationError) as refused:
        services.consultation_hour_save(
            actor=world.coordinator,
            kind="phone",
            weekday=3,
            start_time=time(13, 0),
            duration_minutes=60,
            slot_minutes=15,
            staff=[world.outsider],
        )
    assert {"specialism", "phone"} <= set(refused.value.message_dict)
    hour = services.consultation_hour_save(
        actor=world.coordinator,
        kind="phone",
        specialism="addiction_care",
        organisation=world.addiction,
        phone="+32 16 00 00 00",
        weekday=3,
        start_time=time(13, 0),
        duration_minutes=60,
        slot_minutes=15,
        staff=[world.outsider],
    )
    with pytest.raises(ValidationError) as refused:
        book(world, hour, next_slot(hour), actor=world.referrer, phone="")
    assert "phone" in refused.value.message_dict
    book(world, hour, next_slot(hour), actor=world.referrer, phone="+32 470 00 00 00")


@pytest.mark.django_db
def test_the_public_page_reveals_nothing_about_cases_and_is_csrf_protected(
    world, smtp_sink, django_capture_on_commit_callbacks
):
    register(world, family_label="Family Secret")
    hour = video_hour(world)
    slot = next_slot(hour)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get("/meetings/consultation-hours/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Family Secret" not in html
    link = f"/meetings/consultation-hours/{hour.pk}/?start={slot.astimezone(hour.zone).isoformat()}"
    form = anonymous.get(link)
    assert form.status_code == 200
    data = {
        "starts_at": slot.astimezone(hour.zone).isoformat(),
        "name": "Ilse Janssens",
        "email": "ilse@school.example",
        "organisation_name": "Basisschool De Linde",
        "question": "A pupil talks about fights at home. What can I do?",
    }
    assert anonymous.post(link, data).status_code == 403  # no CSRF token
    data["csrfmiddlewaretoken"] = anonymous.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(link, data)
    # Post/Redirect/Get: the confirmation is a page of its own, shown once.
    assert response.status_code == 302 and response["Location"] == f"/meetings/consultation-hours/{hour.pk}/"
    shown = anonymous.get(response["Location"]).content.decode()
    assert "You are signed up" in shown and "ilse@school.example" in shown
    assert "You are signed up" not in anonymous.get(response["Location"]).content.decode()
    booking = Booking.objects.get()
    assert booking.booked_by is None and booking.anonymised and booking.email == "ilse@school.example"
    smtp_sink.wait_for(2)
    assert "ilse@school.example" in [r for env in smtp_sink.envelopes for r in env.rcpt_tos]
    assert AuditEvent.objects.filter(
        action="consultations.signed_up", actor_label="public:ilse@school.example"
    ).exists()
    # Taken now: the second visitor is told so.
    again = anonymous.post(link, {**data, "email": "other@school.example"})
    assert slot_taken_message() in again.content.decode()


@pytest.mark.django_db
def test_the_public_booking_is_rate_limited(world, settings):
    hour = video_hour(world)
    client = Client()
    path = f"/meetings/consultation-hours/{hour.pk}/"
    from ketenplan.meetings.views import consultations

    statuses = [
        client.post(path, {"question": ""}).status_code
        for _ in range(consultations.PUBLIC_POSTS_PER_WINDOW + 2)
    ]
    assert statuses[0] == 200 and statuses[-1] == 429
    from django.core.cache import cache

    cache.clear()


@pytest.mark.django_db
def test_reminders_and_advice(world, smtp_sink, django_capture_on_commit_callbacks):
    hour = video_hour(world)
    slot = next_slot(hour)
    with django_capture_on_commit_callbacks():
        booking = book(world, hour, slot)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_reminders_send(now=slot - timedelta(days=3)) == 0
        assert services.booking_reminders_send(now=slot - timedelta(hours=20)) == 1
        assert services.booking_reminders_send(now=slot - timedelta(hours=19)) == 0  # only once
    (reminder,) = smtp_sink.wait_for(1)
    assert reminder["To"] == world.team_member.email
    assert "Reminder" in reminder["Subject"]

    with pytest.raises(ValidationError):
        services.booking_advice_record(actor=world.coordinator, booking=booking, advice="Talk to her alone.")
    from django.http import Http404

    with time_machine.travel(slot + timedelta(minutes=5)):
        with pytest.raises(Http404):
            services.booking_advice_record(actor=world.referrer, booking=booking, advice="Not my hour.")
        services.booking_advice_record(actor=world.coordinator, booking=booking, advice="Talk to her alone.")
    booking.refresh_from_db()
    assert booking.advice == "Talk to her alone." and booking.advised_by == world.coordinator


@pytest.mark.django_db
def test_staff_see_the_sign_ups_others_do_not(client, world):
    hour = video_hour(world, staff=[world.team_member])
    booking = book(world, hour, next_slot(hour), actor=world.referrer)
    client.force_login(world.team_member)
    html = client.get("/meetings/consultations/sign-ups/").content.decode()
    assert "A mother hides her bruises" in html
    client.force_login(world.case_director)
    assert client.get("/meetings/consultations/sign-ups/").status_code == 403
    assert client.get(f"/meetings/consultations/sign-ups/{booking.pk}/").status_code == 403
    outsider = ProfessionalFactory(roles=[Role.PARTNER], mfa=True)
    client.force_login(outsider)
    assert client.get(f"/meetings/consultations/{hour.pk}/book/").status_code == 404  # another region


@pytest.mark.django_db(transaction=True)
def test_two_professionals_book_the_same_moment_at_once(world):
    """One wins, the other is told to choose another moment; never two bookings."""
    hour = video_hour(world)
    slot = next_slot(hour)
    people = [world.team_member, world.referrer]
    barrier = threading.Barrier(len(people))
    outcomes: dict = {}

    def attempt(person):
        try:
            barrier.wait(timeout=5)
            outcomes[person.pk] = book(world, hour, slot, actor=person)
        except ValidationError as exc:
            outcomes[person.pk] = exc.messages
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [o for o in outcomes.values() if isinstance(o, Booking)]
    losers = [o for o in outcomes.values() if not isinstance(o, Booking)]
    assert len(winners) == 1, outcomes
    assert losers == [[slot_taken_message()]], outcomes
    assert Booking.objects.filter(slot__starts_at=slot, status=Booking.Status.CONFIRMED).count() == 1
