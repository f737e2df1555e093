"""``manage.py bench_data --scale region|national``: the benchmark's data set.

Refuses when cases exist already (``--reset`` wipes the database first, outside
production only) and always in production mode.
"""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ketenplan.benchmark.generator import SCALES, Generator, fraction_of, tiny_scale
from ketenplan.cases.models import Case


def reload_reference_data() -> None:
    """The reference data that migrations load (flush removes it too)."""
    from importlib import import_module

    from django.apps import apps

    for module in (
        "ketenplan.methods.migrations.0002_load_shipped_methods",
        "ketenplan.risk.migrations.0002_load_shipped_instruments",
    ):
        import_module(module).load_shipped(apps, None)


class Command(BaseCommand):
    help = "Generate realistic fictional benchmark data with bulk inserts (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=[*SCALES, "tiny"], default="region")
        parser.add_argument("--cases", type=int, default=100, help="number of cases for --scale tiny")
        parser.add_argument(
            "--fraction",
            type=float,
            default=1.0,
            help="generate this fraction of the scale's cases (same shape per case), to profile and "
            "extrapolate; the phase timings are printed either way",
        )
        parser.add_argument(
            "--serial",
            action="store_true",
            help="write the audit trail in this process too (PostgreSQL writes it in a second "
            "process from 200,000 rows on)",
        )
        parser.add_argument("--reset", action="store_true", help="wipe the database first")
        parser.add_argument("--seed", type=int, default=20240601)
        parser.add_argument("--json", dest="json_path", help="write a summary (rows, bench users) here")

    def handle(self, *args, scale, cases, fraction, serial, reset, seed, json_path, **options):
        if getattr(settings, "PRODUCTION", False) and not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_data refuses in production mode: it writes fictional cases.")
        if Case.objects.exists():
            if not reset:
                raise CommandError(
                    "Cases exist already; bench_data adds none. Use --reset to wipe the database."
                )
            if getattr(settings, "PRODUCTION", False):
                raise CommandError("--reset refused in production mode.")
            call_command("flush", interactive=False, verbosity=0)
            reload_reference_data()
        spec = tiny_scale(cases) if scale == "tiny" else SCALES[scale]
        if fraction != 1.0:
            if not 0 < fraction <= 1:
                raise CommandError("--fraction must be greater than 0 and at most 1.")
            spec = fraction_of(spec, fraction)
        part = f" x {fraction}" if fraction != 1.0 else ""
        self.stdout.write(f"Generating {scale}{part}: {spec.cases:,} cases ...")
        result = Generator(spec, seed=seed, out=self.stdout, parallel=not serial).run()
        result["scale_name"] = scale
        for table, n in sorted(result["rows"].items()):
            self.stdout.write(f"  {table:40} {n:>12,}")
        self.stdout.write(self.style.SUCCESS(f"Done in {result['seconds']} s."))
        if json_path:
            with open(json_path, "w") as f:
                json.dump(result, f, indent=2, default=str)
