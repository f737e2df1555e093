"""The meeting tests read messages, pages and e-mails in English: they check what is said,
not the translation (the catalogue has its own tests)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
