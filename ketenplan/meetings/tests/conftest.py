"""The meeting tests read messages, pages and e-mails in English: they check what is said,
not the translation (the catalogue has its own tests). The fixtures most of them share:
a ``world`` (``make_world``) and a ``case`` in execution in it."""

import pytest
from django.utils import translation

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def case(world):
    return case_at(world, Stage.EXECUTION, family_label="Family Crisis")
