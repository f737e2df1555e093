"""Link committed audit events into the tamper-evident chain."""

import time

from django.core.management.base import BaseCommand

from ketenplan.audit.services import seal_pending
from ketenplan.audit.tasks import ensure_scheduled


class Command(BaseCommand):
    help = (
        "Seal the pending audit events into the chain now. With --schedule, make sure the "
        "background sealing and pruning tasks are queued (idempotent; run after deploy or "
        "from cron). With --every N, keep sealing every N seconds (without a task worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the periodic tasks.")
        parser.add_argument("--every", type=float, metavar="SECONDS", help="Seal in a loop.")

    def handle(self, *args, schedule=False, every=None, **options):
        if schedule:
            queued = ensure_scheduled()
            self.stdout.write(
                f"Queued: {', '.join(queued)}." if queued else "The audit tasks are already queued."
            )
            return
        while True:
            result = seal_pending()
            if options["verbosity"] >= 1 and (result.sealed or every is None):
                self.stdout.write(
                    f"Sealed {result.sealed} audit event(s); chain head {result.head_seq}:{result.head_hash}"
                )
            if every is None:
                return
            time.sleep(every)
