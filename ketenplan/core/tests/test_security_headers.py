"""A strict Content-Security-Policy on every page: nothing inline, nothing from elsewhere."""

import re

import pytest

from ketenplan.accounts.models import Role

from .urlwalk import all_routes

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=\"", re.I)
EXTERNAL_ASSET = re.compile(r"<(?:script|link|img)[^>]+(?:src|href)=\"(?:https?:)?//", re.I)


def parameterless_paths():
    return sorted({r.sample for r in all_routes() if r.sample and not r.has_parameters})


def assert_strict_csp(response, path):
    header = response.get("Content-Security-Policy")
    assert header, f"{path}: no Content-Security-Policy"
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert "unsafe-inline" not in header, path
    assert "unsafe-eval" not in header, path
    assert directives["default-src"] == "'self'", path
    assert directives.get("script-src", "'self'") == "'self'", path
    assert directives["frame-ancestors"] == "'none'", path
    assert directives["object-src"] == "'none'", path
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"{path}: inline script"
        assert not INLINE_STYLE.search(html), f"{path}: inline style"
        assert not INLINE_HANDLER.search(html), f"{path}: inline event handler"
        assert not EXTERNAL_ASSET.search(html), f"{path}: asset from another site"


def test_the_walk_covers_the_pages():
    paths = parameterless_paths()
    assert {"/", "/accounts/login/", "/people/invite/", "/admin/"} <= set(paths)


def test_every_page_sends_a_strict_csp_to_anonymous_visitors(client):
    for path in parameterless_paths():
        assert_strict_csp(client.get(path), path)


def test_every_page_sends_a_strict_csp_when_signed_in(client, sign_in):
    sign_in(*[role for role in Role if role != Role.ANALYST])
    checked_html = 0
    for path in parameterless_paths():
        if path.startswith("/accounts/logout"):
            continue
        response = client.get(path)
        assert_strict_csp(response, path)
        checked_html += response.status_code == 200
    assert checked_html >= 10


def test_error_pages_send_the_header_too(client, sign_in):
    assert_strict_csp(client.get("/no-such-page/"), "/no-such-page/")
    sign_in(Role.PARTNER)
    refused = client.get("/people/invite/")
    assert refused.status_code == 403
    assert_strict_csp(refused, "/people/invite/ (refused)")
