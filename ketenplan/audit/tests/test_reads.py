"""Reads of personal data are recorded: one row per request, with the purpose; refusals
are recorded without personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Stage
from ketenplan.cases.tests.factories import case_at, make_world
from ketenplan.consent.models import EmergencyAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def case(world):
    return case_at(world, Stage.EXECUTION)


def rows_since(mark: int):
    return list(AuditEvent.objects.filter(pk__gt=mark).order_by("pk"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


CASE_PAGES = [
    ("cases:detail", {}),
    ("cases:timeline", {}),
    ("plans:case_plan", {}),
    ("plans:case_execution", {}),
    ("consent:overview", {}),
]


@pytest.mark.parametrize(("name", "extra"), CASE_PAGES)
def test_each_case_page_writes_one_read_row(client, world, case, name, extra):
    client.force_login(world.coordinator)
    mark = last_id()
    response = client.get(reverse(name, kwargs={"pk": case.pk, **extra}))
    assert response.status_code == 200
    rows = rows_since(mark)
    assert len(rows) == 1, [r.action for r in rows]
    row = rows[0]
    assert (row.action, row.object_type, row.object_id) == ("case.viewed", "cases.case", str(case.pk))
    assert row.actor_id == world.coordinator.pk
    assert row.purpose == AuditEvent.Purpose.NORMAL
    assert row.detail["view"] == name


def test_the_risk_page_is_recorded(client, world, case):
    client.force_login(world.coordinator)
    mark = last_id()
    assert client.get(reverse("risk:case_risk", kwargs={"case_id": case.pk})).status_code == 200
    assert [r.action for r in rows_since(mark)] == ["case.viewed"]


def test_the_case_page_names_the_persons_shown(client, world, case):
    client.force_login(world.coordinator)
    mark = last_id()
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    (row,) = rows_since(mark)
    assert sorted(row.detail["persons"]) == sorted(case.members.values_list("person_id", flat=True))


def test_the_dossier_records_its_own_read_only(client, world, case):
    client.force_login(world.coordinator)
    mark = last_id()
    client.get(reverse("dossier:case_dossier", kwargs={"pk": case.pk}))
    assert [r.action for r in rows_since(mark)] == ["dossier.viewed"]


def test_emergency_reads_carry_the_emergency_purpose(client, world, case):
    EmergencyAccess.objects.create(
        case=case,
        professional=world.outsider,
        organisation=world.outsider.organisation,
        reason="Acute danger at the door.",
        opened_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=4),
    )
    client.force_login(world.outsider)
    mark = last_id()
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200
    (row,) = rows_since(mark)
    assert row.purpose == AuditEvent.Purpose.EMERGENCY


def test_api_reads_are_recorded_per_response(client, world, case):
    client.force_login(world.coordinator)
    mark = last_id()
    assert client.get(f"/api/cases/{case.pk}/").status_code == 200
    assert client.get("/api/cases/").status_code == 200
    detail, listing = rows_since(mark)
    assert (detail.action, detail.object_id, detail.detail["via"]) == ("case.viewed", str(case.pk), "api")
    assert listing.action == "case.listed"
    assert case.pk in listing.detail["cases.case"]


def test_refusals_are_recorded_without_personal_data(client, world, case):
    client.force_login(world.outsider)
    mark = last_id()
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk}) + "?q=Sara").status_code == 404
    assert client.get(f"/api/cases/{case.pk}/").status_code == 404
    web, api = rows_since(mark)
    assert web.action == api.action == "access.denied"
    assert web.detail == {
        "path": f"/cases/{case.pk}/",
        "method": "GET",
        "status": 404,
        "view": "cases:detail",
    }
    assert api.detail["status"] == 404
    assert web.purpose == AuditEvent.Purpose.SECURITY


def test_writes_are_not_doubled(client, world, case):
    client.force_login(world.coordinator)
    mark = last_id()
    client.post(reverse("cases:detail", kwargs={"pk": case.pk}))  # GET only: 405
    assert rows_since(mark) == []


def test_unknown_urls_are_not_refusals(client, world):
    client.force_login(world.coordinator)
    mark = last_id()
    assert client.get("/no-such-page/").status_code == 404
    assert rows_since(mark) == []
