import pytest
from django.utils import timezone

from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.methods.models import LifeDomain


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


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def case(world):
    return case_at(world, Stage.DOSSIER)


@pytest.fixture
def domains(db):
    return list(LifeDomain.objects.filter(is_active=True).order_by("order", "key"))


@pytest.fixture
def today():
    return timezone.localdate()


def give_consent(world, case, person):
    """The person agrees that all participating partners share information about them."""
    from datetime import date

    from ketenplan.consent import services as consent_services

    consent_services.consent_record(
        actor=world.coordinator,
        case=case,
        person=person,
        status="given",
        obtained_on=date(2026, 1, 10),
        obtained_how="in_person",
    )
