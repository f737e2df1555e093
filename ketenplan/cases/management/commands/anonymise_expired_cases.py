"""Anonymise closed cases past their region's retention period (idempotent; daily from
cron or the tasks worker)."""

from django.core.management.base import BaseCommand

from ketenplan.cases.retention import anonymise_expired_cases


class Command(BaseCommand):
    help = "Anonymise closed cases whose region's retention period has passed."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the cases, change nothing.")
        parser.add_argument("--enqueue", action="store_true", help="Run it as a background task.")

    def handle(self, *args, dry_run=False, enqueue=False, **options):
        if enqueue:
            from ketenplan.cases.tasks import anonymise_expired_cases as task

            task.enqueue()
            self.stdout.write("Queued.")
            return
        result = anonymise_expired_cases(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(f"{verb} {len(result.anonymised)} case(s): {result.anonymised}")
