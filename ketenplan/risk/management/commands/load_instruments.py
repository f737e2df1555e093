"""Load risk-instrument files: the shipped ones, or the files given."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ketenplan.risk import schema, services


class Command(BaseCommand):
    help = "Load risk instruments from YAML files (default: the shipped instruments)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="YAML files; none: every shipped instrument")

    def handle(self, *args, paths, **options):
        files = [Path(p) for p in paths] or schema.shipped_paths()
        failed = False
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                result = services.instrument_load(text=text, source=str(path))
            except (OSError, UnicodeDecodeError) as exc:
                failed = True
                self.stderr.write(f"{path}: {exc}")
            except ValidationError as exc:
                failed = True
                self.stderr.write(f"{path}: refused")
                for message in exc.messages:
                    self.stderr.write(f"  {message}")
            else:
                state = "loaded" if result.created else "unchanged"
                self.stdout.write(f"{path}: {result.instrument.key} v{result.version.number} {state}")
        if failed:
            raise CommandError("Some files were refused; nothing of them was loaded.")
