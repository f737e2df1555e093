"""Every routed view declares its access rule, and no page opens to the wrong visitor.

The tests walk the URL configuration itself, so a view added tomorrow is checked without
anyone remembering to write a test for it.
"""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from rest_framework.views import APIView

from ketenplan.accounts.models import Role
from ketenplan.core import policy

from .urlwalk import all_routes

# Views we did not write. They cannot carry our decorator; each is listed with the reason
# it is safe, and with what an anonymous visitor gets: "open" (a page meant for people
# who are not signed in) or "sign-in" (sent to the sign-in page).
THIRD_PARTY = {
    # allauth: signing in and the second factor.
    "account_login": ("open", "the sign-in page; lockout and MFA stage enforced by allauth"),
    "account_logout": ("open", "signing out; POST only does anything"),
    "account_inactive": ("open", "static notice for deactivated accounts"),
    "account_signup": ("open", "shows 'sign-up closed': AccountAdapter.is_open_for_signup"),
    "account_reauthenticate": ("sign-in", "asks a signed-in user for the password again"),
    "account_email": ("sign-in", "allauth's own login_required"),
    "account_email_verification_sent": ("open", "static notice"),
    "account_confirm_email": ("open", "checks a signed key from an e-mail"),
    "account_change_password": ("sign-in", "allauth's own login_required"),
    "account_set_password": ("sign-in", "allauth's own login_required"),
    "account_reset_password": ("open", "password reset request; rate limited by allauth"),
    "account_reset_password_done": ("open", "static notice"),
    "account_reset_password_from_key": ("open", "checks a signed key from an e-mail"),
    "account_reset_password_from_key_done": ("open", "static notice"),
    "account_confirm_login_code": ("open", "login by code is off; allauth answers 'not found'"),
    "mfa_index": ("sign-in", "allauth's own login_required"),
    "mfa_authenticate": ("open", "second sign-in stage; only after a correct password"),
    "mfa_reauthenticate": ("sign-in", "allauth's own login_required"),
    "mfa_activate_totp": ("sign-in", "allauth's own login_required"),
    "mfa_deactivate_totp": ("sign-in", "allauth's own login_required"),
    "mfa_view_recovery_codes": ("sign-in", "allauth's own login_required"),
    "mfa_generate_recovery_codes": ("sign-in", "allauth's own login_required"),
    "mfa_download_recovery_codes": ("sign-in", "allauth's own login_required"),
    # Django.
    "set_language": ("open", "the language switch; stores a cookie, shows no data"),
}
# Whole namespaces of third-party views.
THIRD_PARTY_NAMESPACES = {
    "admin": (
        "sign-in",
        "Django admin: staff only (is_staff = administrator role), every ModelAdmin of ours "
        "asks the policy (AdministratorOnlyAdmin); its login page is replaced by allauth's",
    ),
}

# Our own views open to anonymous visitors (``@public``), each with the reason.
PUBLIC_VIEWS = {
    "healthz": "for load balancers; says only whether the database answers",
    "accessibility": "the accessibility statement",
    "accept_invitation": "the invitee has no account yet; the secret one-time link is the key",
    "meetings:calendar_feed": "iCalendar feed; the secret in the URL is the key; meetings only, "
    "no family data; rate limited",
    "meetings:public_hours": "open consultation hours of a region and their free moments; "
    "no case data; rate limited",
    "meetings:public_book": "signing up for a consultation hour without an account; CSRF "
    "protected, rate limited, shows no case data",
}

LOGIN_PATH = resolve_url(settings.LOGIN_URL)


def third_party_entry(route):
    if route.name in THIRD_PARTY:
        return THIRD_PARTY[route.name]
    return THIRD_PARTY_NAMESPACES.get(route.namespace.split(":")[0])


def is_api_view(route) -> bool:
    return isinstance(route.view, type) and issubclass(route.view, APIView)


def own_routes():
    return [r for r in all_routes() if r.is_own]


def assert_sent_to_sign_in(client, response, path):
    """A redirect that ends, within a few hops, on the sign-in page."""
    for _hop in range(3):
        assert response.status_code == 302, (path, response.status_code)
        location = urlsplit(response["Location"])
        if location.path == LOGIN_PATH:
            return
        response = client.get(response["Location"])
    raise AssertionError(f"{path} does not lead to the sign-in page")


def test_the_walk_finds_our_views():
    names = {r.name for r in own_routes()}
    assert {"home", "healthz", "accounts:invite", "accounts:directory"} <= names


def test_every_view_of_ours_declares_an_access_rule():
    undeclared = [f"{r.route} → {r.qualname}" for r in own_routes() if not r.access_policy]
    assert undeclared == [], (
        "Decorate these views with ketenplan.core.policy.policy(...) or public:\n" + "\n".join(undeclared)
    )


def test_every_declared_rule_exists():
    known = policy.registered_actions() | {policy.PUBLIC}
    unknown = [
        f"{r.route}: {r.access_policy!r}"
        for r in own_routes()
        if r.access_policy and r.access_policy not in known
    ]
    assert unknown == []


def test_every_third_party_view_is_listed_with_a_reason():
    unlisted = [
        f"{r.route} ({r.name or 'unnamed'}) → {r.qualname}"
        for r in all_routes()
        if not r.is_own and third_party_entry(r) is None
    ]
    assert unlisted == [], "Add these to THIRD_PARTY with a reason:\n" + "\n".join(unlisted)


def test_the_allowlist_holds_no_stale_entries():
    routed = {r.name for r in all_routes()}
    assert sorted(set(THIRD_PARTY) - routed) == []


def test_public_views_are_few_and_known():
    public = {r.name or r.route for r in own_routes() if r.access_policy == policy.PUBLIC}
    unlisted = sorted(public - set(PUBLIC_VIEWS))
    assert unlisted == [], (
        "Opening a page to anonymous visitors is a decision: add these to PUBLIC_VIEWS with "
        "the reason they reveal nothing about cases or people:\n" + "\n".join(unlisted)
    )


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    checked = 0
    for route in all_routes():
        if route.is_own:
            if route.access_policy == policy.PUBLIC:
                continue
        else:
            entry = third_party_entry(route)
            if entry is None or entry[0] != "sign-in":
                continue
        assert route.sample, f"No sample path found for {route.route}; simplify the pattern"
        response = client.get(route.sample)
        if is_api_view(route):
            # JSON clients get an answer they understand, not a sign-in page.
            assert response.status_code in (401, 403), route.sample
        else:
            assert_sent_to_sign_in(client, response, route.sample)
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_a_signed_in_professional_without_the_right_is_refused(client, sign_in):
    # An analyst holds only "signed_in": every other rule must refuse them.
    analyst = sign_in(Role.ANALYST)
    checked = 0
    for route in own_routes():
        if route.access_policy in (policy.PUBLIC, None):
            continue
        if policy.can(analyst, route.access_policy):
            continue
        assert route.sample, route.route
        response = client.get(route.sample)
        assert response.status_code in (403, 404), (route.sample, response.status_code)
        checked += 1
    assert checked >= 3


def test_a_scope_is_registered_once_as_a_scope_or_as_a_condition():
    """``case.view`` is a condition rule: registering it again, either way, is refused."""
    with pytest.raises(RuntimeError):
        policy.scope_rule("case.view")(lambda user, queryset: queryset)
    with pytest.raises(RuntimeError):
        policy.condition_rule("case.view")(lambda user, ref: None)


def test_a_condition_without_a_rule_is_an_error_and_nobody_signed_out_meets_one():
    from django.contrib.auth.models import AnonymousUser

    signed_in = type("SignedIn", (), {"is_authenticated": True, "is_active": True})()
    with pytest.raises(RuntimeError):
        policy.condition(signed_in, "no.such.rule", "case")
    assert policy.condition(AnonymousUser(), "case.view", "case") == policy.NOTHING
