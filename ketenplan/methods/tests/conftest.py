import copy
from collections.abc import Callable

import pytest
import yaml
from django.conf import settings

from ketenplan.accounts.models import Professional, Role
from ketenplan.accounts.tests.factories import ProfessionalFactory
from ketenplan.methods import definitions


def shipped_definition(key: str) -> dict:
    path = definitions.SHIPPED_PROFILES_DIR / f"{key}.yaml"
    return definitions.parse_profile(path.read_text(encoding="utf-8"))


def as_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def profile_yaml() -> Callable[..., str]:
    """YAML text of a new, valid profile (key "test-profile"), after ``change(data)``."""

    def build(change: Callable[[dict], None] | None = None, **fields) -> str:
        data = copy.deepcopy(shipped_definition("ketenaanpak-ifg"))
        data.update(key="test-profile", name={"nl": "Testprofiel", "en": "Test profile"})
        data.update(fields)
        if change is not None:
            change(data)
        return as_yaml(data)

    return build


@pytest.fixture
def alice(db) -> Professional:
    """Alice, administrator (with a second factor, as the middleware demands)."""
    return ProfessionalFactory(email="alice@example.org", roles=[Role.ADMINISTRATOR], mfa=True)


@pytest.fixture
def bob(db) -> Professional:
    """Bob, coordinator: works on cases, does not administer reference data."""
    return ProfessionalFactory(email="bob@example.org", roles=[Role.COORDINATOR], mfa=True)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    # English, whichever way the site picks the language (cookie or browser header).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
