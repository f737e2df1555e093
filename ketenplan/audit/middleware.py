"""One audit row for every read of personal data, and one for every refusal.

See ``audit.reads``. Placed after the authentication middleware.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import reads

READ_METHODS = ("GET", "HEAD")


class AuditReadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = reads.start()
        try:
            response = self.get_response(request)
            self._record(request, response, reads.current())
            return response
        finally:
            reads.finish(token)

    def process_exception(self, request, exception):
        # Refusals raised by the policy or a selector ("not found" for objects out of
        # reach, "forbidden" for actions); an unknown URL never reaches the view.
        if isinstance(exception, Http404):
            reads.note_denied(404)
        elif isinstance(exception, PermissionDenied):
            reads.note_denied(403)
        return None

    def _record(self, request, response, log) -> None:
        user = getattr(request, "user", None)
        if log is None or user is None or not user.is_authenticated:
            return
        from .models import AuditEvent
        from .services import audit_record

        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else ""
        if log.denied is not None and response.status_code in (403, 404):
            # No personal data: the path holds ids only, never the query string.
            audit_record(
                action="access.denied",
                actor=user,
                request=request,
                purpose=AuditEvent.Purpose.SECURITY,
                detail={
                    "path": request.path,
                    "method": request.method,
                    "status": response.status_code,
                    "view": view,
                },
            )
            return
        if (
            request.method not in READ_METHODS
            or log.audited
            or not 200 <= response.status_code < 300
            or (log.case is None and not log.objects)
        ):
            return
        detail: dict = {"view": view}
        if view.startswith("api:"):
            detail["via"] = "api"
        if log.persons:
            detail["persons"] = sorted(log.persons)
        for object_type, ids in sorted(log.objects.items()):
            detail[object_type] = sorted(ids)
        if log.case is not None:
            audit_record(
                action="case.viewed",
                actor=user,
                request=request,
                obj=log.case,
                purpose=log.purpose or AuditEvent.Purpose.NORMAL,
                detail=detail,
            )
        else:
            audit_record(action="case.listed", actor=user, request=request, detail=detail)
