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
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Load the URL patterns (and with them every view, form and template tag module),
    collect once, and freeze what the process holds. Call once, at the end of start-up
    (``config.wsgi``), or before measuring as a web worker would run
    (``meetings.bench``)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and the views it names
    gc.collect()
    gc.freeze()
