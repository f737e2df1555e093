"""Time building the agenda and the preparation packets of one team meeting on the bench
data set (issue 6: under 300 ms for a region of 10,000 cases; a benchmark, not a timed
test). Run it after ``bench_data``; everything it writes (a meeting, its attendance and
agenda, the audit rows) is rolled back, so the data set stays as it was.

    python manage.py bench_agenda [--region ID] [--repeat 5] [--attendees 8] [--json]
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional, Region, Role
from ketenplan.cases.policy import WORKS_ON_CASES
from ketenplan.meetings import agenda, services
from ketenplan.meetings.models import Attendance, Meeting
from ketenplan.meetings.packets import packet_for

#: The issue's target for the agenda and a packet, in milliseconds.
TARGET_MS = 300


def _timed(fn, repeat: int) -> tuple[float, int, object]:
    """Median wall time in ms over ``repeat`` runs, the queries of one run, the last result."""
    times, result, queries = [], None, 0
    for _ in range(max(1, repeat)):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), queries, result


class Command(BaseCommand):
    help = "Time the agenda and the preparation packets of a team meeting (bench data only; rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--region", type=int, help="region id (default: the one with most cases)")
        parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
        parser.add_argument("--attendees", type=int, default=8, help="core partners at the table")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the results as JSON")

    def handle(self, *args, region=None, repeat=5, attendees=8, as_json=False, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_agenda refuses in production mode.")
        regions = Region.objects.annotate(case_count=Count("cases")).order_by("-case_count", "pk")
        chosen = regions.filter(pk=region).first() if region else regions.first()
        if chosen is None:
            raise CommandError("No such region; generate the bench data first (bench_data).")
        professionals = Professional.objects.filter(is_active=True, organisation__region=chosen)
        coordinator = professionals.filter(role_grants__role=Role.COORDINATOR).order_by("pk").first()
        if coordinator is None:
            raise CommandError("The region has no coordinator.")
        table = [coordinator]
        seen_organisations = {coordinator.organisation_id}
        for professional in (
            professionals.filter(
                organisation__ring=Organisation.Ring.CORE, role_grants__role__in=WORKS_ON_CASES
            )
            .exclude(organisation_id__in=seen_organisations)
            .order_by("organisation_id", "pk")
            .distinct()
        ):
            if len(table) > attendees:
                break
            if professional.organisation_id in seen_organisations:
                continue
            seen_organisations.add(professional.organisation_id)
            table.append(professional)

        results = {"region": chosen.pk, "cases": chosen.case_count, "target_ms": TARGET_MS}
        with transaction.atomic():
            starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
            meeting = Meeting.objects.create(
                region=chosen,
                kind=Meeting.Kind.TEAM,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                chair=coordinator,
            )
            for professional in table:
                Attendance.objects.create(
                    meeting=meeting,
                    professional=professional,
                    organisation_id=professional.organisation_id,
                    confidentiality_confirmed_at=timezone.now(),
                )
            ms, queries, proposals = _timed(lambda: agenda.propose(meeting), repeat)
            results["propose"] = {"ms": round(ms, 1), "queries": queries, "items": len(proposals)}
            ms, queries, items = _timed(
                lambda: services.agenda_prepare(actor=coordinator, meeting=meeting), repeat
            )
            results["agenda_prepare"] = {"ms": round(ms, 1), "queries": queries, "items": len(items)}
            packets = []
            for professional in table:
                ms, queries, packet = _timed(
                    lambda p=professional: packet_for(user=p, meeting=meeting), repeat
                )
                packets.append(
                    {
                        "organisation": str(professional.organisation),
                        "ms": round(ms, 1),
                        "queries": queries,
                        "cases_seen": len(packet.case_ids),
                    }
                )
            results["packets"] = packets
            transaction.set_rollback(True)

        slowest = max(p["ms"] for p in packets)
        results["agenda_and_slowest_packet_ms"] = round(results["agenda_prepare"]["ms"] + slowest, 1)
        results["agenda_and_every_packet_ms"] = round(
            results["agenda_prepare"]["ms"] + sum(p["ms"] for p in packets), 1
        )
        if as_json:
            self.stdout.write(json.dumps(results, indent=2, sort_keys=True))
            return
        self.stdout.write(f"Region {chosen.pk}: {chosen.case_count} cases, {len(table)} attendees")
        propose = results["propose"]
        self.stdout.write(
            f"propose           {propose['ms']:8.1f} ms  {propose['queries']:3d} queries"
            f"  {propose['items']} items"
        )
        self.stdout.write(
            f"agenda_prepare    {results['agenda_prepare']['ms']:8.1f} ms"
            f"  {results['agenda_prepare']['queries']:3d} queries"
        )
        for p in packets:
            self.stdout.write(
                f"packet            {p['ms']:8.1f} ms  {p['queries']:3d} queries  {p['cases_seen']:3d} cases"
                f"  {p['organisation']}"
            )
        verdict = "within" if results["agenda_and_slowest_packet_ms"] <= TARGET_MS else "OVER"
        self.stdout.write(
            f"agenda + slowest packet {results['agenda_and_slowest_packet_ms']:.1f} ms ({verdict} the "
            f"{TARGET_MS} ms target); agenda + every packet {results['agenda_and_every_packet_ms']:.1f} ms"
        )
