"""Audit of reads: what a request showed, recorded once, at the end of the request.

Selectors note what they hand out (``note_case``, ``note_persons``, ``note_objects``);
``AuditReadMiddleware`` writes one ``AuditEvent`` per successful read request naming the
case (or the listed objects), the persons shown and the purpose, or one "access.denied"
row when the policy refused. Views that already audit their read themselves (the dossier,
a contribution, an attachment, a meeting packet, a search) write their own row; the
middleware then adds nothing: one insert per request.

The log lives in a context variable for the duration of one request; outside a request
(tasks, commands, tests calling selectors directly) noting does nothing. Nothing is read
from the database to record a read: the purpose comes from ``viewer_participates``,
which ``cases.selectors.visible_cases`` annotates on every case it returns.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReadLog:
    case: Any = None
    purpose: str = ""
    persons: set[int] = field(default_factory=set)
    objects: dict[str, set] = field(default_factory=dict)
    audited: bool = False
    denied: int | None = None


_log: ContextVar[ReadLog | None] = ContextVar("ketenplan_read_log", default=None)


def start() -> Any:
    return _log.set(ReadLog())


def finish(token) -> None:
    _log.reset(token)


def current() -> ReadLog | None:
    return _log.get()


def purpose_of(case) -> str:
    """Emergency when the viewer sees the case only by emergency access, without a query
    when the case came from ``visible_cases`` (``viewer_participates``)."""
    from .models import AuditEvent

    participates = getattr(case, "viewer_participates", None)
    if participates is None:
        return ""
    return AuditEvent.Purpose.NORMAL if participates else AuditEvent.Purpose.EMERGENCY


def note_case(case) -> None:
    log = _log.get()
    if log is None or case is None:
        return
    if log.case is None:
        log.case = case
        log.purpose = purpose_of(case)
    elif log.case.pk != case.pk:
        log.objects.setdefault("cases.case", set()).add(case.pk)


def note_persons(person_ids) -> None:
    log = _log.get()
    if log is not None:
        log.persons.update(int(pk) for pk in person_ids if pk is not None)


def note_objects(object_type: str, ids) -> None:
    log = _log.get()
    if log is not None:
        log.objects.setdefault(object_type, set()).update(ids)


def mark_audited() -> None:
    """An audit row was written during this request (the view recorded its own read)."""
    log = _log.get()
    if log is not None:
        log.audited = True


def note_denied(status: int) -> None:
    log = _log.get()
    if log is not None and log.denied is None:
        log.denied = status
