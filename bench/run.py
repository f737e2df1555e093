# Starts our own tools (manage.py, gunicorn, locust) with fixed arguments.
# ruff: noqa: S603, E501
"""The load run behind ``make bench`` (``SCALE=region|national|smoke``, ``DBS="sqlite postgresql"``).

For each database: create and migrate a bench database if needed, generate the data set
once (``bench_data``), create signed-in sessions for the personas (``bench_sessions``),
serve the app with gunicorn (production settings plus the bench query counter, 2 x cores
+ 1 workers, 127.0.0.1 only), drive it with locust headless (16 users, bounded in time
and requests), sample the workers' RSS from /proc, and write
``bench/results/<date>-<scale>-<db>.json`` and ``.md``. The Markdown table is printed too.

After the load, with the server stopped, the same run measures in-process: the agenda and
every preparation packet of a team meeting of the largest region (issue 6, p50/p95 over
rounds), the audit write latency with concurrent writers and the sealer (issue 4,
``audit.bench.write_latency``) and the ``verify_audit`` rate (issue 4). The summary
compares the queries per request with the latest results of the other scale on the same
database and flags every difference (issue 7: identical at region and national scale).

``SCALE=smoke`` is a pipeline check only (a tiny data set, a short run); its results go to
``var/bench/results``, not ``bench/results``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "ketenplan_bench_")  # + scale
CORES = os.cpu_count() or 1

# Targets from issue 7 (p95 in ms).
TARGETS = {
    "case page": 100, "home (my work)": 100, "person search": 100, "API case detail": 100,
    "coordinator board": 200, "case timeline": 200,
}  # fmt: skip


def secret(name: str, make) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / name
    if not path.exists():
        path.write_text(make())
    return path.read_text().strip()


def environment(scale: str, db: str) -> dict:
    env = dict(os.environ)
    env.update(
        KETENPLAN_VAR_DIR=str(VAR / "state"),
        SECRET_KEY=secret("secret_key", lambda: base64.b64encode(os.urandom(48)).decode()),
        FIELD_ENCRYPTION_KEYS=secret("field_key", lambda: base64.b64encode(os.urandom(32)).decode()),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(VAR / "static"),
        LOG_LEVEL="ERROR",
        DATABASE_URL=(
            f"sqlite:///{VAR / f'{scale}.sqlite3'}" if db == "sqlite" else f"{PG_URL}{DB_PREFIX}{scale}"
        ),
    )
    return env


def manage(
    env: dict, *args: str, production: bool = False, check: bool = True
) -> subprocess.CompletedProcess:
    env = dict(env)
    if production:
        env.update(KETENPLAN_ENV="production", DJANGO_SETTINGS_MODULE="ketenplan.benchmark.settings")
    else:
        env.update(KETENPLAN_ENV="development", DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=check)


def prepare(scale: str, db: str, env: dict) -> dict:
    (VAR / "state").mkdir(parents=True, exist_ok=True)
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"{DB_PREFIX}{scale}"]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_PREFIX}{scale}"')
    manage(env, "migrate", "-v0")
    summary = VAR / f"{scale}-{db}-data.json"
    if manage(env, "bench_data", "--scale", scale, "--json", str(summary), check=False).returncode != 0:
        print("(data set exists: kept)")
    if not (VAR / "static" / "staticfiles.json").exists():  # compressing takes minutes: once
        manage(env, "collectstatic", "--noinput", "-v0", production=True)
    return json.loads(summary.read_text()) if summary.exists() else {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler(threading.Thread):
    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peak, self.running = master, {}, True

    def run(self):
        while self.running:
            for pid in children(self.master):
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))
            time.sleep(0.25)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def wait_until_serving(port: int, seconds: float = 180) -> None:
    """Until a worker answers the health check: an open port is not yet a booted worker
    (importing the app takes seconds, far longer on a busy machine)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


#: The two phases of the load, in this order, with the pause of each user after a response
#: (seconds, uniformly between the two): *capacity* keeps both cores saturated (throughput,
#: the ratio to the floor, and it warms every worker up), *latency* paces the users like
#: people reading the page they opened (latency without a queue of our own making; the
#: targets are judged on it).
PHASES = {"capacity": (0.0, 0.05), "latency": (1.0, 3.0)}


def run_load(scale, db, env, args) -> dict:
    fixture = VAR / f"{scale}-{db}-sessions.json"
    manage(env, "bench_sessions", str(fixture), production=True)
    port = free_port()
    workers = 2 * CORES + 1
    server_env = dict(env, KETENPLAN_ENV="production", DJANGO_SETTINGS_MODULE="ketenplan.benchmark.settings")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=server_env,
    )  # fmt: skip
    raw = {}
    try:
        wait_until_serving(port)
        sampler = MemorySampler(server.pid)
        sampler.start()
        for phase, (pause_min, pause_max) in PHASES.items():
            seconds = args.seconds if phase == "capacity" else args.latency_load_seconds
            out = VAR / f"{scale}-{db}-locust-{phase}.json"
            out.unlink(missing_ok=True)
            locust_env = dict(env, BENCH_FIXTURE=str(fixture), BENCH_LOCUST_OUT=str(out),
                              BENCH_MAX_REQUESTS=str(args.requests), BENCH_WAIT_MIN=str(pause_min),
                              BENCH_WAIT_MAX=str(pause_max))  # fmt: skip
            print(f"-- {phase} phase: {args.users} users pausing {pause_min}-{pause_max} s, {seconds} s")
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u",
                 str(args.users), "-r", str(args.users), "--run-time", f"{seconds}s", "--stop-timeout", "5",
                 "--only-summary", "--host", f"http://127.0.0.1:{port}", "--loglevel", "ERROR"],
                cwd=ROOT, env=locust_env, check=False, timeout=seconds + 120,
            )  # fmt: skip
            raw[phase] = json.loads(out.read_text())
        sampler.running = False
        sampler.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"raw": raw, "workers": workers, "peak_rss_mb": sampler.peak}


def run_extras(scale, db, env, args) -> dict:
    """In-process measurements after the load (server stopped): agenda + packets and the
    verify rate (``bench_extras``), the audit write latency (``write_latency``)."""
    extras = {}
    out = VAR / f"{scale}-{db}-extras.json"
    if manage(env, "bench_extras", str(out), "--rounds", str(args.rounds), check=False).returncode == 0:
        extras.update(json.loads(out.read_text()))
    else:
        extras["error"] = "bench_extras failed (see its output above)"
    # Scratch writes only: the audited transactions it makes are ordinary sealed audit rows.
    latency_env = dict(env, KETENPLAN_ENV="development", DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [str(BIN / "python"), "-m", "ketenplan.audit.bench.write_latency", "--writers", str(args.writers),
         "--seconds", str(args.latency_seconds)],
        cwd=ROOT, env=latency_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    print(done.stdout, done.stderr, sep="")
    extras["audit_write"] = (
        parse_write_latency(done.stdout) if done.returncode == 0 else {"error": done.stderr[-500:]}
    )
    return extras


LATENCY_LINE = re.compile(
    r"^(?P<label>with sealer|without sealer)\s*: (?P<writes>\d+) audited transactions \((?P<per_s>\d+)/s\), "
    r"ms per audit write \+ commit: p50 (?P<p50>[\d.]+), p95 (?P<p95>[\d.]+), p99 (?P<p99>[\d.]+), "
    r"max (?P<max>[\d.]+)"
)


def profile_slowest(result: dict, env: dict, stem: Path) -> dict | None:
    """Where a latency target is missed: a pyinstrument profile of the page furthest over
    its target, replayed in-process by ``bench_profile`` (server stopped, same data and
    personas), written beside the results as ``<stem>-profile.txt``."""
    missed = [
        (page["p95_ms"] / page["target_p95_ms"], name)
        for name, page in result["pages"].items()
        if page["target_p95_ms"] and page["p95_ms"] is not None and page["p95_ms"] >= page["target_p95_ms"]
    ]
    if not missed:
        return None
    name = max(missed)[1]  # bench_profile knows the pages by the locustfile's names
    out = VAR / "profiles" / stem.name
    out.mkdir(parents=True, exist_ok=True)
    fixture = VAR / f"{result['scale']}-{result['database']}-sessions.json"
    # Twice: the figures without the profiler (it doubles the CPU time), then the profile.
    measured = manage(env, "bench_profile", str(fixture), "--page", name, "--requests", "40",
                      "--json", str(out / "figures.json"), production=True, check=False)  # fmt: skip
    profiled = manage(env, "bench_profile", str(fixture), "--page", name, "--requests", "40", "--profile", str(out),
                      production=True, check=False)  # fmt: skip
    text = out / f"{name.replace(' ', '_')}.txt"
    if measured.returncode != 0 or profiled.returncode != 0 or not text.exists():
        return {"page": name, "error": "bench_profile failed (see its output above)"}
    target = stem.parent / f"{stem.name}-profile.txt"
    target.write_text(text.read_text())
    figures = json.loads((out / "figures.json").read_text())["pages"][0]
    return {"page": name, "file": target.name, "in_process": figures}


def parse_write_latency(text: str) -> dict:
    found = {"writers": None, "raw": text.strip()}
    for line in text.splitlines():
        if m := re.search(r"(\d+) writer processes", line):
            found["writers"] = int(m.group(1))
        if m := LATENCY_LINE.match(line.strip()):
            key = "with_sealer" if m["label"] == "with sealer" else "without_sealer"
            found[key] = {k: float(m[k]) for k in ("p50", "p95", "p99", "max")} | {
                "writes": int(m["writes"]), "per_second": int(m["per_s"])}  # fmt: skip
    return found


def compare_queries(result: dict) -> dict | None:
    """The queries per request of each page against the latest results of the other
    scale (region <-> national) on the same database, for the same shape of request: the
    same persona, and for a page of one case a case of the same shape (its stage, and whether
    the persona directs it: what a page reads depends on the state of what it shows; the
    cases sampled differ between the scales). Bookkeeping writes are not in the counts.
    Every difference is listed; shapes only one run saw are not compared."""
    other = {"region": "national", "national": "region"}.get(result["scale"])
    if other is None:
        return None
    previous = sorted(RESULTS.glob(f"*-{other}-{result['database']}.json"))
    if not previous:
        return {"other": other, "file": None, "differences": {}, "compared": 0}
    theirs = json.loads(previous[-1].read_text())
    differences, compared = {}, 0
    for name, page in result["pages"].items():
        their_page = theirs.get("pages", {}).get(name)
        if their_page is None:
            continue
        mine, their = page.get("queries_by_shape"), their_page.get("queries_by_shape")
        if not mine or not their:  # results from before shapes were recorded: whole pages
            compared += 1
            if page["queries"] != their_page["queries"]:
                differences[name] = {result["scale"]: page["queries"], other: their_page["queries"]}
            continue
        for shape in sorted(set(mine) & set(their)):
            compared += 1
            if mine[shape] != their[shape]:
                differences[f"{name} [{shape}]"] = {result["scale"]: mine[shape], other: their[shape]}
    missing = sorted(set(result["pages"]) ^ set(theirs.get("pages", {})))
    return {
        "other": other,
        "file": previous[-1].name,
        "differences": differences,
        "compared": compared,
        "not_in_both": missing,
    }


def queries_by_shape(*shaped) -> dict[str, list[int]]:
    """The query counts seen per *shape* of request (the locustfile's ``shape``: the
    persona, and for a page of one case its shape), from samples ``(ms, queries, ok,
    shape)`` or from such mappings already made (of both phases); "" where no shape was
    recorded."""
    seen = defaultdict(set)
    for rows in shaped:
        items = rows.items() if isinstance(rows, dict) else ((r[3] if len(r) > 3 else "", [r[1]]) for r in rows)
        for shape, counts in items:
            seen[shape].update(q for q in counts if q >= 0)
    return {shape: sorted(counts) for shape, counts in sorted(seen.items()) if counts}


def all_queries(by_shape: dict[str, list[int]]) -> list[int]:
    return sorted(set().union(*by_shape.values()))


def phase_figures(raw: dict) -> tuple[dict, float]:
    """Per page of one phase: requests, errors, latency percentiles, throughput, queries."""
    if raw.get("started_at") is None:  # not one response: say so rather than fail here
        print("!! a load phase recorded no request at all")
        raw["started_at"] = raw["stopped_at"]
    duration = max(1e-9, raw["stopped_at"] - raw["started_at"])
    pages = {}
    for name, rows in raw["samples"].items():
        ms = [r[0] for r in rows]
        by_shape = queries_by_shape(rows)
        pages[name] = {
            "requests": len(rows),
            "errors": sum(1 for r in rows if not r[2]),
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
            "mean_ms": round(statistics.fmean(ms), 2),
            "rps": round(len(rows) / duration, 1),
            "queries_by_shape": by_shape,
            "queries": all_queries(by_shape),
            "bookkeeping": sum(r[4] for r in rows if len(r) > 4),
        }
    return pages, duration


def summarise(scale, db, data, load, args) -> dict:
    """Latency figures from the latency phase (the targets are judged on them), throughput
    and the ratio to the floor from the capacity phase, errors and queries from both."""
    phases = {phase: phase_figures(raw) for phase, raw in load["raw"].items()}
    capacity, capacity_s = phases["capacity"]
    latency, latency_s = phases["latency"]
    pages = {}
    for name in sorted(set(capacity) | set(latency)):
        paced, busy = latency.get(name), capacity.get(name)
        page = dict(paced or {"requests": 0, "errors": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None})
        page["errors"] = (paced or {}).get("errors", 0) + (busy or {}).get("errors", 0)
        page["queries_by_shape"] = queries_by_shape(*((p or {}).get("queries_by_shape", {}) for p in (paced, busy)))
        page["queries"] = all_queries(page["queries_by_shape"])
        page["bookkeeping"] = sum((p or {}).get("bookkeeping", 0) for p in (paced, busy))
        page["saturated"] = busy
        page["rps"] = busy["rps"] if busy else 0.0
        page["target_p95_ms"] = TARGETS.get(name)
        pages[name] = page
    floor = capacity.get("floor")
    for page in pages.values():
        # Throughput relative to the floor, from the capacity phase: with the same
        # closed-loop concurrency, a page's capacity is inversely proportional to its mean
        # latency (requests/s per user).
        busy = page["saturated"]
        page["throughput_vs_floor"] = round(floor["mean_ms"] / busy["mean_ms"], 3) if floor and busy else None
    duration = capacity_s + latency_s
    # Never ``import locust`` here: it monkey-patches this process with gevent, and the
    # next database's run then hangs waiting for its gunicorn.
    versions = {
        "python": platform.python_version(),
        "django": installed("django"),
        "locust": installed("locust"),
        "database": db_version(db, data, load),
    }
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "scale": scale,
        "database": db,
        "cores": CORES,
        "machine": platform.machine(),
        "gunicorn_workers": load["workers"],
        "users": args.users,
        "duration_s": round(duration, 1),
        "total_requests": sum(
            p["requests"] + (p["saturated"] or {}).get("requests", 0) for p in pages.values()
        ),
        "phases": {
            phase: {
                "pause_s": list(PHASES[phase]),
                "seconds": round(seconds, 1),
                "requests": sum(p["requests"] for p in figures.values()),
            }
            for phase, (figures, seconds) in phases.items()
        },
        "peak_rss_mb_per_worker": round(max(load["peak_rss_mb"].values(), default=0), 1),
        "dataset": data.get("rows", {}),
        "generation_s": data.get("seconds"),
        "generation_timings": data.get("timings"),
        "generation_cpu": data.get("cpu"),
        "versions": versions,
        "pages": pages,
        "errors": {phase: raw.get("errors", {}) for phase, raw in load["raw"].items()},
    }


def installed(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def db_version(db, data, load) -> str:
    if db == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(PG_URL + "postgres") as conn:
        return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]


def extras_markdown(result: dict) -> list[str]:
    extras = result.get("extras") or {}
    lines = []
    a = extras.get("agenda_and_packets")
    if a:
        verdict = "✅" if a["p95_ms"] < a["target_ms"] else "❌ missed"
        lines.append(
            f"- **Agenda + all {a['packets']} preparation packets** of a team meeting of the largest region "
            f"({a['cases']:,} cases, {a['items']} agenda items), in-process, {a['rounds']} rounds: "
            f"p50 **{a['p50_ms']} ms**, p95 **{a['p95_ms']} ms**, {a['queries']} queries "
            f"(target < {a['target_ms']} ms {verdict})"
        )
    w = extras.get("audit_write") or {}
    if "with_sealer" in w:
        ws, wo = w["with_sealer"], w.get("without_sealer", {})
        lines.append(
            f"- **Audit write** (one audited transaction: audit row + commit, {w['writers']} concurrent writers): "
            f"p50 **{ws['p50']} ms**, p95 **{ws['p95']} ms**, p99 {ws['p99']} ms with the sealer running "
            f"(without: p50 {wo.get('p50')} ms, p95 {wo.get('p95')} ms); {ws['per_second']} writes/s"
        )
    elif w:
        lines.append(f"- Audit write latency: not measured ({w.get('error', 'unparsed output')[:200]})")
    v = extras.get("verify")
    if v:
        verdict = "✅" if v["per_minute"] >= v["target_per_minute"] else "❌ missed"
        lines.append(
            f"- **verify_audit**: {v['rows']:,} rows ({v['how']}) in {v['seconds']} s = "
            f"**{v['per_minute']:,} rows a minute**, chain ok: {v['ok']} (target ≥ {v['target_per_minute']:,} {verdict})"
        )
    c = result.get("queries_vs_other_scale")
    if c is not None:
        if c["file"] is None:
            lines.append(
                f"- Queries per request vs {c['other']} scale: no {c['other']} results on this database yet"
            )
        elif c["differences"]:
            diffs = "; ".join(
                f"{page}: {'/'.join(map(str, q[result['scale']]))} here vs {'/'.join(map(str, q[c['other']]))}"
                for page, q in sorted(c["differences"].items())
            )
            lines.append(
                f"- ⚠️ **Queries per request differ from {c['other']} scale** for the same persona and case shape "
                f"({c['file']}): {diffs}"
            )
        else:
            lines.append(
                f"- Queries per request identical to {c['other']} scale ({c['file']}) for each of the "
                f"{c.get('compared', 0)} (page, persona, case shape) combinations both runs saw ✅"
            )
    bookkeeping = {name: p["bookkeeping"] for name, p in result["pages"].items() if p.get("bookkeeping")}
    if bookkeeping:
        lines.append(
            "- Counted apart from the queries: the API token's last-use time, written at most every "
            "five minutes per token (writes per page: "
            + ", ".join(f"{n} {k}" for n, k in sorted(bookkeeping.items()))
            + ")"
        )
    slowest = result.get("slowest_profile")
    if slowest and "error" in slowest:
        lines.append(f"- Profile of the slowest page ({slowest['page']}): {slowest['error']}")
    elif slowest:
        f = slowest["in_process"]
        page = result["pages"][slowest["page"]]
        lines.append(
            f"- **Slowest page against its target: {slowest['page']}** (p95 {page['p95_ms']} ms, target "
            f"< {page['target_p95_ms']} ms). Replayed in-process without load ({f['requests']} requests): "
            f"{f['wall_ms']} ms wall, {f['cpu_ms']} ms CPU, {f['sql_ms']} ms in the database driver per request, "
            f"{'/'.join(map(str, f['queries']))} queries; pyinstrument profile: `bench/results/{slowest['file']}`"
        )
    if result.get("generation_s"):
        lines.append(f"- Data generation: {result['generation_s']} s (phases in the JSON)")
    return ["", *lines] if lines else []


def phases_sentence(result: dict) -> str:
    phases = result.get("phases") or {}
    latency, capacity = phases.get("latency", {}), phases.get("capacity", {})
    return (
        f"Latency columns: the *latency phase* ({latency.get('requests', 0):,} requests in {latency.get('seconds')} s, "
        f"each user pausing {'-'.join(map(str, latency.get('pause_s', [])))} s after a response, as a person "
        f"reading the page); the targets are judged on it. *Saturated* columns and the ratio to the floor: "
        f"the *capacity phase* before it ({capacity.get('requests', 0):,} requests in {capacity.get('seconds')} s, "
        f"pauses of {'-'.join(map(str, capacity.get('pause_s', [])))} s, both cores busy)."
    )


def markdown(result: dict) -> str:
    rows = result["dataset"]
    size = ", ".join(
        f"{rows.get(t, 0):,} {label}"
        for t, label in [("cases_case", "cases"), ("persons_person", "persons"),
                         ("dossier_contribution", "contributions"), ("plans_action", "actions"),
                         ("plans_contact", "contacts"), ("audit_auditevent", "audit rows")]
    )  # fmt: skip
    v = result["versions"]
    lines = [
        f"### {result['scale']} · {v['database']} · {result['date'][:10]}",
        "",
        f"{result['cores']} cores, gunicorn {result['gunicorn_workers']} workers, {result['users']} users, "
        f"{result['total_requests']:,} requests in {result['duration_s']} s; data set: {size or 'kept from earlier'}; "
        f"Python {v['python']}, Django {v['django']}, locust {v['locust']}. "
        f"Peak RSS per worker: **{result['peak_rss_mb_per_worker']} MB** (target < 250).",
        "",
        phases_sentence(result),
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | saturated p50 / p95 ms | saturated req/s | queries "
        "| throughput ÷ floor | target p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, p in sorted(result["pages"].items(), key=lambda kv: kv[0] != "floor"):
        target = p["target_p95_ms"]
        if target is None:
            verdict = ""
        elif p["p95_ms"] is None:
            verdict = f"< {target}: not measured"
        else:
            verdict = f"< {target} ✅" if p["p95_ms"] < target else f"< {target} ❌ missed"
        queries = "/".join(str(q) for q in p["queries"]) or "-"
        busy = p.get("saturated") or {}
        saturated = f"{busy['p50_ms']} / {busy['p95_ms']}" if busy else "-"
        lines.append(
            f"| {name} | {p['requests']:,} | {p['errors']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} | "
            f"{saturated} | {p['rps']} | {queries} | {p['throughput_vs_floor']} | {verdict} |"
        )
    lines.extend(extras_markdown(result))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", default=os.environ.get("SCALE", "region"), choices=["region", "national", "smoke"]
    )
    parser.add_argument("--dbs", default=os.environ.get("DBS", ""))
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("BENCH_SECONDS", "60")),
        help="capacity phase (saturating) duration",
    )
    parser.add_argument(
        "--latency-load-seconds",
        type=int,
        default=int(os.environ.get("BENCH_LATENCY_SECONDS", "120")),
        help="latency phase (paced users) duration",
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "30000")))
    parser.add_argument("--rounds", type=int, default=20, help="agenda + packets rounds")
    parser.add_argument("--writers", type=int, default=8, help="audit write latency: writer processes")
    parser.add_argument(
        "--latency-seconds", type=int, default=10, help="audit write latency: seconds per run"
    )
    args = parser.parse_args()
    dbs = args.dbs.split() or (["postgresql"] if args.scale == "national" else ["sqlite", "postgresql"])
    if args.scale == "smoke":  # a pipeline check: short, and its results kept out of bench/results
        global RESULTS
        RESULTS = VAR / "results"
        if "BENCH_SECONDS" not in os.environ:
            args.seconds = 20
        if "BENCH_LATENCY_SECONDS" not in os.environ:
            args.latency_load_seconds = 20
        args.rounds, args.latency_seconds = 3, 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    summaries = []
    for db in dbs:
        print(f"== {args.scale} on {db}")
        env = environment(args.scale, db)
        data = prepare(args.scale, db, env)
        if not data:
            previous = sorted(RESULTS.glob(f"*-{args.scale}-{db}.json"))
            data = json.loads(previous[-1].read_text()) if previous else {}
            data = {"rows": data.get("dataset", {}), "seconds": data.get("generation_s"),
                    "timings": data.get("generation_timings"), "cpu": data.get("generation_cpu")}  # fmt: skip
        load = run_load(args.scale, db, env, args)
        result = summarise(args.scale, db, data, load, args)
        result["extras"] = run_extras(args.scale, db, env, args)
        result["queries_vs_other_scale"] = compare_queries(result)
        stem = RESULTS / f"{dt.date.today().isoformat()}-{args.scale}-{db}"
        result["slowest_profile"] = profile_slowest(result, env, stem)
        stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
        text = markdown(result)
        stem.with_suffix(".md").write_text(text)
        summaries.append(text)
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
