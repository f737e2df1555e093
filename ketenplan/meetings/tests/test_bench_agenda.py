"""The agenda benchmark (``meetings.bench.measure``, printed by ``bench_agenda`` and by
``bench_extras`` for ``make bench``) runs on the bench data set, measures the agenda and
every attendee's packet, and leaves the data as it was. No timing is asserted.

On the same data, every packet's dossier part equals what the ``dossier.view_contribution``
scope gives that attendee (the packet reads it with subqueries bounded to the agenda)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ketenplan.audit.models import AuditEvent
from ketenplan.benchmark.generator import Generator, tiny_scale
from ketenplan.core import policy
from ketenplan.dossier.models import Contribution
from ketenplan.meetings import services
from ketenplan.meetings.bench import choose_table, measure
from ketenplan.meetings.models import AgendaItem, Attendance, Meeting
from ketenplan.meetings.packets import CONTRIBUTIONS_PER_CASE, packet_for, packet_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_data():
    Generator(tiny_scale(40), seed=7).run()


def test_one_measurement_for_both_commands_and_everything_rolled_back(bench_data, tmp_path):
    audit_rows = AuditEvent.objects.count()
    results = measure(rounds=2, attendees=4)
    assert results["cases"] == 40 and results["target_ms"] == 300
    assert results["items"] > 0 and results["packets"] == results["attendees"] == 4
    assert any(n > 0 for n in results["cases_seen_per_packet"])
    assert results["p50_ms"] > 0 and results["cpu_p50_ms"] > 0 and results["queries"] > 0
    phases = results["phases"]
    assert {"propose", "first_agenda_prepare", "agenda_prepare", "packets"} <= set(phases)
    assert all(p["open"]["queries"] > 0 for p in phases["packets"])
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()
    assert AuditEvent.objects.count() == audit_rows

    out = StringIO()
    call_command("bench_agenda", "--json", "--repeat", "1", "--attendees", "3", stdout=out)
    assert json.loads(out.getvalue())["packets"] == 3
    out = StringIO()
    call_command("bench_agenda", "--repeat", "1", stdout=out)
    assert "agenda + every packet" in out.getvalue()

    target = tmp_path / "extras.json"
    out = StringIO()
    call_command("bench_extras", str(target), "--rounds", "1", "--attendees", "3", stdout=out)
    extras = json.loads(target.read_text())["agenda_and_packets"]
    assert extras["packets"] == 3 and "p95_ms" in extras and "phases" in extras
    assert not Meeting.objects.exists()


def test_every_packet_shows_the_dossier_as_the_scope_allows(bench_data):
    region, coordinator, table = choose_table(attendees=8)
    with transaction.atomic():
        starts = timezone.now() + timedelta(days=1)
        meeting = Meeting.objects.create(
            region=region, kind=Meeting.Kind.TEAM, starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        for professional in table:
            Attendance.objects.create(
                meeting=meeting,
                professional=professional,
                organisation_id=professional.organisation_id,
                confidentiality_confirmed_at=timezone.now(),
            )
        services.agenda_prepare(actor=coordinator, meeting=meeting)
        compared = 0
        for viewer in table:
            packet = packet_for(user=viewer, meeting=meeting)
            for entry in packet.items:
                if entry.case is None:
                    continue
                scoped = policy.scope(
                    viewer,
                    "dossier.view_contribution",
                    Contribution.objects.filter(case_id=entry.case.pk, is_current=True),
                ).order_by("-occurred_on", "-created_at", "-pk")
                expected = list(scoped.values_list("pk", flat=True))
                assert entry.contribution_count == len(expected), (viewer, entry.case.pk)
                assert [c.pk for c in entry.contributions] == expected[:CONTRIBUTIONS_PER_CASE]
                compared += len(expected)
            opened_before = AuditEvent.objects.count()
            opened = packet_open(user=viewer, meeting=meeting)
            rows = AuditEvent.objects.order_by("pk")[opened_before:]
            assert sorted(int(e.object_id) for e in rows if e.action == "meetings.packet_read") == sorted(
                opened.case_ids
            )
            assert all(e.content_hash == e.compute_content_hash() for e in rows)
        assert compared > 0
        transaction.set_rollback(True)
