"""The one measurement of issue 6's speed target: building the agenda and every
attendee's preparation packet of a team meeting (under 300 ms for a region of 10,000
cases; a benchmark, not a timed test).

``measure()`` is called by both commands that report it: ``manage.py bench_agenda``
(the standalone look, per phase and per attendee) and ``manage.py bench_extras`` (the
in-process part of ``make bench``, ``bench/run.py``). It runs on the bench data set
(``bench_data``) and rolls back everything it writes: the meeting, its attendance and
agenda, the audit rows of the packets opened.

The table: a team meeting tomorrow of the region with the most cases, chaired by the
region's coordinator, with a delegate of each core partner (one per organisation, up to
``attendees`` people in all). One *round* is what the issue names: ``agenda_prepare``
(a rebuild: the first build runs as the warm-up and is reported apart) and
``packet_for`` for every attendee. Per phase it records wall time, the CPU time of this
process (``time.process_time``: on a shared, loaded machine the honest number for the
Python side) and the queries with their time as the driver saw it (``benchmark.meter``:
Django's debug cursor would add its own work to what is measured). ``packet_open`` (the
packet plus its audit rows, what the packet page does) is measured besides the round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ketenplan.benchmark.meter import metered
from ketenplan.core.settle import settled

#: The issue's target for the agenda and the packets, in milliseconds.
TARGET_MS = 300


class NoBenchData(LookupError):
    """No region (or no coordinator) to measure: generate the bench data first."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


class Sample:
    """One call: wall and CPU milliseconds, the queries and their time."""

    __slots__ = ("cpu_ms", "queries", "result", "sql_ms", "wall_ms")

    def __init__(self, fn: Callable[[], object]):
        with metered() as meter:
            wall, cpu = time.perf_counter(), time.process_time()
            self.result = fn()
            self.cpu_ms = (time.process_time() - cpu) * 1000
            self.wall_ms = (time.perf_counter() - wall) * 1000
        self.queries = meter.queries
        self.sql_ms = meter.seconds * 1000


def summary(samples: list[Sample]) -> dict:
    """Medians over the samples of one phase (the queries of the last one)."""

    def median(attribute: str) -> float:
        return round(statistics.median(getattr(s, attribute) for s in samples), 1)

    return {
        "ms": median("wall_ms"),
        "cpu_ms": median("cpu_ms"),
        "sql_ms": median("sql_ms"),
        "queries": samples[-1].queries,
    }


def choose_table(region_id: int | None = None, attendees: int = 8):
    """The region (annotated with ``case_count``), its coordinator and the table: the
    coordinator first, then one delegate of each core partner, ``attendees`` in all."""
    from ketenplan.accounts.models import Organisation, Professional, Region, Role
    from ketenplan.cases.policy import WORKS_ON_CASES

    regions = Region.objects.annotate(case_count=Count("cases")).order_by("-case_count", "pk")
    region = regions.filter(pk=region_id).first() if region_id else regions.first()
    if region is None:
        raise NoBenchData("No such region: generate the bench data first (bench_data).")
    staff = Professional.objects.filter(is_active=True, organisation__region=region)
    coordinator = staff.filter(role_grants__role=Role.COORDINATOR).order_by("pk").first()
    if coordinator is None:
        raise NoBenchData("The region has no coordinator.")
    table, seen = [coordinator], {coordinator.organisation_id}
    delegates = (
        staff.filter(organisation__ring=Organisation.Ring.CORE, role_grants__role__in=WORKS_ON_CASES)
        .order_by("organisation_id", "pk")
        .distinct()
    )
    for professional in delegates:
        if len(table) >= attendees:
            break
        if professional.organisation_id not in seen:
            seen.add(professional.organisation_id)
            table.append(professional)
    return region, coordinator, table


def measure(*, region_id: int | None = None, rounds: int = 5, attendees: int = 8) -> dict:
    """Build the agenda and every packet ``rounds`` times (after one warm-up round that
    builds the agenda for the first time) and return the timings; nothing stays written."""
    from ketenplan.meetings import agenda, services
    from ketenplan.meetings.models import Attendance, Meeting
    from ketenplan.meetings.packets import packet_for, packet_open

    region, coordinator, table = choose_table(region_id, attendees)
    rounds = max(1, rounds)
    round_samples: list[dict] = []
    with transaction.atomic():
        starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
        meeting = Meeting.objects.create(
            region=region,
            kind=Meeting.Kind.TEAM,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            chair=coordinator,
        )
        for professional in table:
            Attendance.objects.create(
                meeting=meeting,
                professional=professional,
                organisation_id=professional.organisation_id,
                confidentiality_confirmed_at=timezone.now(),
            )
        first_build = Sample(lambda: services.agenda_prepare(actor=coordinator, meeting=meeting))
        for professional in table:  # warm-up: per-process caches, translations
            packet_for(user=professional, meeting=meeting)
        with settled():  # as a web worker settles after start-up (config.wsgi)
            proposals = [Sample(lambda: agenda.propose(meeting)) for _ in range(rounds)]
            for _ in range(rounds):
                prepared = Sample(lambda: services.agenda_prepare(actor=coordinator, meeting=meeting))
                packets = [Sample(lambda p=p: packet_for(user=p, meeting=meeting)) for p in table]
                round_samples.append({"agenda_prepare": prepared, "packets": packets})
            opened = [
                [Sample(lambda p=p: packet_open(user=p, meeting=meeting)) for p in table]
                for _ in range(rounds)
            ]
        items = len(round_samples[-1]["agenda_prepare"].result)
        transaction.set_rollback(True)  # the data set stays as it was

    def total(r: dict, attribute: str) -> float:
        return getattr(r["agenda_prepare"], attribute) + sum(getattr(p, attribute) for p in r["packets"])

    walls = [total(r, "wall_ms") for r in round_samples]
    cpus = [total(r, "cpu_ms") for r in round_samples]
    sqls = [total(r, "sql_ms") for r in round_samples]
    last_packets = [p.result for p in round_samples[-1]["packets"]]
    per_packet = []
    for i, professional in enumerate(table):
        built = summary([r["packets"][i] for r in round_samples])
        audited = summary([o[i] for o in opened])
        per_packet.append(
            {
                "organisation": str(professional.organisation),
                "cases_seen": len(last_packets[i].case_ids),
                **built,
                "open": audited,
            }
        )
    return {
        "region": region.pk,
        "cases": region.case_count,
        "attendees": len(table),
        "items": items,
        "packets": len(table),
        "cases_seen_per_packet": [p["cases_seen"] for p in per_packet],
        "rounds": rounds,
        "target_ms": TARGET_MS,
        # One round: agenda_prepare + every packet (p50/p95 of the round's wall time).
        "p50_ms": round(percentile(walls, 0.5), 1),
        "p95_ms": round(percentile(walls, 0.95), 1),
        "max_ms": round(max(walls), 1),
        "cpu_p50_ms": round(percentile(cpus, 0.5), 1),
        "sql_p50_ms": round(percentile(sqls, 0.5), 1),
        "queries": round_samples[-1]["agenda_prepare"].queries
        + sum(p.queries for p in round_samples[-1]["packets"]),
        "phases": {
            "propose": summary(proposals) | {"items": len(proposals[-1].result)},
            "first_agenda_prepare": summary([first_build]),
            "agenda_prepare": summary([r["agenda_prepare"] for r in round_samples]),
            "packets": per_packet,
        },
    }
