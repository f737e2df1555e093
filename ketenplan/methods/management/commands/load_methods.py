from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketenplan.methods import definitions, services


class Command(BaseCommand):
    help = (
        "Load or reload method profiles and life-domain lists from YAML files (all shipped "
        "files when no path is given). Files that match what is stored change nothing. "
        "When any file is refused, nothing is loaded and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            help="YAML files, or directories whose *.yaml files are loaded.",
        )

    def handle(self, *args, paths, **options):
        files = self._files(paths)
        problems: list[str] = []
        report: list[str] = []
        with transaction.atomic():
            for path in files:
                try:
                    report.append(self._load(path))
                except ValidationError as exc:
                    problems += [f"{path}: {message}" for message in exc.messages]
            if problems:
                # Raised inside the transaction, so whatever was loaded is rolled back.
                raise CommandError(
                    "Nothing was loaded; fix these problems first:\n"
                    + "\n".join(f"  - {p}" for p in problems)
                )
        for line in report:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{len(files)} file(s) checked."))

    def _files(self, paths: list[Path]) -> list[Path]:
        if not paths:
            return [*definitions.shipped_profile_paths(), definitions.SHIPPED_LIFE_DOMAINS]
        files = []
        for path in paths:
            if path.is_dir():
                files += sorted(path.glob("*.yaml"))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or directory.")
        return files

    def _load(self, path: Path) -> str:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"cannot be read ({exc}).") from exc
        if definitions.is_life_domains_document(text):
            result = services.life_domains_load(text=text, source=str(path))
            by_outcome: dict[str, list[str]] = {}
            for key, outcome in result.outcomes.items():
                by_outcome.setdefault(outcome.value, []).append(key)
            summary = "; ".join(
                f"{outcome} {len(keys)}" if outcome == "unchanged"
                else f"{outcome} {len(keys)} ({', '.join(keys)})"
                for outcome, keys in by_outcome.items()
            )
            return f"{path}: life domains: {summary}"
        result = services.profile_load(text=text, source=str(path))
        return (f"{path}: profile {result.profile.key} version {result.profile.version}: "
                f"{result.outcome.value}")
