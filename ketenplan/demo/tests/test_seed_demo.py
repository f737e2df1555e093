"""The demo region: realistic, clearly fictional, complete, and never in production.

The region is seeded once for this module (``conftest.demo_db``); the demo cases have
their own module, ``test_demo_cases.py``. Its meetings, crisis consultation, escalation
and consultation hours are tested here, on the same seed.
"""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional, Role
from ketenplan.accounts.tests.factories import totp_code
from ketenplan.accounts.tests.helpers import MFA_AUTHENTICATE, post_password, signed_in_user_id
from ketenplan.cases.models import Case
from ketenplan.demo import region as demo
from ketenplan.demo.meetings import notifications_held_back
from ketenplan.meetings.models import (
    AgendaItem,
    Attendance,
    Booking,
    ConsultationHour,
    Decision,
    Escalation,
    Meeting,
    MinutesVersion,
)
from ketenplan.meetings.selectors import actions_to_review


def test_the_demo_region_has_both_rings_and_every_role(seeded):
    organisations = Organisation.objects.filter(region=seeded)
    professionals = Professional.objects.filter(organisation__region=seeded)

    assert 12 <= organisations.count() <= 20
    assert {o.ring for o in organisations} == set(Organisation.Ring.values)
    assert organisations.filter(is_coordination_point=True).count() == 1
    assert organisations.filter(agreement_signed_on__isnull=True).exists()
    assert professionals.count() == 25
    held = set().union(*(p.roles for p in professionals))
    assert held == set(Role.values)
    # Clearly fictional: e-mail only under the reserved .example domain.
    assert all(p.email.endswith(".example") for p in professionals)


def test_demo_users_who_need_a_second_factor_have_one(seeded):
    for professional in Professional.objects.filter(organisation__region=seeded):
        enrolled = Authenticator.objects.filter(user=professional, type=Authenticator.Type.TOTP).exists()
        assert enrolled == professional.requires_mfa, professional.email


def test_a_demo_user_signs_in_with_the_printed_password_and_code(seeded, fresh_totp_period):
    coordinator = Professional.objects.filter(
        organisation__region=seeded, role_grants__role=Role.COORDINATOR
    ).first()
    client = Client()

    response = post_password(client, coordinator.email, demo.DEMO_PASSWORD)
    assert response["Location"] == MFA_AUTHENTICATE
    client.post(MFA_AUTHENTICATE, {"code": totp_code(demo.DEMO_TOTP_SECRET)})

    assert signed_in_user_id(client) == str(coordinator.pk)
    assert client.get("/people/invite/").status_code == 200


def test_seeding_twice_changes_nothing(seeded):
    models = (Organisation, Professional, Case, Meeting, Escalation, Booking)

    def counts():
        return tuple(model.objects.count() for model in models)

    before = counts()
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert counts() == before
    assert "nothing changed" in out.getvalue()


def test_seed_demo_refuses_in_production_even_when_the_region_exists(seeded, settings):
    settings.PRODUCTION = True
    before = Case.objects.count()

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert Case.objects.count() == before


def test_demo_logins_show_password_secret_and_a_valid_code(seeded):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()

    assert demo.DEMO_PASSWORD in text
    assert demo.DEMO_TOTP_SECRET in text
    assert "make totp" in text
    assert text.count("@") == 25
    codes = {totp_code(demo.DEMO_TOTP_SECRET, offset) for offset in (-1, 0, 1)}
    assert any(code in text for code in codes)
    assert f"{Case.objects.count()} demo cases" in text


# --- Meetings, crisis consultation, escalation, consultation hours ----------------------------


def coordinator_of(region) -> Professional:
    return Professional.objects.get(email=f"annelies.vermeulen@{demo.ORGANISATIONS['fjc'][5]}")


def team_meetings(region):
    return Meeting.objects.filter(region=region, kind=Meeting.Kind.TEAM)


def test_the_next_team_meeting_has_an_agenda_built_from_the_demo_cases_and_a_packet(seeded, client):
    coordinator = coordinator_of(seeded)
    meeting = team_meetings(seeded).filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    items = list(meeting.agenda_items.filter(removed_at__isnull=True).order_by("position"))

    assert meeting.chair == coordinator and meeting.agenda_prepared_at is not None
    assert len(items) >= 10
    assert items[0].kind == AgendaItem.Kind.ESCALATION and items[0].urgent
    assert {i.kind for i in items} >= {
        AgendaItem.Kind.ADMISSIBILITY,
        AgendaItem.Kind.INTAKE,
        AgendaItem.Kind.WEIGHING,
        AgendaItem.Kind.PLAN,
        AgendaItem.Kind.EVALUATION,
        AgendaItem.Kind.LATE_ACTIONS,
        AgendaItem.Kind.TOPIC,
    }
    statuses = dict(meeting.attendances.values_list("professional__email", "status"))
    assert list(statuses.values()).count(Attendance.Status.APOLOGISED) == 1
    assert list(statuses.values()).count(Attendance.Status.EXPECTED) >= 9

    client.force_login(coordinator)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    confirmed = client.post(f"/meetings/{meeting.pk}/confidentiality/", {"confirm": "yes"})
    assert confirmed["Location"] == f"/meetings/{meeting.pk}/packet/"
    packet = client.get(f"/meetings/{meeting.pk}/packet/")
    assert packet.status_code == 200
    assert items[1].case.family_label in packet.content.decode()


def test_the_last_team_meeting_has_minutes_approved_by_the_chair_with_an_action(seeded, client):
    now = timezone.now()
    last = team_meetings(seeded).filter(ends_at__lt=now).get()
    minutes = last.minutes_versions.get()
    decisions = list(minutes.decisions.all())

    assert last.status == Meeting.Status.HELD
    assert minutes.status == MinutesVersion.Status.APPROVED and minutes.approved_by == last.chair
    assert last.starts_at < minutes.approved_at < minutes.sent_at < now
    assert len(decisions) >= 3 and all(last.starts_at <= d.recorded_at <= last.ends_at for d in decisions)
    action = next(d.action for d in decisions if d.kind == Decision.Kind.ACTION)
    assert action.created_at < now - timedelta(days=1)
    assert last.attendances.filter(status=Attendance.Status.PRESENT).count() >= 9
    assert last.attendances.filter(status=Attendance.Status.APOLOGISED).count() == 1
    # The next meeting reviews the action agreed at this one.
    upcoming = team_meetings(seeded).filter(starts_at__gt=now).order_by("starts_at").first()
    assert action in actions_to_review(meeting=upcoming)

    client.force_login(coordinator_of(seeded))
    page = client.get(f"/meetings/{last.pk}/minutes/")
    assert page.status_code == 200
    assert action.description in page.content.decode()


def test_a_crisis_consultation_was_held_and_an_escalation_waits_on_the_board(seeded, client):
    crisis = Meeting.objects.get(region=seeded, kind=Meeting.Kind.CRISIS)
    escalation = Escalation.objects.get(region=seeded)

    assert crisis.status == Meeting.Status.HELD and crisis.ends_at < timezone.now()
    assert crisis.outcome and crisis.outcome_recorded_at > crisis.starts_at
    assert crisis.attendances.filter(role=Attendance.Role.INVITED).count() >= 3
    assert escalation.status == Escalation.Status.OPEN
    assert escalation.kind == Escalation.Kind.BLOCKED_ACTION and escalation.action.is_overdue
    assert escalation.raised_by == escalation.case.case_director

    client.force_login(coordinator_of(seeded))
    board = client.get("/board/")
    assert board.status_code == 200
    assert f"/meetings/escalations/{escalation.pk}/" in board.content.decode()
    assert client.get(f"/meetings/{crisis.pk}/").status_code == 200


def test_consultation_hours_are_staffed_with_sign_ups_ahead_and_advice_given(seeded, client):
    hours = ConsultationHour.objects.filter(region=seeded, is_active=True)
    ahead = Booking.objects.filter(
        slot__hour__region=seeded, slot__starts_at__gt=timezone.now(), status=Booking.Status.CONFIRMED
    )

    assert hours.filter(kind=ConsultationHour.Kind.VIDEO).count() >= 2
    assert hours.filter(kind=ConsultationHour.Kind.PHONE).exclude(specialism="").exists()
    assert all(hour.staff.exists() for hour in hours)
    assert ahead.count() >= 2 and all(b.anonymised and b.booked_by for b in ahead)
    assert Booking.objects.filter(slot__starts_at__lt=timezone.now()).exclude(advice="").exists()

    booking = ahead.first()
    client.force_login(booking.booked_by)
    page = client.get("/meetings/consultations/")
    assert page.status_code == 200
    client.force_login(coordinator_of(seeded))
    assert client.get("/meetings/consultations/sign-ups/").status_code == 200


def test_loading_the_demo_sends_no_email(seeded, mailoutbox):
    from ketenplan.meetings.tasks import send_escalation_notice

    escalation = Escalation.objects.get(region=seeded)
    with notifications_held_back():
        send_escalation_notice.enqueue(escalation.pk)  # the tests' backend would send it now

    assert mailoutbox == []
