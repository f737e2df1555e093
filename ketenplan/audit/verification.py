"""Verification of the audit trail: every content hash, every link, the ends of the chain.

Reads plain tuples (``values_list``) in keyset pages, never model instances, so that it
checks well over a million rows a minute. On PostgreSQL it reads one consistent snapshot
(``REPEATABLE READ``) while writers and the sealer carry on.

What each finding means:

* **content altered**: the row's content no longer matches the content hash taken at
  insert.
* **chain hash does not match**: the content hash or the row id was rewritten, or the
  row is a forgery that claims a place in the chain.
* **prev_hash does not match**: the link to the previous row is broken: a row before it
  was removed, a row was inserted, or the chain was rewritten from there.
* **sealed beyond the chain head** / **chain ends before its head**: rows were added at,
  or removed from, the end of the chain.
* **sealed after later events** (backdated): a row whose time is well before rows sealed
  earlier was inserted late with a false time; the sealer seals within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from . import guards, hashing
from .models import AuditChainHead, AuditCheckpoint, AuditEvent

PAGE_SIZE = 20_000
DEFAULT_LATE_SEAL_TOLERANCE = timedelta(hours=1)

_COLUMNS = (
    "chain_seq",
    "id",
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "roles",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "ip",
    "content_hash",
    "prev_hash",
    "chain_hash",
)


@dataclass(frozen=True)
class Problem:
    event_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.event_id is not None:
            where.append(f"event id {self.event_id}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        return f"{', '.join(where) or 'audit trail'}: {self.message}"


@dataclass
class Report:
    sealed: int = 0
    unsealed: int = 0
    oldest_unsealed: datetime | None = None
    head_seq: int = 0
    head_hash: str = hashing.GENESIS_HASH
    first_seq: int | None = None
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    protection: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.protection

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def rows(self) -> int:
        return self.sealed + self.unsealed


def _pages(queryset, key: str, key_index: int, page_size: int) -> Iterator[tuple]:
    """Rows of ``queryset`` ordered by ``key`` (column ``key_index``), in keyset pages."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        rows = list(page.order_by(key)[:page_size].iterator(chunk_size=page_size))
        if not rows:
            return
        yield from rows
        if len(rows) < page_size:
            return
        last = rows[-1][key_index]


def _rows(queryset):
    return queryset.values_list(*_COLUMNS, Cast("detail", output_field=TextField()))


def _content_hash(row) -> str:
    # row: chain_seq, id, at, actor_id, ..., ip (11), hashes (12-14), detail text (15)
    return hashing.content_digest_of(*row[2:12], row[15])


class _ChainWalker:
    """Checks sealed rows in chain order; one problem per broken row."""

    def __init__(self, *, prev_hash: str | None, expected_seq: int | None, tolerance: timedelta,
                 checkpoints: dict[int, AuditCheckpoint] | None = None):  # fmt: skip
        self.prev_hash = prev_hash
        self.expected_seq = expected_seq
        self.tolerance = tolerance
        self.checkpoints = checkpoints or {}
        self.latest_at: datetime | None = None
        self.last_seq: int | None = None
        self.last_hash: str | None = None
        self.count = 0

    def check(self, row) -> Problem | None:
        seq, event_id, at = row[0], row[1], row[2]
        content_hash, prev_hash, chain_hash = row[12], row[13], row[14]
        wrong = []
        if _content_hash(row) != content_hash:
            wrong.append("content altered: it does not match its content hash")
        if self.expected_seq is not None and seq != self.expected_seq:
            wrong.append(
                f"expected seq {self.expected_seq} here: {seq - self.expected_seq} event(s) "
                "before it were removed"
                if seq > self.expected_seq
                else f"expected seq {self.expected_seq} here"
            )
        if self.prev_hash is not None and prev_hash != self.prev_hash:
            wrong.append(
                "prev_hash does not match the chain hash of the event before it: an event "
                "was removed or inserted before it, or the chain was rewritten"
            )
        if hashing.link_digest(prev_hash, content_hash, event_id) != chain_hash:
            wrong.append(
                "chain hash does not match its content hash and link: content hash or id "
                "rewritten, or a forged row"
            )
        if self.latest_at is not None and at < self.latest_at - self.tolerance:
            wrong.append(
                f"recorded at {at.isoformat()} but sealed after events of "
                f"{self.latest_at.isoformat()}: inserted late with a backdated time"
            )
        checkpoint = self.checkpoints.get(seq)
        if checkpoint is not None and checkpoint.chain_hash != chain_hash:
            wrong.append(f"does not match the retention checkpoint for seq {seq}")
        self.prev_hash = chain_hash
        self.expected_seq = seq + 1
        self.last_seq, self.last_hash = seq, chain_hash
        if self.latest_at is None or at > self.latest_at:
            self.latest_at = at
        self.count += 1
        return Problem(event_id, seq, "; ".join(wrong)) if wrong else None


def _tolerance() -> timedelta:
    seconds = getattr(settings, "AUDIT_LATE_SEAL_TOLERANCE_SECONDS", None)
    return DEFAULT_LATE_SEAL_TOLERANCE if seconds is None else timedelta(seconds=seconds)


def verify_range(*, first_seq: int, last_seq: int, prev_hash: str) -> list[Problem]:
    """The problems of the sealed events ``first_seq``..``last_seq`` (used before pruning)."""
    walker = _ChainWalker(prev_hash=prev_hash, expected_seq=first_seq, tolerance=_tolerance())
    problems = []
    rows = _rows(AuditEvent.objects.filter(chain_seq__gte=first_seq, chain_seq__lte=last_seq))
    for row in _pages(rows, "chain_seq", 0, PAGE_SIZE):
        problem = walker.check(row)
        if problem:
            problems.append(problem)
    if walker.last_seq != last_seq:
        problems.append(Problem(None, last_seq, "the events up to it are not all there"))
    return problems


def verify(
    *,
    page_size: int = PAGE_SIZE,
    max_problems: int = 100,
    retention_days: int | None = None,
    anchors: dict[int, str] | None = None,
) -> Report:
    """Check the whole audit trail; the report lists the problems, first one first."""
    started = time.monotonic()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            report = _verify(page_size, max_problems, retention_days, anchors or {})
    else:
        report = _verify(page_size, max_problems, retention_days, anchors or {})
    report.seconds = time.monotonic() - started
    return report


def _verify(page_size, max_problems, retention_days, anchors) -> Report:
    report = Report()
    problems: list[Problem] = []

    def add(problem: Problem) -> None:
        report.problem_count += 1
        if len(problems) < max_problems:
            problems.append(problem)

    report.protection = guards.problems(connection)
    tolerance = _tolerance()
    days = settings.AUDIT_RETENTION_DAYS if retention_days is None else retention_days

    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    report.head_seq = head_seq
    report.head_hash = head.chain_hash if head else hashing.GENESIS_HASH

    checkpoints = {cp.through_seq: cp for cp in AuditCheckpoint.objects.all()}
    report.checkpoints = len(checkpoints)
    for cp in sorted(checkpoints.values(), key=lambda cp: cp.through_seq):
        if cp.through_at > cp.created_at - timedelta(days=days):
            add(Problem(cp.through_event_id, cp.through_seq,
                        f"retention checkpoint of {cp.created_at:%Y-%m-%d} removed events younger "
                        f"than the retention period of {days} days"))  # fmt: skip
        if cp.through_seq > head_seq:
            add(Problem(cp.through_event_id, cp.through_seq, "retention checkpoint beyond the chain head"))

    # Sealed rows, in chain order, up to the head read above.
    walker = _ChainWalker(prev_hash=None, expected_seq=None, tolerance=tolerance, checkpoints=checkpoints)
    sealed = _rows(AuditEvent.objects.filter(chain_seq__isnull=False, chain_seq__lte=head_seq))
    for row in _pages(sealed, "chain_seq", 0, page_size):
        if walker.count == 0:
            seq = row[0]
            report.first_seq = seq
            if seq == 1:
                walker.prev_hash, walker.expected_seq = hashing.GENESIS_HASH, 1
            elif seq - 1 in checkpoints:
                walker.prev_hash, walker.expected_seq = checkpoints[seq - 1].chain_hash, seq
            else:
                add(Problem(row[1], seq,
                            f"the {seq - 1} event(s) before it were removed without a retention "
                            "checkpoint"))  # fmt: skip
        problem = walker.check(row)
        if problem:
            add(problem)
        if row[0] in anchors and anchors[row[0]] != row[14]:
            add(Problem(row[1], row[0], "does not match the anchor recorded outside the database"))
    report.sealed = walker.count

    # The ends of the chain. The maximum is read before the head: the sealer moves both
    # in one transaction, so a sealed row beyond a head read afterwards is a forgery.
    latest = checkpoints[max(checkpoints)] if checkpoints else None
    if walker.count == 0:
        all_pruned = latest and (latest.through_seq, latest.chain_hash) == (head_seq, report.head_hash)
        if head_seq and not all_pruned:
            add(Problem(head.last_event_id, head_seq,
                        "the chain head names sealed events that are all gone"))  # fmt: skip
    elif walker.last_seq != head_seq:
        add(Problem(head.last_event_id if head else None, head_seq or None,
                    f"the chain ends at seq {walker.last_seq} but its head says {head_seq}: "
                    "events at the end were removed"))  # fmt: skip
    elif walker.last_hash != report.head_hash:
        add(Problem(head.last_event_id if head else None, head_seq,
                    "the chain's last hash does not match its head: the chain was rewritten"))  # fmt: skip
    beyond_seq = (
        AuditEvent.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
        .values_list("chain_seq", "id").first()
    )  # fmt: skip
    current_head = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if beyond_seq and beyond_seq[0] > max(current_head, head_seq):
        add(Problem(beyond_seq[1], beyond_seq[0], "sealed beyond the chain head: a forged row"))
    if head is None and (walker.count or beyond_seq):
        add(Problem(None, None, "the chain head is missing"))
    for seq, anchored_hash in anchors.items():
        if seq in checkpoints and checkpoints[seq].chain_hash != anchored_hash:
            add(Problem(None, seq, "the retention checkpoint does not match the anchor"))
        elif seq > head_seq:
            add(Problem(None, seq, "an anchor lies beyond the chain head: the chain was cut back"))

    # Unsealed rows: their content only (they have no place in the chain yet).
    latest_at = walker.latest_at
    unsealed = _rows(AuditEvent.objects.filter(chain_seq__isnull=True))
    for row in _pages(unsealed, "id", 1, page_size):
        report.unsealed += 1
        event_id, at = row[1], row[2]
        wrong = []
        if _content_hash(row) != row[12]:
            wrong.append("content altered: it does not match its content hash")
        if row[13] or row[14]:
            wrong.append("has chain hashes but no place in the chain: a forged row")
        if latest_at is not None and at < latest_at - tolerance:
            wrong.append(f"recorded at {at.isoformat()}, long before events already sealed: backdated")
        if report.oldest_unsealed is None or at < report.oldest_unsealed:
            report.oldest_unsealed = at
        if wrong:
            add(Problem(event_id, None, "; ".join(wrong)))

    report.problems = problems
    return report
