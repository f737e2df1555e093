from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from ketenplan.core.policy import policy


@policy("signed_in")
@never_cache
def floor(request):
    """The benchmark's floor: a trivial signed-in page through the whole middleware stack
    (session, authentication, MFA check). "Not found" outside the bench settings."""
    if not getattr(settings, "KETENPLAN_BENCH", False):
        raise Http404
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
