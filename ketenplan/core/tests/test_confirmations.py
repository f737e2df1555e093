"""Destructive or irreversible steps need a confirmation the server checks: without
``confirmed=yes`` the POST only answers with a confirmation page and changes nothing;
with it, the step is carried out (and answered with a redirect)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.api import services as api_services
from ketenplan.api.models import ApiToken
from ketenplan.cases.models import Case, Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.meetings import services as meeting_services
from ketenplan.meetings.models import CalendarFeed, Meeting
from ketenplan.meetings.tests.factories import team

CONFIRMED = {"confirmed": "yes"}


def asked(response) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and 'name="confirmed" value="yes"' in html


@pytest.mark.django_db
def test_the_confirmation_page_posts_the_same_fields_again(rf: RequestFactory):
    request = rf.post(
        "/cases/1/steps/close/?x=1",
        {"outcome": "goals_met", "goal": ["1", "2"], "csrfmiddlewaretoken": "t", "confirmed": "no"},
        HTTP_REFERER="https://evil.example/",
    )
    request.user = ProfessionalFactory()
    assert not is_confirmed(request)
    html = confirmation_page(request, "Close the case?", cancel_url=None).content.decode()
    assert 'action="/cases/1/steps/close/?x=1"' in html
    assert html.count('name="goal"') == 2 and 'name="outcome" value="goals_met"' in html
    assert 'value="t"' not in html and 'name="confirmed" value="no"' not in html
    assert 'href="/"' in html  # a foreign referer is no way back
    assert "Close the case?" in html


def test_with_javascript_the_native_question_sends_the_confirmation():
    script = Path(settings.BASE_DIR, "static/ketenplan/ketenplan.js").read_text()
    assert 'input.name = "confirmed"' in script and 'input.value = "yes"' in script


@pytest.mark.django_db
def test_revoking_an_api_token(client, sign_in):
    user = sign_in(Role.PARTNER)
    api_services.api_token_create(actor=user, name="Case system", valid_days=30)
    token = ApiToken.objects.get(professional=user)
    url = f"/api/tokens/{token.pk}/revoke/"

    assert asked(client.post(url))
    token.refresh_from_db()
    assert token.revoked_at is None

    assert client.post(url, CONFIRMED).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_revoking_the_calendar_link(client, sign_in):
    user = sign_in(Role.PARTNER)
    meeting_services.calendar_feed_create(actor=user)

    assert asked(client.post("/meetings/calendar/", {"action": "revoke"}))
    assert CalendarFeed.objects.filter(professional=user, revoked_at__isnull=True).exists()

    assert client.post("/meetings/calendar/", {"action": "revoke", **CONFIRMED}).status_code == 302
    assert not CalendarFeed.objects.filter(professional=user, revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_cancelling_a_meeting(client):
    world = make_world()
    meeting = team(world).meetings.order_by("starts_at").first()
    client.force_login(world.coordinator)

    assert asked(client.post(f"/meetings/{meeting.pk}/cancel/"))
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED

    assert client.post(f"/meetings/{meeting.pk}/cancel/", CONFIRMED).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED


@pytest.mark.django_db
def test_closing_a_case(client):
    world = make_world()
    case = case_at(world, Stage.EXECUTION)
    client.force_login(world.case_director)
    url = f"/cases/{case.pk}/steps/close/"
    data = {
        "version": case.version,
        "outcome": "goals_met",
        "note": "Goals met.",
        "follow_up_on": (timezone.localdate() + timedelta(days=180)).isoformat(),
    }

    response = client.post(url, data)
    assert asked(response)
    assert Case.objects.get(pk=case.pk).stage == Stage.EXECUTION

    response = client.post(url, {**data, **CONFIRMED})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED


@pytest.mark.django_db
def test_an_outsider_gets_no_confirmation_page_but_not_found(client):
    world = make_world()
    case = case_at(world, Stage.EXECUTION)
    client.force_login(make_world().coordinator)
    response = client.post(
        f"/cases/{case.pk}/steps/close/", {"version": case.version, "outcome": "goals_met"}
    )
    assert response.status_code == 404
