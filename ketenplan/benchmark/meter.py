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


class QueryMeter:
    __slots__ = ("queries", "seconds")

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


@contextmanager
def metered() -> Iterator[QueryMeter]:
    """Count the queries of every database connection inside the ``with`` block."""
    meter = QueryMeter()
    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(meter))
        yield meter
