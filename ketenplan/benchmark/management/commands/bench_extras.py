"""``manage.py bench_extras OUT.json``: the in-process measurements of the load run.

Run by ``bench/run.py`` after the load (nothing else is running then), on the bench data:

* **agenda and packets** (issue 6, target < 300 ms for a region of 10,000 cases): the
  agenda of a new team meeting of the largest region prepared (``services.agenda_prepare``)
  and the preparation packet built for every attendee (``packets.packet_for``), timed as one
  round, ``--rounds`` times after one warm-up; p50 and p95 of the round, and the queries
  of one round: a meeting tomorrow with the coordinator and a delegate of each core
  partner at the table (as ``meetings``' own ``bench_agenda``); everything is rolled back.
* **verify rate** (issue 4, target >= 1,000,000 rows a minute): the audit chain checked
  by ``audit.verification``: the whole chain up to ``--verify-rows`` rows, else the first
  ``--verify-rows`` rows of it (``verify_range``), which is the same work per row.

The audit write latency is measured by ``ketenplan.audit.bench.write_latency`` in its own
processes (``bench/run.py`` starts it).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
            f"p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms, {a['queries']} queries "
            f"(target < {TARGET_AGENDA_MS} ms)"
        )
        self.stdout.write(
            f"verify_audit: {v['rows']:,} rows in {v['seconds']} s = {v['per_minute']:,} a minute "
            f"({v['how']}; ok={v['ok']}; target >= {TARGET_VERIFY_PER_MINUTE:,})"
        )

    def agenda_and_packets(self, rounds: int, attendees: int) -> dict:
        from ketenplan.accounts.models import Organisation, Professional, Region, Role
        from ketenplan.cases.policy import WORKS_ON_CASES
        from ketenplan.meetings import services
        from ketenplan.meetings.models import Attendance, Meeting
        from ketenplan.meetings.packets import packet_for

        region = Region.objects.annotate(case_count=Count("cases")).order_by("-case_count", "pk").first()
        if region is None:
            raise CommandError("No region: generate the bench data first (bench_data).")
        staff = Professional.objects.filter(is_active=True, organisation__region=region)
        coordinator = staff.filter(role_grants__role=Role.COORDINATOR).order_by("pk").first()
        if coordinator is None:
            raise CommandError("The region has no coordinator.")
        # The coordinator and one delegate of each core partner, up to ``attendees``.
        table, seen = [coordinator], {coordinator.organisation_id}
        for professional in (
            staff.filter(organisation__ring=Organisation.Ring.CORE, role_grants__role__in=WORKS_ON_CASES)
            .order_by("organisation_id", "pk")
            .distinct()
        ):
            if len(table) >= attendees:
                break
            if professional.organisation_id not in seen:
                seen.add(professional.organisation_id)
                table.append(professional)

        def one_round(meeting):
            items = services.agenda_prepare(actor=coordinator, meeting=meeting)
            return items, [packet_for(user=p, meeting=meeting) for p in table]

        times = []
        with transaction.atomic():
            starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
            meeting = Meeting.objects.create(
                region=region, kind=Meeting.Kind.TEAM, starts_at=starts, ends_at=starts + timedelta(hours=2),
                chair=coordinator,
            )  # fmt: skip
            for professional in table:
                Attendance.objects.create(
                    meeting=meeting, professional=professional, organisation_id=professional.organisation_id,
                    confidentiality_confirmed_at=timezone.now(),
                )  # fmt: skip
            one_round(meeting)  # the first build writes the items; warms per-process caches
            for _ in range(max(1, rounds)):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    items, packets = one_round(meeting)
                    times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)  # the data set stays as it was
        return {
            "region": region.pk,
            "cases": region.case_count,
            "attendees": len(table),
            "items": len(items),
            "packets": len(packets),
            "cases_seen_per_packet": [len(p.case_ids) for p in packets],
            "rounds": len(times),
            "p50_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "queries": len(queries),
            "target_ms": TARGET_AGENDA_MS,
        }

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
