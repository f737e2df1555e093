"""The menu and the home page show each role exactly what it can open."""

import re

import pytest

from ketenplan.accounts.models import Role

pytestmark = pytest.mark.django_db

INVITE = "/people/invite/"
DIRECTORY = "/people/professionals/"
ADMIN = "/admin/"


def menu_links(response) -> set[str]:
    html = response.content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    return set(re.findall(r'href="([^"#]+)"', nav.group(0))) if nav else set()


def home_links(response) -> set[str]:
    html = response.content.decode()
    main = re.search(r'<main id="main".*?</main>', html, re.S)
    return set(re.findall(r'href="([^"#]+)"', main.group(0)))


def reachable_links(response) -> set[str]:
    """The menu holds the daily pages; the home page lists every page the role may open."""
    return menu_links(response) | home_links(response)


def test_a_coordinator_sees_invite(client, sign_in):
    sign_in(Role.COORDINATOR, Role.TEAM_MEMBER)
    links = reachable_links(client.get("/"))
    assert INVITE in links
    assert DIRECTORY in links
    assert ADMIN not in links


def test_a_partner_does_not_see_invite(client, sign_in):
    sign_in(Role.PARTNER)
    response = client.get("/")
    assert INVITE not in reachable_links(response)
    assert DIRECTORY in reachable_links(response)


def test_an_administrator_sees_the_administration(client, sign_in):
    sign_in(Role.ADMINISTRATOR)
    response = client.get("/")
    assert ADMIN in menu_links(response)
    assert ADMIN in home_links(response)
    assert client.get(ADMIN).status_code == 200


def test_an_analyst_sees_neither_directory_nor_invite(client, sign_in):
    sign_in(Role.ANALYST, mfa=False)
    response = client.get("/")
    links = menu_links(response) | home_links(response)
    assert response.status_code == 200
    assert DIRECTORY not in links
    assert INVITE not in links
    assert ADMIN not in links
    assert client.get(DIRECTORY).status_code == 403


def test_anonymous_visitors_get_no_menu(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert menu_links(response) == set()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_link_a_role_is_shown_opens(client, sign_in, role):
    """Nothing in the menu or on the home page leads to a refusal or a missing page."""
    sign_in(role, mfa=role != Role.ANALYST)
    home = client.get("/")
    assert home.status_code == 200
    links = {link for link in menu_links(home) | home_links(home) if link.startswith("/")}
    assert links, "the home page shows something to open"
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
