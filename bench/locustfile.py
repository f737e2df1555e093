# Load scenario: random choices of pages and cases, nothing cryptographic.
# ruff: noqa: S311, E501
"""Load scenario: professionals of several roles and organisations at work, signed in.

Run by ``bench/run.py`` (``make bench``); not meant to be started by hand. Reads the
personas (pre-made sessions, API tokens, their cases) from ``$BENCH_FIXTURE``, records
every response's latency and the ``X-Bench-Queries`` header of the bench middleware, and
writes them to ``$BENCH_LOCUST_OUT`` when it stops: after ``--run-time`` or after
``$BENCH_MAX_REQUESTS`` requests, whichever comes first.

Each user pauses between ``$BENCH_WAIT_MIN`` and ``$BENCH_WAIT_MAX`` seconds after each
response: the *latency phase* pauses like a person reading the page (1-3 s), the
*capacity phase* hardly at all (0-0.05 s) and keeps both cores saturated.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import defaultdict

from locust import HttpUser, between, events, task

FIXTURE = json.load(open(os.environ["BENCH_FIXTURE"]))  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
OUT = os.environ["BENCH_LOCUST_OUT"]
WAIT = (float(os.environ.get("BENCH_WAIT_MIN", "0")), float(os.environ.get("BENCH_WAIT_MAX", "0.05")))

_personas = itertools.cycle(FIXTURE["personas"])
# name -> (ms, queries, ok, shape, bookkeeping); the shape is what decides a request's
# queries besides the code: the persona, and for a page of one case the case's shape
# (``Professional.shape``); bookkeeping: the occasional writes the bench middleware counts
# apart (``X-Bench-Bookkeeping``).
samples: dict[str, list[tuple[float, int, int, str, int]]] = defaultdict(list)
errors: dict[str, list[str]] = defaultdict(list)
started_at = [None]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kw):
    if started_at[0] is None:
        started_at[0] = time.time()
    queries, bookkeeping = -1, 0
    if response is not None and getattr(response, "headers", None) is not None:
        queries = int(response.headers.get("X-Bench-Queries", -1))
        bookkeeping = int(response.headers.get("X-Bench-Bookkeeping", 0))
    shape = (kw.get("context") or {}).get("shape", "")
    samples[name].append((response_time, queries, 0 if exception else 1, shape, bookkeeping))
    if exception and len(errors[name]) < 5:
        errors[name].append(f"{exception}"[:300])
    total = sum(len(v) for v in samples.values())
    if total >= MAX_REQUESTS:
        runner = kw.get("context", {}).get("runner") or _runner[0]
        if runner is not None:
            runner.quit()


_runner = [None]


@events.init.add_listener
def _init(environment, **kw):
    _runner[0] = environment.runner


@events.quitting.add_listener
def _write(environment, **kw):
    with open(OUT, "w") as f:
        json.dump(
            {
                "started_at": started_at[0],
                "stopped_at": time.time(),
                "samples": samples,
                "errors": errors,
            },
            f,
        )


class Professional(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.p = next(_personas)
        self.client.cookies.set(FIXTURE["session_cookie"], self.p["session"])
        self.api = {"Authorization": f"Bearer {self.p['token']}", "Accept": "application/json"}
        self.case = lambda: random.choice(self.p["cases"])

    def shape(self, case=None) -> str:
        """Who asks, and for a page of one case that case's shape (``bench_sessions``)."""
        if case is None:
            return self.p["name"]
        return f"{self.p['name']} · {self.p['case_shapes'].get(str(case), '?')}"

    def get(self, url, name, case=None, **kw):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True,
                             context={"shape": self.shape(case)}, **kw) as r:  # fmt: skip
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {url}")

    @task(3)
    def floor(self):
        self.get("/bench/floor/", "floor")

    @task(3)
    def home(self):
        self.get("/", "home (my work)")

    @task(5)
    def case_page(self):
        case = self.case()
        self.get(f"/cases/{case}/", "case page", case=case)

    @task(2)
    def timeline(self):
        case = self.case()
        self.get(f"/cases/{case}/timeline/", "case timeline", case=case)

    @task(2)
    def board(self):
        if self.p["name"] == "coordinator":
            self.get("/board/", "coordinator board")

    @task(3)
    def person_search(self):
        given, family, born = random.choice(self.p["names"])
        params = {"given_names": given, "family_name": family}
        if born and random.random() < 0.5:
            params["birth_date"] = born
        self.get("/cases/register/proposals/", "person search", params=params, headers={"HX-Request": "true"})

    @task(2)
    def risk(self):
        case = self.case()
        self.get(f"/cases/{case}/risk/", "risk page", case=case)

    @task(2)
    def api_list(self):
        self.get("/api/cases/", "API case list", headers=self.api)

    @task(2)
    def api_detail(self):
        case = self.case()
        self.get(f"/api/cases/{case}/", "API case detail", case=case, headers=self.api)

    @task(1)
    def write_contact(self):
        if not self.p["execution_cases"]:
            return
        case, person = random.choice(self.p["execution_cases"])
        body = {"kind": "phone", "at": "2024-05-01T10:00:00+02:00", "with_persons": [person],
                "summary": "Telefonisch contact met moeder; afspraken overlopen."}  # fmt: skip
        with self.client.post(f"/api/cases/{case}/contacts/", json=body, headers=self.api, name="write: contact",
                              catch_response=True, context={"shape": self.shape(case)}) as r:  # fmt: skip
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    # Meetings (issue 6): the agenda and the preparation packet of the bench meeting
    # (the personas attend it), the escalation list and the consultation hours.
    @task(1)
    def meeting_agenda(self):
        if self.p.get("meeting"):
            self.get(f"/meetings/{self.p['meeting']}/", "meeting agenda")

    @task(1)
    def meeting_packet(self):
        if self.p.get("meeting"):
            self.get(f"/meetings/{self.p['meeting']}/packet/", "meeting packet")

    @task(1)
    def escalations(self):
        self.get("/meetings/escalations/", "escalation list")

    @task(1)
    def consultation_hours(self):
        self.get("/meetings/consultations/", "consultation hours")
