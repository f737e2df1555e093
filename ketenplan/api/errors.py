"""Service errors as API answers: the same messages the web pages show."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ketenplan.audit import reads
from ketenplan.core.exceptions import ConflictError


def exception_handler(exc, context):
    from ketenplan.cases.workflow import TransitionRefused

    if isinstance(exc, Http404 | NotFound):
        reads.note_denied(404)
    elif isinstance(exc, PermissionDenied | DRFPermissionDenied):
        reads.note_denied(403)

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            data = {"detail": " ".join(exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response(
            {"detail": str(exc), "current_version": exc.current_version}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, TransitionRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
