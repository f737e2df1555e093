"""The bench-only query counter: ``X-Bench-Queries`` (the page's queries),
``X-Bench-Bookkeeping`` (the occasional writes counted apart, ``meter.BOOKKEEPING``) and
``X-Bench-Ms`` on every response.

Installed only by ``ketenplan.benchmark.settings`` (the bench sets
``DJANGO_SETTINGS_MODULE`` to it); never in the normal settings. Outermost, so the
session, authentication and MFA queries count too.
"""

import time

from .meter import metered


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        with metered() as meter:
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(meter.page_queries)
        response["X-Bench-Bookkeeping"] = str(meter.bookkeeping)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response
