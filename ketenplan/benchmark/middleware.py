"""The bench-only query counter: ``X-Bench-Queries`` and ``X-Bench-Ms`` on every response.

Installed only by ``ketenplan.benchmark.settings`` (the bench sets
``DJANGO_SETTINGS_MODULE`` to it); never in the normal settings. Outermost, so the
session, authentication and MFA queries count too.
"""

import time

from django.db import connections


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = [0]

        def count(execute, sql, params, many, context):
            counter[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        wrappers = [c.execute_wrapper(count) for c in connections.all()]
        for w in wrappers:
            w.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for w in reversed(wrappers):
                w.__exit__(None, None, None)
        response["X-Bench-Queries"] = str(counter[0])
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response
