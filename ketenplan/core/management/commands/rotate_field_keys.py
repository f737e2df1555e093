"""Re-encrypt every encrypted field with the current (first) key of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from ketenplan.core import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every EncryptedTextField value of every model that is not yet under the "
        "first key of FIELD_ENCRYPTION_KEYS, in batches, each in its own transaction. Safe "
        "to interrupt and to run again. See docs/deployment.md, 'Rotating the field "
        "encryption key'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--adopt-plaintext",
            action="store_true",
            help="Encrypt values that were stored before their column became encrypted.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, batch_size, adopt_plaintext, database, **options):
        try:
            result = crypto.rotate_keys(
                batch_size=batch_size, adopt_plaintext=adopt_plaintext, using=database
            )
        except crypto.DecryptionError as exc:
            raise CommandError(str(exc)) from exc
        from ketenplan.audit.services import audit_record

        with transaction.atomic(using=database):
            audit_record(
                action="crypto.field_keys_rotated",
                actor_label="manage.py rotate_field_keys",
                purpose="security",
                detail={
                    "key": crypto.key_ring().primary_id,
                    "fields": result.fields,
                    "rotated": result.rotated,
                    "adopted": result.adopted,
                    "already_current": result.current,
                },
            )
        self.stdout.write(
            f"{len(result.fields)} encrypted field(s); re-encrypted {result.rotated} value(s) "
            f"under key {crypto.key_ring().primary_id}, encrypted {result.adopted} plaintext "
            f"value(s), {result.current} already under it."
        )
