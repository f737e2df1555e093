from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from ketenplan.audit.services import audit_record


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up: coordinators and administrators invite professionals."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_authenticate(self, request, **credentials):
        """Record the sign-ins the lockout refuses: Django sends no "login failed" signal
        for them, because the password is never checked."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            tried = credentials.get("email") or credentials.get("username") or ""
            audit_record(
                action="auth.sign_in_failed",
                request=request,
                purpose="security",
                actor_label=str(tried)[:254],
                detail={"reason": "locked"},
            )
            raise
