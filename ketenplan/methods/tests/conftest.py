import copy
from collections.abc import Callable

import pytest
import yaml
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from ketenplan.accounts.models import Professional, Role, RoleGrant
from ketenplan.methods import definitions

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


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


def _professional(email: str, *roles: str) -> Professional:
    user = Professional.objects.create_user(email=email, full_name=email.split("@")[0].title())
    for role in roles:
        RoleGrant.objects.create(professional=user, role=role)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def alice(db) -> Professional:
    """Alice, administrator (with a second factor, as the middleware demands)."""
    return _professional("alice@example.org", Role.ADMINISTRATOR)


@pytest.fixture
def bob(db) -> Professional:
    """Bob, coordinator: works on cases, does not administer reference data."""
    return _professional("bob@example.org", Role.COORDINATOR)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    # English, whichever way the site picks the language (cookie or browser header).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
