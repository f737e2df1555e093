"""The agenda benchmark (``bench_agenda``) runs on the bench data set, measures the agenda
and every attendee's packet, and leaves the data as it was."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from ketenplan.audit.models import AuditEvent
from ketenplan.benchmark.generator import Generator, tiny_scale
from ketenplan.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


def test_the_agenda_benchmark_measures_and_rolls_back():
    Generator(tiny_scale(40), seed=7).run()
    audit_rows = AuditEvent.objects.count()
    out = StringIO()
    call_command("bench_agenda", "--json", "--repeat", "1", "--attendees", "3", stdout=out)
    results = json.loads(out.getvalue())
    assert results["cases"] == 40 and results["target_ms"] == 300
    assert results["agenda_prepare"]["items"] > 0
    assert len(results["packets"]) >= 2  # the coordinator and core partners
    assert any(p["cases_seen"] > 0 for p in results["packets"])
    assert results["agenda_and_slowest_packet_ms"] > 0
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()
    assert AuditEvent.objects.count() == audit_rows

    out = StringIO()
    call_command("bench_agenda", "--repeat", "1", stdout=out)
    assert "agenda + slowest packet" in out.getvalue()
