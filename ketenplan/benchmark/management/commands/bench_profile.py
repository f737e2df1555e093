"""``manage.py bench_profile SESSIONS.json``: the server cost of each load-run page, in-process.

Replays the pages of ``bench/locustfile.py`` (meetings and writes aside) through the
whole middleware stack with ``django.test.Client``, carrying the personas' session
cookies and API tokens from ``bench_sessions``, and prints per page the mean wall and CPU
milliseconds per request and the queries per request. No queueing, no network, no
locust: what one request costs the web process. ``--profile DIR`` writes a pyinstrument
profile per page (HTML and text) for the same requests.

Run with the environment of the load run (production settings: ``KETENPLAN_ENV=production``
and ``DJANGO_SETTINGS_MODULE=ketenplan.benchmark.settings``) on a bench database. The
requests write what the personas' requests write in the load run (audit rows, session
expiry), nothing else.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test import Client

from ketenplan.benchmark.meter import metered

PAGES = (
    "floor",
    "home (my work)",
    "case page",
    "case timeline",
    "coordinator board",
    "person search",
    "risk page",
    "API case list",
    "API case detail",
)


def request_for(page: str, persona: dict, rng: random.Random) -> tuple[str, dict, dict] | None:
    """(path, query, headers) of one request of ``page`` by ``persona``, as the locustfile
    makes it; None when the persona does not open that page."""
    api = {"HTTP_AUTHORIZATION": f"Bearer {persona['token']}", "HTTP_ACCEPT": "application/json"}
    case = rng.choice(persona["cases"]) if persona["cases"] else None
    if page == "floor":
        return "/bench/floor/", {}, {}
    if page == "home (my work)":
        return "/", {}, {}
    if page == "coordinator board":
        return ("/board/", {}, {}) if persona["name"] == "coordinator" else None
    if page == "person search":
        if not persona["names"]:
            return None
        given, family, born = rng.choice(persona["names"])
        query = {"given_names": given, "family_name": family}
        if born and rng.random() < 0.5:
            query["birth_date"] = born
        return "/cases/register/proposals/", query, {"HTTP_HX_REQUEST": "true"}
    if page == "API case list":
        return "/api/cases/", {}, api
    if case is None:
        return None
    return {
        "case page": (f"/cases/{case}/", {}, {}),
        "case timeline": (f"/cases/{case}/timeline/", {}, {}),
        "risk page": (f"/cases/{case}/risk/", {}, {}),
        "API case detail": (f"/api/cases/{case}/", {}, api),
    }[page]


class Command(BaseCommand):
    help = "Mean wall/CPU ms and queries per request of the load-run pages, in-process (bench only)."

    def add_arguments(self, parser):
        parser.add_argument("sessions", help="the JSON written by bench_sessions")
        parser.add_argument("--requests", type=int, default=40, help="measured requests per page")
        parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per page and persona")
        parser.add_argument("--page", action="append", choices=PAGES, help="only these pages (repeatable)")
        parser.add_argument("--persona", action="append", help="only these personas (repeatable)")
        parser.add_argument("--profile", metavar="DIR", help="write a pyinstrument profile per page")
        parser.add_argument("--json", dest="json_out", metavar="OUT", help="write the figures as JSON too")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, sessions, requests, warmup, page, persona, profile, json_out, seed, **opts):
        if not getattr(settings, "KETENPLAN_BENCH", False):
            raise CommandError("bench_profile runs with ketenplan.benchmark.settings only.")
        fixture = _load(sessions)
        personas = [p for p in fixture["personas"] if not persona or p["name"] in persona]
        if not personas:
            raise CommandError("No personas to replay.")
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "testserver"
        clients = {}
        for p in personas:
            client = Client(HTTP_HOST=host, **{"wsgi.url_scheme": "https"})
            client.cookies[fixture["session_cookie"]] = p["session"]
            clients[p["name"]] = client

        rows = []
        for name in page or PAGES:
            rng = random.Random(seed)  # noqa: S311 - which cases to open, nothing secret
            plan = []
            for i in range(requests):
                p = personas[i % len(personas)]
                req = request_for(name, p, rng)
                if req is not None:
                    plan.append((p["name"], req))
            if not plan:
                continue
            for p in personas:  # warm per-process caches (templates, translations, plans)
                for _ in range(warmup):
                    req = request_for(name, p, rng)
                    if req is not None:
                        self._get(clients[p["name"]], req, expect=None)
            profiler = None
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            walls, cpus, sqls, queries = [], [], [], []
            for who, req in plan:
                with metered() as meter:
                    wall, cpu = time.perf_counter(), time.process_time()
                    try:
                        self._get(clients[who], req)
                    finally:
                        cpu = time.process_time() - cpu
                        wall = time.perf_counter() - wall
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
                sqls.append(meter.seconds * 1000)
                queries.append(meter.page_queries)
            if profiler is not None:
                profiler.stop()
                out = Path(profile)
                out.mkdir(parents=True, exist_ok=True)
                stem = name.replace(" ", "_")
                (out / f"{stem}.html").write_text(profiler.output_html())
                (out / f"{stem}.txt").write_text(profiler.output_text(unicode=False, color=False))
                profiler.last_session.save(str(out / f"{stem}.pyisession"))
            rows.append({
                "page": name,
                "requests": len(walls),
                "wall_ms": round(statistics.fmean(walls), 2),
                "wall_p50_ms": round(statistics.median(walls), 2),
                "cpu_ms": round(statistics.fmean(cpus), 2),
                "sql_ms": round(statistics.fmean(sqls), 2),
                "queries": sorted(set(queries)),
            })  # fmt: skip
        head = f"{'page':<20} {'n':>4} {'wall ms':>9} {'p50 ms':>8} {'CPU ms':>8} {'SQL ms':>8}  queries"
        self.stdout.write(head)
        for r in rows:
            q = "/".join(str(n) for n in r["queries"])
            self.stdout.write(
                f"{r['page']:<20} {r['requests']:>4} {r['wall_ms']:>9.1f} {r['wall_p50_ms']:>8.1f} "
                f"{r['cpu_ms']:>8.1f} {r['sql_ms']:>8.1f}  {q}"
            )
        if json_out:
            Path(json_out).write_text(_dumps({"database": connections["default"].vendor, "pages": rows}))

    def _get(self, client: Client, req, expect: int | None = 200):
        path, query, headers = req
        response = client.get(path, query, **headers)
        if expect is not None and response.status_code != expect:
            raise CommandError(f"{path} {query}: status {response.status_code}, expected {expect}")
        return response


def _load(path: str) -> dict:
    return json.loads(Path(path).read_text())


def _dumps(data) -> str:
    return json.dumps(data, indent=2) + "\n"
