from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _protect_audit_tables(sender, using, **kwargs):
    """After every migrate (and flush): the guard triggers in place and the chain head row
    present. On SQLite, Django rebuilds a table to alter it, and the rebuild loses its
    triggers; reinstalling them here means no migration can leave the table unguarded."""
    from django.db import connections

    from . import guards
    from .models import AuditChainHead, AuditEvent

    connection = connections[using]
    guards.install(connection)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if AuditChainHead._meta.db_table in tables:
        events = AuditEvent.objects.using(using)
        # A missing head with sealed events is tampering for verify_audit to report, not
        # something to paper over with a fresh head.
        if not events.sealed().exists():
            AuditChainHead.objects.using(using).get_or_create(pk=1)


class AuditConfig(AppConfig):
    name = "ketenplan.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        post_migrate.connect(_protect_audit_tables, sender=self, dispatch_uid="audit_guards")
