"""Production settings: refuse to start without secrets, and pass `check --deploy`."""

import base64
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def run(args, tmp_path, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT"}
    }
    base.update({"KETENPLAN_VAR_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"})
    base.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


PRODUCTION = {
    "KETENPLAN_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "ketenplan.example",
    "BASE_URL": "https://ketenplan.example",
    "FIELD_ENCRYPTION_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run([MANAGE, "check"], tmp_path, **env)

    assert result.returncode != 0
    assert missing in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    # Nor does it invent them the way development mode does.
    assert list(tmp_path.iterdir()) == []


def test_the_wsgi_application_refuses_too(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = run(["-c", "import config.wsgi"], tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_an_unknown_mode_is_refused(tmp_path):
    result = run([MANAGE, "check"], tmp_path, KETENPLAN_ENV="staging")

    assert result.returncode != 0
    assert "KETENPLAN_ENV" in result.stderr


def test_check_deploy_is_silent_in_production(tmp_path):
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_in_development(tmp_path):
    """The check itself works: development settings are not fit for deployment."""
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], tmp_path)

    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["seed_demo", "demo_totp"])
def test_demo_commands_refuse_in_production(tmp_path, command):
    result = run([MANAGE, command], tmp_path, **PRODUCTION)

    assert result.returncode != 0
    assert "production" in result.stderr
    assert "Traceback" not in result.stderr
