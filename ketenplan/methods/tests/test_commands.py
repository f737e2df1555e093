"""``manage.py load_methods``: idempotent, and all-or-nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ketenplan.audit.models import AuditEvent
from ketenplan.methods.models import LifeDomain, MethodProfile

from .conftest import as_yaml
from .test_services import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def load(*paths) -> str:
    out = StringIO()
    call_command("load_methods", *map(str, paths), stdout=out)
    return out.getvalue()


def test_loading_the_shipped_files_into_a_migrated_database_changes_nothing():
    before = snapshot()
    output = load()
    assert "profile marac version 1: unchanged" in output
    assert "life domains: unchanged 13" in output
    assert "4 file(s) checked." in output
    assert snapshot() == before


def test_loading_is_idempotent():
    MethodProfile.objects.filter(key="marac").delete()
    LifeDomain.objects.filter(key="justice").update(name_en="Law", order=1)
    first = load()
    assert "profile marac version 1: created" in first
    assert "life domains: unchanged 12; updated 1 (justice)" in first
    assert LifeDomain.objects.get(key="justice").name_en == "Justice"
    after_first = snapshot()
    second = load()
    assert "created" not in second
    assert "updated" not in second
    assert snapshot() == after_first


def test_loading_a_new_file_and_a_directory(tmp_path, profile_yaml):
    path = tmp_path / "test-profile.yaml"
    path.write_text(profile_yaml(), encoding="utf-8")
    assert "profile test-profile version 1: created" in load(path)
    assert "profile test-profile version 1: unchanged" in load(tmp_path)
    assert MethodProfile.objects.filter(key="test-profile").count() == 1


def test_one_bad_file_means_nothing_is_loaded(tmp_path, profile_yaml):
    good = tmp_path / "a-good.yaml"
    good.write_text(profile_yaml(), encoding="utf-8")

    def broken(data):
        data["key"] = "broken"
        data["milestones"][0]["offset"]["unit"] = "fortnights"
        data["milestones"][1]["anchor"] = "case_closed"

    bad = tmp_path / "b-bad.yaml"
    bad.write_text(profile_yaml(broken), encoding="utf-8")
    domains = tmp_path / "c-domains.yaml"
    domains.write_text(
        as_yaml({"domains": [{"key": "spirituality", "name": {"nl": "Zingeving"}}]}),
        encoding="utf-8",
    )
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert message.startswith("Nothing was loaded; fix these problems first:")
    assert f"{bad}: milestones[1].offset.unit: “fortnights” is not allowed" in message
    assert f"{bad}: milestones[2].anchor: “case_closed” is not allowed" in message
    assert f"{domains}: domains[1].name.en: this field is required but missing." in message
    assert str(good) not in message
    assert snapshot() == before
    assert not AuditEvent.objects.exists()


def test_a_version_conflict_is_reported_and_nothing_changes(tmp_path, profile_yaml):
    load_first = tmp_path / "first.yaml"
    load_first.write_text(profile_yaml(), encoding="utf-8")
    load(load_first)
    changed = tmp_path / "changed.yaml"
    changed.write_text(profile_yaml(source="edited without a new version"), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="raise the version number"):
        load(changed)
    assert snapshot() == before


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        load(tmp_path / "nope.yaml")


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CommandError, match="cannot be read"):
        load(path)
