from allauth.mfa.utils import is_mfa_enabled
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in professional without a second factor may still reach: what is needed
# to set one up or to leave, and pages that hold no personal data.
_OPEN_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/accessibility/",
    "/invitation/",
)


class RequireMultiFactorMiddleware:
    """Send a professional who has no second factor to set one up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.requires_mfa
            and not is_mfa_enabled(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using the API.")},
                    status=403,
                )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
