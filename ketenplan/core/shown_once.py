"""Post/Redirect/Get for a result that is shown once (a new token, a new calendar link,
a public sign-up): the POST keeps it in the server-side session and redirects, the GET
takes it out and shows it. Reloading or going back shows it no more and never repeats
the write. The session lives in the database (settings), not in a cookie, and the value
is removed on the first read."""

from __future__ import annotations

from django.http import HttpRequest

_PREFIX = "shown_once:"


def keep(request: HttpRequest, key: str, value) -> None:
    request.session[_PREFIX + key] = value


def take(request: HttpRequest, key: str, default=None):
    return request.session.pop(_PREFIX + key, default)
