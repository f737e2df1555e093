"""System checks: ``manage.py check`` (and every start) fails on a broken names.yaml."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .matching import NAMES_FILE, load_name_data


def check_name_data(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        load_name_data(NAMES_FILE)
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Fix the file; every group is a list of at least two spellings.",
                id="persons.E001",
            )
        ]
    return []
