from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """The benchmark: realistic bulk data (``bench_data``), the bench-only query counter
    and the floor view. Load scenarios, the runner and results live in ``bench/``."""

    name = "ketenplan.benchmark"
    label = "benchmark"
    verbose_name = "Benchmark"
