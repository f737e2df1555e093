"""Time building the agenda and the preparation packets of one team meeting on the bench
data set (issue 6: under 300 ms for a region of 10,000 cases; a benchmark, not a timed
test), per phase and per attendee, with CPU time and queries. The measurement itself is
``ketenplan.meetings.bench.measure`` (``make bench`` reports the same one through
``bench_extras``). Run it after ``bench_data``; everything it writes is rolled back.

    python manage.py bench_agenda [--region ID] [--repeat 5] [--attendees 8] [--json]
        [--profile OUT.prof]
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ketenplan.meetings.bench import NoBenchData, measure


class Command(BaseCommand):
    help = "Time the agenda and the preparation packets of a team meeting (bench data only; rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--region", type=int, help="region id (default: the one with most cases)")
        parser.add_argument("--repeat", type=int, default=5, help="rounds measured (medians, p95)")
        parser.add_argument(
            "--attendees", type=int, default=8, help="people at the table, coordinator included"
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the results as JSON")
        parser.add_argument("--profile", help="write a cProfile of the whole measurement to this file")

    def handle(self, *args, region=None, repeat=5, attendees=8, as_json=False, profile=None, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_agenda refuses in production mode.")
        try:
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                results = profiler.runcall(measure, region_id=region, rounds=repeat, attendees=attendees)
                profiler.dump_stats(profile)
            else:
                results = measure(region_id=region, rounds=repeat, attendees=attendees)
        except NoBenchData as e:
            raise CommandError(str(e)) from e
        if as_json:
            self.stdout.write(json.dumps(results, indent=2, sort_keys=True))
            return
        phases = results["phases"]
        self.stdout.write(
            f"Region {results['region']}: {results['cases']} cases, {results['attendees']} attendees, "
            f"{results['items']} agenda items; medians of {results['rounds']} rounds"
        )
        self.stdout.write(f"{'':28} {'wall ms':>8} {'cpu ms':>8} {'sql ms':>8} {'queries':>8}")

        def line(label: str, p: dict, extra: str = "") -> None:
            self.stdout.write(
                f"{label:28} {p['ms']:8.1f} {p['cpu_ms']:8.1f} {p['sql_ms']:8.1f} {p['queries']:8d}{extra}"
            )

        line("propose", phases["propose"], f"  {phases['propose']['items']} items")
        line("agenda_prepare (first)", phases["first_agenda_prepare"])
        line("agenda_prepare (rebuild)", phases["agenda_prepare"])
        for p in phases["packets"]:
            line("packet", p, f"  {p['cases_seen']:3d} cases  {p['organisation']}")
        for p in phases["packets"]:
            line("packet_open (audited)", p["open"], f"  {p['organisation']}")
        verdict = "within" if results["p50_ms"] <= results["target_ms"] else "OVER"
        self.stdout.write(
            f"agenda + every packet: p50 {results['p50_ms']:.1f} ms wall "
            f"({verdict} the {results['target_ms']} ms target), p95 {results['p95_ms']:.1f} ms; "
            f"CPU p50 {results['cpu_p50_ms']:.1f} ms, "
            f"SQL p50 {results['sql_p50_ms']:.1f} ms; {results['queries']} queries"
        )
