"""Choosing between the names a data file gives in several languages."""

from collections.abc import Mapping

from django.conf import settings
from django.utils import translation


def _primary(code: str) -> str:
    return code.split("-")[0].split("_")[0].lower()


def localized(names: Mapping[str, str]) -> str:
    """The name in the active language (``nl-be`` → ``nl``), else in the site's default
    language, else any name given."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    for code in (_primary(active), _primary(settings.LANGUAGE_CODE)):
        if names.get(code):
            return names[code]
    return next((name for name in names.values() if name), "")
