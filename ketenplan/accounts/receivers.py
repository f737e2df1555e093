"""Security events raised by Django's auth and by allauth, written to the audit trail,
and the region words kept in the session at sign-in.

Signals are the only hook these libraries offer for sign-in and MFA changes; the
receivers do nothing but record (and remember the region's words, ``core.middleware``).
"""

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from ketenplan.audit.services import audit_record
from ketenplan.core.middleware import remember_region_locale


@receiver(auth_signals.user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    audit_record(action="auth.signed_in", actor=user, request=request, purpose="security")


@receiver(auth_signals.user_logged_in)
def remember_region_words(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        remember_region_locale(session, user)


@receiver(auth_signals.user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.signed_out", actor=user, request=request, purpose="security")


@receiver(auth_signals.user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Record which address was tried (never the password), without saying if it exists.
    tried = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    audit_record(
        action="auth.sign_in_failed",
        request=request,
        purpose="security",
        actor_label=str(tried)[:254],
    )


def _record_mfa(action):
    def handler(sender, request, user, authenticator=None, **kwargs):
        audit_record(
            action=action,
            actor=user,
            request=request,
            purpose="security",
            detail={"type": getattr(authenticator, "type", "")},
        )

    return handler


_mfa_added = _record_mfa("mfa.added")
_mfa_removed = _record_mfa("mfa.removed")
_mfa_reset = _record_mfa("mfa.recovery_codes_reset")
mfa_signals.authenticator_added.connect(_mfa_added, dispatch_uid="audit_mfa_added")
mfa_signals.authenticator_removed.connect(_mfa_removed, dispatch_uid="audit_mfa_removed")
mfa_signals.authenticator_reset.connect(_mfa_reset, dispatch_uid="audit_mfa_reset")


def _record_mfa_failure(sender, request, user, authenticator=None, **kwargs):
    audit_record(
        action="mfa.code_failed",
        actor=user,
        request=request,
        purpose="security",
        detail={"type": getattr(authenticator, "type", "")},
    )


mfa_signals.authentication_failed.connect(_record_mfa_failure, dispatch_uid="audit_mfa_failed")
