"""Query-count baselines (NetBox style): each main page costs a pinned number of queries,
the same whether the region holds 10 or 1,000 cases.

The data comes from the benchmark generator at a tiny scale (bulk inserts, a few
seconds), not through the services. Baselines live in ``query_baselines.json``; a page
that adds a query fails here until the baseline is consciously updated.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketenplan.benchmark.generator import Generator, tiny_scale
from ketenplan.benchmark.management.commands.bench_sessions import persona_users
from ketenplan.cases.models import Stage
from ketenplan.cases.selectors import visible_cases

BASELINES = Path(__file__).with_name("query_baselines.json")


def pages_for(user, persona: str) -> dict[str, tuple[str, dict]]:
    cases = visible_cases(user=user)
    # The same kind of case at every scale: in execution, directed by the persona if they direct.
    execution = cases.filter(stage=Stage.EXECUTION).order_by("pk")
    if persona == "case_director":
        execution = execution.filter(case_director=user)
    case = execution.first()
    person = case.members.select_related("person").order_by("pk").first().person
    pages = {
        "home": ("/", {}),
        "case page": (f"/cases/{case.pk}/", {}),
        "case timeline": (f"/cases/{case.pk}/timeline/", {}),
        "person search": (
            f"/cases/register/proposals/?given_names={person.given_names}&family_name={person.family_name}",
            {"HTTP_HX_REQUEST": "true"},
        ),
        "risk page": (f"/cases/{case.pk}/risk/", {}),
        "API case list": ("/api/cases/", {"HTTP_ACCEPT": "application/json"}),
        "API case detail": (f"/api/cases/{case.pk}/", {"HTTP_ACCEPT": "application/json"}),
    }
    if persona == "coordinator":
        pages["coordinator board"] = ("/board/", {})
    return pages


def measure(client, cases: int) -> dict[str, int]:
    Generator(tiny_scale(cases), seed=7).run()
    counts = {}
    for persona, user in sorted(persona_users().items()):
        client.force_login(user)
        for page, (url, headers) in pages_for(user, persona).items():
            client.get(url, **headers)  # warm per-process caches (profiles, instruments)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, **headers)
            assert response.status_code == 200, (persona, page, url, response.status_code)
            counts[f"{persona}: {page}"] = len(queries)
        client.logout()
    return counts


def check(counts: dict[str, int]) -> None:
    if os.environ.get("UPDATE_QUERY_BASELINES") == "1":  # a conscious update, see the JSON's comment
        data = json.loads(BASELINES.read_text())
        data["pages"] = dict(sorted(counts.items()))
        BASELINES.write_text(json.dumps(data, indent=2) + "\n")
    pinned = json.loads(BASELINES.read_text())["pages"]
    assert counts == pinned, (
        "Query counts differ from the baselines in query_baselines.json. If the change is "
        "intended (and does not grow with the data), update the file:\n"
        + json.dumps(counts, indent=2, sort_keys=True)
    )


@pytest.mark.django_db
def test_query_counts_with_10_cases(client):
    check(measure(client, 10))


@pytest.mark.django_db
def test_query_counts_with_1000_cases(client):
    check(measure(client, 1000))
