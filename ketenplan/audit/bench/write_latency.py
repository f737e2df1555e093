"""How long a request waits for its audit write, with many writers and the sealer at work.

    KETENPLAN_VAR_DIR=$(mktemp -d) DATABASE_URL=postgres://.../scratch \\
        python -m ketenplan.audit.bench.write_latency --writers 8 --seconds 20

Each writer process repeats a short transaction that writes one audit row (the shape of
every service: ``atomic`` → ``audit_record`` → commit) and times the audit write and the
commit. Run once without and once with a sealer process sealing continuously; the
difference is what the chain costs a request. On PostgreSQL it also samples
``pg_stat_activity`` for writers waiting on a lock. Scratch database only (audit rows cannot be
removed); refuses in production.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _writer(n: int, seconds: float, queue) -> None:
    """One writer process (like a gunicorn worker): audited transactions, timed."""
    from django.db import connections, transaction

    from ketenplan.audit.services import audit_record

    samples = []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with transaction.atomic():
            audit_record(action="case.viewed", object_type="cases.case", object_id=f"{n}-{i}",
                         detail={"bench": True})  # fmt: skip
        samples.append(time.perf_counter() - started)
        i += 1
    connections.close_all()
    queue.put(samples)


def _sealer(seconds: float, queue) -> None:
    from django.db import connections

    from ketenplan.audit.services import seal_pending

    sealed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sealed += seal_pending().sealed
        time.sleep(0.05)
    connections.close_all()
    queue.put(sealed)


def _lock_waits(seconds: float) -> tuple[int, int]:
    """Sample PostgreSQL every 5 ms: (samples, samples with a writer waiting on a lock)."""
    from django.db import connection

    samples = waits = 0
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO%%audit_auditevent%%'"
            )
            samples += 1
            waits += cursor.fetchone()[0] > 0
            time.sleep(0.005)
    return samples, waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from ketenplan.audit.services import seal_pending

    if settings.PRODUCTION:
        raise SystemExit("Refusing to write benchmark audit events in production.")
    call_command("migrate", verbosity=0)
    seal_pending()
    context = multiprocessing.get_context("fork")

    def run(with_sealer: bool) -> dict:
        connections.close_all()  # never share a connection with the forked processes
        queue = context.Queue()
        processes = [
            context.Process(target=_writer, args=(n, args.seconds, queue)) for n in range(args.writers)
        ]
        if with_sealer:
            processes.append(context.Process(target=_sealer, args=(args.seconds, queue)))
        for process in processes:
            process.start()
        lock_samples = _lock_waits(args.seconds) if connection.vendor == "postgresql" else (0, 0)
        results = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        ms = [s * 1000 for r in results if isinstance(r, list) for s in r]
        return {
            "writes": len(ms),
            "per_second": len(ms) / args.seconds,
            "p50": statistics.median(ms),
            "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99),
            "max": max(ms),
            "sealed": sum(r for r in results if isinstance(r, int)),
            "lock_samples": lock_samples,
        }

    print(f"database: {connection.vendor}, {args.writers} writer processes, {args.seconds:.0f} s each")
    for with_sealer in (False, True):
        r = run(with_sealer)
        label = "with sealer   " if with_sealer else "without sealer"
        samples, waits = r["lock_samples"]
        locks = f"; writers waiting on a lock in {waits} of {samples} samples" if samples else ""
        print(f"{label}: {r['writes']} audited transactions ({r['per_second']:.0f}/s), "
              f"ms per audit write + commit: p50 {r['p50']:.1f}, p95 {r['p95']:.1f}, "
              f"p99 {r['p99']:.1f}, max {r['max']:.1f}; sealed {r['sealed']}{locks}")  # fmt: skip
    seal_pending()


if __name__ == "__main__":
    main()
