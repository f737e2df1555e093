"""Measure how fast ``verify_audit`` checks the chain, on generated audit events.

    KETENPLAN_VAR_DIR=$(mktemp -d) DATABASE_URL=postgres://.../scratch \\
        python -m ketenplan.audit.bench.verify_rate --rows 1000000

Audit events cannot be removed, so run it against a scratch database only: it refuses
in production and on a database that already holds audit events (unless ``--append``).
The database is migrated first.
"""

from __future__ import annotations

import argparse
import os
import random
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--append", action="store_true", help="Allow a database with events.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from ketenplan.audit.models import AuditEvent
    from ketenplan.audit.services import seal_pending
    from ketenplan.audit.verification import verify

    if settings.PRODUCTION:
        raise SystemExit("Refusing to generate audit events in production.")
    call_command("migrate", verbosity=0)
    if AuditEvent.objects.exists() and not args.append:
        raise SystemExit("This database already holds audit events; use a scratch database.")

    rng = random.Random(42)  # noqa: S311 -- reproducible test data, not secrets
    actions = ["case.viewed", "person.viewed", "plan.updated", "contribution.added", "export"]
    started = time.monotonic()
    batch = []
    now = timezone.now()
    for i in range(args.rows):
        batch.append(
            AuditEvent(
                at=now,
                actor_label=f"user{rng.randrange(500)}@example.org",
                organisation_id=rng.randrange(40),
                roles="coordinator,team_member",
                action=rng.choice(actions),
                object_type="cases.case",
                object_id=str(rng.randrange(100_000)),
                ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                detail={"stage": "plan", "n": i, "fields": ["a", "b"]},
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    inserted = time.monotonic() - started
    started = time.monotonic()
    sealed = seal_pending(batch_size=5000).sealed
    sealing = time.monotonic() - started

    report = verify()
    rate = report.rows / report.seconds * 60
    print(f"database: {connection.vendor}")
    print(f"inserted {args.rows} events in {inserted:.1f} s; sealed {sealed} in {sealing:.1f} s "
          f"({sealed / sealing:,.0f}/s)")  # fmt: skip
    print(f"verified {report.rows} events in {report.seconds:.1f} s: {rate:,.0f} rows a minute; "
          f"ok={report.ok}")  # fmt: skip


if __name__ == "__main__":
    main()
