"""Dutch by default; the language switch, not the browser, chooses English."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dutch_by_default(settings):
    """The shipped default (config/settings.py); the rest of the suite runs in English."""
    settings.LANGUAGE_CODE = "nl"


def test_dutch_by_default_whatever_the_browser_asks(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


def test_the_switch_chooses_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302

    english = client.get("/accounts/login/")
    assert english["Content-Language"] == "en"
    assert "Sign In" in english.content.decode() or "Sign in" in english.content.decode()

    client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    assert client.get("/accounts/login/")["Content-Language"] == "nl"


def test_an_unknown_language_falls_back_to_dutch(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/accounts/login/")["Content-Language"] == "nl"


def test_not_found_is_a_page_of_the_site_in_the_users_language(client):
    response = client.get("/cases/999999/")  # anonymous: sign in first
    assert response.status_code == 302
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="#main"' in html and "Niet gevonden" in html


def test_dates_and_day_names_follow_the_language(client):
    """Dutch: "dinsdag 8 december 2026, 14:00"; English as read in Europe: day first,
    24-hour clock, never the American month/day order."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from ketenplan.cases.tests.factories import make_world
    from ketenplan.meetings.tests.factories import team

    brussels = ZoneInfo("Europe/Brussels")
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=brussels), tick=False):
        world = make_world()
        team(world)  # second and fourth Tuesday at 14:00: the first is 8 December
        client.force_login(world.coordinator)

        dutch = client.get("/meetings/").content.decode()
        client.cookies["django_language"] = "en"
        english = client.get("/meetings/").content.decode()

    assert "dinsdag 8 december 2026, 14:00" in dutch
    assert "Tuesday 8 December 2026, 14:00" in english


def test_short_dates_put_the_day_first_in_both_languages():
    from datetime import date, datetime

    from django.utils import formats, translation

    day = date(2026, 3, 4)
    moment = datetime(2026, 3, 4, 14, 30)
    with translation.override("nl"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "4-3-2026"
        assert formats.localize_input(1234.5) == "1234,5"
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "04/03/2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "04/03/2026 14:30"
        assert formats.time_format(moment) == "14:30"
