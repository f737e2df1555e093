"""The seeded demo database, shared by the tests of one module.

Seeding the demo takes a few seconds, so a module seeds it once, inside a transaction
that is rolled back when the module is done: every test runs in a savepoint within it
(pytest-django's ``db``), and the next module starts from an empty database again.
"""

import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from ketenplan.accounts.models import Region
from ketenplan.demo import region as demo


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """``demo_db.region``, ``demo_db.output`` (what seed_demo printed) and
    ``demo_db.cpu_seconds`` (what seeding cost)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = time.process_time()
        call_command("seed_demo", stdout=out)
        cpu_seconds = time.process_time() - started
        yield SimpleNamespace(
            region=Region.objects.get(name=demo.REGION_NAME), output=out.getvalue(), cpu_seconds=cpu_seconds
        )
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_db, db):
    """The demo region, for a test that uses the database."""
    return demo_db.region
