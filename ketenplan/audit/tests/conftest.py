"""Helpers for the audit tests: events, raw SQL, and an attacker who can switch the
guard triggers off (a database superuser)."""

from __future__ import annotations

import contextlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ketenplan.audit import guards
from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record

EVENTS = AuditEvent._meta.db_table


def sql(statement: str, params=None):
    """Run raw SQL over the application's connection; the rows, if any."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else None


@contextlib.contextmanager
def guards_off():
    """What a database superuser can do: on PostgreSQL ``ALTER TABLE ... DISABLE
    TRIGGER``, on SQLite drop the triggers; put back afterwards."""
    if connection.vendor == "postgresql":
        for name, table in guards.POSTGRESQL_TRIGGERS.items():
            sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    else:
        guards.uninstall(connection)
    try:
        yield
    finally:
        guards.install(connection)


def record(n: int = 1, *, action: str = "case.viewed") -> list[AuditEvent]:
    return [
        audit_record(action=action, object_type="cases.case", object_id=str(i), detail={"i": i})
        for i in range(n)
    ]


def run_verify(*args) -> tuple[bool, str]:
    """``manage.py verify_audit``: (passed, everything it wrote)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


@pytest.fixture
def events(db):
    """Five sealed events and the list of them."""
    from ketenplan.audit.services import seal_pending

    created = record(5)
    seal_pending()
    return [AuditEvent.objects.get(pk=e.pk) for e in created]
