"""The benchmark's one query counter: how many queries a piece of work runs and their
time in the database driver, as a connection execute wrapper. Unlike Django's debug
cursor (``CaptureQueriesContext``) it neither formats each statement with its parameters
nor rounds times to whole milliseconds, so measuring costs next to nothing of what it
measures. Used by the bench middleware (``X-Bench-Queries``), ``bench_profile`` and the
agenda measurement (``meetings.bench``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.db import connections

#: Writes that a request makes now and then, not because of what it shows: an API
#: token's "last used" time, written at most every five minutes (``api.authentication``).
#: Counted apart (``QueryMeter.bookkeeping``), so that a page's queries compare across runs.
BOOKKEEPING = ('UPDATE "api_apitoken" SET "last_used_at"',)


class QueryMeter:
    __slots__ = ("bookkeeping", "queries", "seconds")

    def __init__(self):
        self.queries = 0  # all of them, bookkeeping included
        self.bookkeeping = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1
            if sql.startswith(BOOKKEEPING):
                self.bookkeeping += 1

    @property
    def page_queries(self) -> int:
        """The queries of what the request does and shows, bookkeeping left out."""
        return self.queries - self.bookkeeping


@contextmanager
def metered() -> Iterator[QueryMeter]:
    """Count the queries of every database connection inside the ``with`` block."""
    meter = QueryMeter()
    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(meter))
        yield meter
