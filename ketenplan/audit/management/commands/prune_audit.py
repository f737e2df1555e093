"""Remove the audit trail older than AUDIT_RETENTION_DAYS, keeping it verifiable."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ketenplan.audit.services import ChainError, prune_expired


class Command(BaseCommand):
    help = (
        "Remove the sealed part of the audit trail older than AUDIT_RETENTION_DAYS. Only a "
        "whole prefix of the chain goes, only if it verifies, and a checkpoint records the "
        "last removed chain hash so verify_audit still checks the rest."
    )

    def handle(self, *args, **options):
        try:
            result = prune_expired()
        except ChainError as exc:
            raise CommandError(str(exc)) from exc
        where = (
            f" through seq {result.checkpoint.through_seq}" if result.checkpoint else ""
        )
        self.stdout.write(
            f"Pruned {result.pruned} audit event(s){where} recorded before "
            f"{result.cutoff:%Y-%m-%d %H:%M} UTC (retention {settings.AUDIT_RETENTION_DAYS} days)."
        )
