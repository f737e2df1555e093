"""A long-running process settles before it serves: what every request needs is loaded
once, then frozen out of the garbage collector's full collections.

CPython's full (oldest-generation) collection walks every object the process holds; in
a web worker that is mostly what never becomes garbage: modules, URL patterns, views,
forms, translations (about 90,000 objects, 35-45 ms per collection on the bench machine).
Such a collection comes every few hundred requests, at a random one, and is the long
tail of every page's latency. ``gc.freeze()`` moves what exists now into a permanent
generation that collections no longer walk (the approach Instagram described for
Django, in the Python documentation of ``gc.freeze``); what requests create is collected
as before.

The collector also runs less often (``THRESHOLDS``): by default its youngest generation
is collected every 700 allocations of container objects, dozens of times in a request
that reads a few thousand rows (a coordinator's preparation packet), each time walking
what the request holds so far; almost all of it is freed by reference counting anyway.
Measured on the agenda and packets of a region (issue 6, ``bench_agenda``, one host):
p50 265 -> 236 ms, p95 about 330 -> 265 ms; a worker's memory stays well under its
250 MB budget (only reference cycles wait longer to be freed; gunicorn's
``--max-requests`` is the backstop, docs/deployment.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Youngest generation every 50,000 allocations (default 700); the older ones after 20
#: and 100 collections of the one below (default 10 and 10).
THRESHOLDS = (50_000, 20, 100)


def settle() -> None:
    """Load the URL patterns (and with them every view, form and template tag module),
    collect once, freeze what the process holds, and set the collector's thresholds
    (``THRESHOLDS``). Call once, at the end of start-up
    (``config.wsgi``), or before measuring as a web worker would run
    (``meetings.bench``)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and the views it names
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def settled() -> Iterator[None]:
    """``settle`` for a measurement inside a process that goes on afterwards (a test, a
    management command): the collector's thresholds and frozen objects are given back at
    the end, so that nothing after it runs with a web worker's settings."""
    thresholds = gc.get_threshold()
    settle()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
