"""Fixtures shared by every app's tests.

Personas: ``sign_in(*roles)`` creates a professional with those roles and an enrolled
authenticator app and signs the test client in with the second factor satisfied.
``smtp_sink`` runs a real SMTP server on the loopback interface and points Django's SMTP
backend at it, so e-mail goes over the wire exactly as in production.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from django.test.utils import override_settings

# Background tasks run in-process, right when they are enqueued (after commit).
TEST_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    # Hashing with the production hasher costs ~0.3 s per password: far too slow for
    # hundreds of test users. What is tested is our use of passwords, not PBKDF2.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # Tests read and assert English, the language of the code. That Dutch is the
    # default for users is pinned by core/tests/test_language.py and test_translations.py,
    # which set it explicitly.
    "LANGUAGE_CODE": "en",
}


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    with override_settings(**TEST_SETTINGS):
        yield


# --- Tests that commit -----------------------------------------------------------------
#
# A test that commits (``transactional_db``, ``django_db(transaction=True)``,
# ``live_server``) ends with a flush that empties every table, including the reference
# data the migrations loaded (method profiles, risk instruments) and the database cache
# (lockouts, rate limits, used TOTP codes). pytest-django runs such tests last, but with
# xdist a worker may still run other tests after them; so right after every such test the
# database is put back the way the migrations left it.

_SNAPSHOT = pytest.StashKey[tuple[str, dict[str, str]]]()
# Recreated by ``flush`` itself (post_migrate), with new primary keys: never restored.
_NOT_SNAPSHOT = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def _snapshot_reference_data() -> dict[str, str]:
    """The rows in the fresh test database, per model, as JSON."""
    from django.apps import apps
    from django.core import serializers

    return {
        model._meta.label_lower: serializers.serialize(
            "json", model._base_manager.order_by("pk").iterator()
        )
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in _NOT_SNAPSHOT
        and model._base_manager.exists()
    }


def _restore_reference_data(snapshot: dict[str, str]) -> None:
    """Put back the rows of every snapshotted table the flush left empty (tables that
    flush and post_migrate fill again themselves are left to them)."""
    from django.apps import apps
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection, transaction

    todo = {
        label: data
        for label, data in snapshot.items()
        if not apps.get_model(label)._base_manager.exists()
    }
    if not todo:
        return
    # One transaction: foreign keys are checked at commit, so order and cycles are fine.
    with transaction.atomic():
        for data in todo.values():
            for obj in serializers.deserialize("json", data):
                obj.save()
    # Rows came back with their own keys: move sequences past them (PostgreSQL).
    models = [apps.get_model(label) for label in todo]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test database, and a snapshot of what its migrations loaded."""
    from django.db import connection

    with django_db_blocker.unblock():
        request.config.stash[_SNAPSHOT] = (
            connection.settings_dict["NAME"],
            _snapshot_reference_data(),
        )


def _commits(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if {"transactional_db", "live_server", "django_db_serialized_rollback"} & names:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # every fixture is torn down now, the flush included
    taken = item.config.stash.get(_SNAPSHOT, None)
    # Without a next test the session fixtures are gone too, the test database with them.
    if taken is None or nextitem is None or not _commits(item):
        return
    from django.core.cache import cache
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    test_database, snapshot = taken
    if connection.settings_dict["NAME"] != test_database:
        return  # never write to any database but the test database
    with item.config.stash[blocking_manager_key].unblock():
        _restore_reference_data(snapshot)
        cache.clear()


# --- Professionals --------------------------------------------------------------------


@pytest.fixture
def fresh_totp_period():
    """Time jumps to the start of a TOTP period and runs on from there.

    A test computes the authenticator code and posts it a moment later, as a person
    does. Started anywhere, the period could roll over in between (on a loaded CI
    machine it did) and a right code would be refused; started at the beginning of a
    period, the code stays the current one for the whole 30 seconds.
    """
    import time_machine
    from allauth.mfa import app_settings as mfa_settings

    period = mfa_settings.TOTP_PERIOD
    start = (int(time.time()) // period + 1) * period
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def sign_in(client):
    """``sign_in(Role.COORDINATOR, ...)`` → a signed-in professional with MFA enrolled.

    Keyword arguments go to ``ProfessionalFactory`` (e.g. ``organisation=``).
    """
    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import ProfessionalFactory

    def _sign_in(*roles, mfa: bool = True, **kwargs):
        user = ProfessionalFactory(roles=list(roles) or [Role.PARTNER], mfa=mfa, **kwargs)
        client.force_login(user)
        return user

    return _sign_in


@pytest.fixture
def coordinator(db):
    from ketenplan.accounts.models import Role
    from ketenplan.accounts.tests.factories import ProfessionalFactory

    return ProfessionalFactory(roles=[Role.COORDINATOR, Role.TEAM_MEMBER], mfa=True)


# --- E-mail over SMTP -----------------------------------------------------------------


class SMTPSink:
    """Collects every message the SMTP server receives."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self._lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        with self._lock:
            self.envelopes.append(envelope)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        """The messages received, once at least ``count`` arrived (or the timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.messages)


def _free_loopback_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_server():
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    last_error: Exception | None = None
    for _attempt in range(5):  # another xdist worker may grab the same free port
        port = _free_loopback_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except Exception as exc:
            last_error = exc
            continue
        sink.port = port
        break
    else:
        raise RuntimeError(f"Could not start the SMTP sink: {last_error}")
    yield sink
    controller.stop()


@pytest.fixture
def smtp_sink(_smtp_server, settings):
    """A running SMTP server; Django sends e-mail to it over SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = _smtp_server.host
    settings.EMAIL_PORT = _smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    _smtp_server.clear()
    yield _smtp_server
    _smtp_server.clear()
