"""How long a request waits for its audit write, with many writers and the sealer at work.

    KETENPLAN_VAR_DIR=$(mktemp -d) DATABASE_URL=postgres://.../scratch \\
        python -m ketenplan.audit.bench.write_latency --writers 8 --seconds 20

Each writer thread repeats a short transaction that writes one audit row (the shape of
every service: ``atomic`` → ``audit_record`` → commit) and times the audit write and the
commit. Run once without and once with a sealer thread sealing continuously; the
difference is what the chain costs a request. Scratch database only (audit rows cannot be
removed); refuses in production.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


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
    from django.db import connection, connections, transaction

    from ketenplan.audit.services import audit_record, seal_pending

    if settings.PRODUCTION:
        raise SystemExit("Refusing to write benchmark audit events in production.")
    call_command("migrate", verbosity=0)

    def run(with_sealer: bool) -> dict:
        stop = threading.Event()
        samples: list[float] = []
        sealed = [0]
        lock = threading.Lock()

        def writer(n: int) -> None:
            mine = []
            i = 0
            while not stop.is_set():
                started = time.perf_counter()
                with transaction.atomic():
                    audit_record(action="case.viewed", object_type="cases.case", object_id=f"{n}-{i}",
                                 detail={"bench": True})  # fmt: skip
                mine.append(time.perf_counter() - started)
                i += 1
            with lock:
                samples.extend(mine)
            connections.close_all()

        def sealer() -> None:
            while not stop.is_set():
                sealed[0] += seal_pending().sealed
                time.sleep(0.05)
            connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
        if with_sealer:
            threads.append(threading.Thread(target=sealer))
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        ms = [s * 1000 for s in samples]
        return {
            "writes": len(ms),
            "per_second": len(ms) / args.seconds,
            "p50": statistics.median(ms),
            "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99),
            "max": max(ms),
            "sealed": sealed[0],
        }

    print(f"database: {connection.vendor}, {args.writers} writer threads, {args.seconds:.0f} s each")
    for with_sealer in (False, True):
        r = run(with_sealer)
        label = "with sealer   " if with_sealer else "without sealer"
        print(f"{label}: {r['writes']} audited transactions ({r['per_second']:.0f}/s), "
              f"ms per audit write + commit: p50 {r['p50']:.1f}, p95 {r['p95']:.1f}, "
              f"p99 {r['p99']:.1f}, max {r['max']:.1f}; sealed {r['sealed']}")  # fmt: skip
    seal_pending()


if __name__ == "__main__":
    main()
