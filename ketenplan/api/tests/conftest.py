"""Fixtures of the API tests: the region of ``make_world`` and clients that carry a
personal Bearer token, as partner systems do."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ketenplan.api import services as api_services
from ketenplan.cases.tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Documents go to a directory of this test only, so "nothing stored" can be checked."""
    location = tmp_path / "media"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def api_as(user) -> APIClient:
    """A client authenticated with a fresh personal token of ``user``."""
    client = APIClient()
    token = api_services.api_token_create(actor=user, name="test", valid_days=30)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def as_(world):
    """``as_("coordinator")`` → a Bearer-token client of that persona (cached per test)."""
    clients: dict[str, APIClient] = {}

    def client_for(persona: str) -> APIClient:
        if persona not in clients:
            clients[persona] = api_as(getattr(world, persona))
        return clients[persona]

    return client_for
