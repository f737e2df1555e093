"""Background work for cases, run by the tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def anonymise_expired_cases() -> int:
    """Anonymise closed cases past their region's retention period (daily)."""
    from .retention import anonymise_expired_cases as run

    return len(run().anonymised)
