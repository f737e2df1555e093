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
