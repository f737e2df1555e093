"""``manage.py bench_extras OUT.json``: the in-process measurements of the load run.

Run by ``bench/run.py`` after the load (nothing else is running then), on the bench data:

* **agenda and packets** (issue 6, target < 300 ms for a region of 10,000 cases):
  ``ketenplan.meetings.bench.measure``, the one implementation that ``bench_agenda`` prints
  too: the agenda of a new team meeting of the largest region rebuilt
  (``services.agenda_prepare``) and the preparation packet built for every attendee
  (``packets.packet_for``), timed as one round, ``--rounds`` times after one warm-up; p50
  and p95 of the round, its CPU time, per-phase figures and the queries of one round;
  everything is rolled back.
* **verify rate** (issue 4, target >= 1,000,000 rows a minute): the audit chain checked
  by ``audit.verification``: the whole chain up to ``--verify-rows`` rows, else the first
  ``--verify-rows`` rows of it (``verify_range``), which is the same work per row.

The audit write latency is measured by ``ketenplan.audit.bench.write_latency`` in its own
processes (``bench/run.py`` starts it).
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketenplan.audit.hashing import GENESIS_HASH
from ketenplan.audit.models import AuditChainHead, AuditEvent
from ketenplan.audit.verification import verify, verify_range

TARGET_AGENDA_MS = 300
TARGET_VERIFY_PER_MINUTE = 1_000_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


class Command(BaseCommand):
    help = "Agenda + packets timing and the verify_audit rate on the bench data (bench only)."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--attendees", type=int, default=8)
        parser.add_argument("--verify-rows", type=int, default=2_000_000)

    def handle(self, *args, out, rounds, attendees, verify_rows, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_extras refuses in production mode.")
        result = {
            "agenda_and_packets": self.agenda_and_packets(rounds, attendees),
            "verify": self.verify_rate(verify_rows),
        }
        with open(out, "w") as f:
            json.dump(result, f, indent=2)
        a, v = result["agenda_and_packets"], result["verify"]
        self.stdout.write(
            f"agenda + {a['packets']} packets ({a['cases']:,} cases, {a['items']} items): "
            f"p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms (CPU p50 {a['cpu_p50_ms']} ms), "
            f"{a['queries']} queries "
            f"(target < {TARGET_AGENDA_MS} ms)"
        )
        self.stdout.write(
            f"verify_audit: {v['rows']:,} rows in {v['seconds']} s = {v['per_minute']:,} a minute "
            f"({v['how']}; ok={v['ok']}; target >= {TARGET_VERIFY_PER_MINUTE:,})"
        )

    def agenda_and_packets(self, rounds: int, attendees: int) -> dict:
        from ketenplan.meetings.bench import NoBenchData, measure

        try:
            return measure(rounds=rounds, attendees=attendees)
        except NoBenchData as e:
            raise CommandError(str(e)) from e

    def verify_rate(self, limit: int) -> dict:
        head = AuditChainHead.objects.filter(pk=1).first()
        sealed = head.seq if head else 0
        if sealed <= limit:
            report = verify()
            rows, seconds, ok, how = report.rows, report.seconds, report.ok, "the whole chain"
        else:
            first = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("chain_seq").first()
            prev = first.prev_hash if first else GENESIS_HASH
            start_seq = first.chain_seq if first else 1
            started = time.monotonic()
            with transaction.atomic():
                problems = verify_range(first_seq=start_seq, last_seq=start_seq + limit - 1, prev_hash=prev)
            seconds = time.monotonic() - started
            rows, ok = limit, not problems
            how = f"the first {limit:,} of {sealed:,} sealed rows"
        return {
            "rows": rows,
            "seconds": round(seconds, 1),
            "per_minute": round(rows / seconds * 60) if seconds else 0,
            "ok": ok,
            "how": how,
            "target_per_minute": TARGET_VERIFY_PER_MINUTE,
        }
