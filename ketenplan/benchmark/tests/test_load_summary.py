"""The load run's summary (``bench/run.py``): latency judged on the paced phase,
throughput and the ratio to the floor from the saturating phase, errors of both."""

import importlib.util
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parents[3] / "bench" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def phase(started, samples, errors=None):
    """A locust output of one phase: page -> [(ms, queries, ok), ...]."""
    return {"started_at": started, "stopped_at": started + 10, "samples": samples, "errors": errors or {}}


@pytest.fixture
def load():
    return {
        "workers": 5,
        "peak_rss_mb": {101: 110.0, 102: 120.5},
        "raw": {
            # Saturated: everything queues; the floor answers in 400 ms, the case page in 800.
            "capacity": phase(
                1000,
                {
                    "floor": [(400, 6, 1)] * 20,
                    "case page": [(800, 20, 1)] * 9 + [(900, 21, 0)],
                },
                {"case page": ["500 for /cases/1/"]},
            ),
            # Paced: no queue; the case page is fast except for two slow answers in 20.
            "latency": phase(
                2000,
                {
                    "floor": [(10, 6, 1)] * 20,
                    "case page": [(40, 20, 1)] * 18 + [(150, 20, 1)] * 2,
                },
            ),
        },
    }


def test_latency_comes_from_the_paced_phase_and_throughput_from_the_saturated_one(run, load):
    class Args:
        users = 16

    result = run.summarise("region", "sqlite", {"rows": {"cases_case": 10}}, load, Args)
    case = result["pages"]["case page"]
    assert (case["requests"], case["p50_ms"], case["p95_ms"]) == (20, 40, 150)
    assert case["saturated"]["p50_ms"] == 800
    assert case["rps"] == 1.0  # 10 requests in the 10 s capacity phase
    assert case["errors"] == 1  # the failed request of the capacity phase counts
    assert case["queries"] == [20, 21]
    # Ratio to the floor: mean latencies under the same saturation (400 / 810).
    assert case["throughput_vs_floor"] == pytest.approx(400 / 810, abs=0.001)
    assert result["total_requests"] == 70
    assert result["peak_rss_mb_per_worker"] == 120.5
    assert result["phases"]["latency"]["pause_s"] == [1.0, 3.0]

    text = run.markdown(result)
    row = "| case page | 20 | 1 | 40 | 150 | 150 | 800 / 900 | 1.0 | 20/21 | 0.494 | < 100 ❌ missed |"
    assert row in text
    assert "latency phase* (40 requests in 10 s" in text


def test_a_page_seen_only_under_saturation_is_not_judged(run, load):
    del load["raw"]["latency"]["samples"]["case page"]

    class Args:
        users = 16

    result = run.summarise("region", "sqlite", {}, load, Args)
    assert result["pages"]["case page"]["p95_ms"] is None
    assert "< 100: not measured" in run.markdown(result)


def test_the_summary_names_the_slowest_page_and_its_profile(run, load):
    class Args:
        users = 16

    result = run.summarise("region", "sqlite", {}, load, Args)
    result["slowest_profile"] = {
        "page": "case page",
        "file": "2026-12-07-region-sqlite-profile.txt",
        "in_process": {"requests": 40, "wall_ms": 31.0, "cpu_ms": 30.5, "sql_ms": 1.9, "queries": [19, 20]},
    }
    text = run.markdown(result)
    assert "**Slowest page against its target: case page** (p95 150 ms, target < 100 ms)" in text
    assert "`bench/results/2026-12-07-region-sqlite-profile.txt`" in text


def test_queries_are_compared_across_scales_for_the_same_persona_and_case_stage(run, tmp_path, monkeypatch):
    """What a case page reads depends on the stage of the case it shows, and the two runs
    sample different cases: counts are compared per persona and stage, only where both
    runs saw that combination."""

    class Args:
        users = 16

    def result_of(scale, rows):
        raw = {"capacity": phase(1000, {"case page": rows}), "latency": phase(2000, {"case page": rows})}
        return run.summarise(scale, "postgresql", {}, {"workers": 5, "peak_rss_mb": {}, "raw": raw}, Args)

    region = result_of("region", [
        (30, 20, 1, "police · intake"), (30, 23, 1, "police · execution"), (30, 25, 1, "police · closed"),
    ])  # fmt: skip
    assert region["pages"]["case page"]["queries_by_shape"] == {
        "police · closed": [25], "police · execution": [23], "police · intake": [20],
    }  # fmt: skip
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    (tmp_path / "2026-12-07-region-postgresql.json").write_text(run.json.dumps(region))

    same = result_of("national", [(30, 20, 1, "police · intake"), (30, 23, 1, "police · execution")])
    comparison = run.compare_queries(same)
    assert comparison["differences"] == {} and comparison["compared"] == 2
    same["queries_vs_other_scale"] = comparison
    assert "identical to region scale" in run.markdown(same)

    grown = result_of("national", [(30, 20, 1, "police · intake"), (30, 24, 1, "police · execution")])
    comparison = run.compare_queries(grown)
    assert comparison["differences"] == {
        "case page [police · execution]": {"national": [24], "region": [23]},
    }
    grown["queries_vs_other_scale"] = comparison
    assert "case page [police · execution]: 24 here vs 23" in run.markdown(grown)


def test_bookkeeping_writes_are_summed_apart_and_named_in_the_summary(run, load):
    class Args:
        users = 16

    load["raw"]["latency"]["samples"]["API case detail"] = [(30, 12, 1, "police · execution", 1)] + [
        (30, 12, 1, "police · execution", 0)
    ] * 9
    load["raw"]["capacity"]["samples"]["API case detail"] = [(300, 12, 1, "police · execution", 1)] * 2
    result = run.summarise("region", "sqlite", {"rows": {"cases_case": 10}}, load, Args)
    page = result["pages"]["API case detail"]
    assert page["queries"] == [12] and page["bookkeeping"] == 3
    assert result["pages"]["case page"]["bookkeeping"] == 0  # samples without the field
    assert "(writes per page: API case detail 3)" in run.markdown(result)
