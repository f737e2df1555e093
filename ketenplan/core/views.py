from datetime import date

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ketenplan.core.policy import public


@public
@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# When the accessibility statement was last reviewed against the tests it describes
# (ketenplan/browser_tests/test_accessibility.py). Update it with the statement.
STATEMENT_PREPARED_ON = date(2026, 11, 25)


@public
def accessibility_statement(request):
    return render(request, "core/accessibility.html", {"prepared_on": STATEMENT_PREPARED_ON})
