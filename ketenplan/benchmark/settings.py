"""Settings for the load run only: the project's settings plus the query counter and
the floor view. ``bench/run.py`` serves gunicorn with
``DJANGO_SETTINGS_MODULE=ketenplan.benchmark.settings`` (and ``KETENPLAN_ENV=production``)."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

KETENPLAN_BENCH = True
MIDDLEWARE = ["ketenplan.benchmark.middleware.QueryCountMiddleware", *MIDDLEWARE]
