"""``flush``, aware of the append-only audit tables.

Django's test machinery empties the database with ``flush`` after every test that
commits (``transactional_db``, ``live_server``). The audit guard triggers rightly refuse
that, so outside production this command lifts them for the flush and puts them back
afterwards. In production it refuses: the audit trail is not emptied.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from ketenplan.audit import guards


class Command(FlushCommand):
    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "flush refused in production: the audit trail is append-only (see "
                "docs/adr/0001-audit-chain.md)."
            )
        connection = connections[options["database"]]
        guards.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            guards.install(connection)
