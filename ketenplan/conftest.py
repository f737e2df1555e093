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
}


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    with override_settings(**TEST_SETTINGS):
        yield


@pytest.fixture(autouse=True)
def _clear_shared_cache(request):
    """Rate limits and used TOTP codes live in the database cache table, which is not a
    model table: tests that commit (transactional_db, live_server) must not leave
    lockouts behind for the next test."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from django.core.cache import cache

        cache.clear()
        _reload_reference_data()


# Reference data that data migrations load into a fresh database. A test that commits is
# followed by a flush of every table, which takes this data too: load it again, with the
# same functions the migrations use, so the next test on this worker finds it.
REFERENCE_DATA_LOADERS = [
    "ketenplan.methods.migrations.0002_load_shipped_methods",
    "ketenplan.risk.migrations.0002_load_shipped_instruments",
]


def _reload_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    for module in REFERENCE_DATA_LOADERS:
        import_module(module).load_shipped(apps, None)


# --- Professionals --------------------------------------------------------------------


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
