"""A web worker settles at start-up: URL patterns loaded, start-up objects frozen out of
the garbage collector's full collections, the collector's thresholds raised
(``ketenplan.core.settle``)."""

from .test_settings import run

PROBE = """
import gc, sys
import config.wsgi
assert callable(config.wsgi.application)
from ketenplan.core.settle import THRESHOLDS
print(gc.get_freeze_count(), "ketenplan.cases.views" in sys.modules, gc.get_threshold() == THRESHOLDS)
"""


def test_the_wsgi_application_loads_its_views_and_freezes_what_start_up_made(tmp_path):
    result = run(["-c", PROBE], tmp_path, DJANGO_SETTINGS_MODULE="config.settings")
    assert result.returncode == 0, result.stderr
    frozen, views_loaded, thresholds_set = result.stdout.split()
    assert int(frozen) > 10_000  # modules, URL patterns, views: what a full collection skips now
    assert views_loaded == "True"
    assert thresholds_set == "True"  # the collector runs less often in a worker


def test_a_measurement_inside_a_process_gives_the_collector_back():
    """``settled()`` (the agenda benchmark in a test or a command): a web worker's
    settings for the measurement only."""
    import gc

    from ketenplan.core.settle import THRESHOLDS, settled

    before = gc.get_threshold()
    with settled():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
