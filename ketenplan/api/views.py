from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ketenplan.core import shown_once
from ketenplan.core.confirm import confirmation_page, is_confirmed
from ketenplan.core.forms import apply_validation_error
from ketenplan.core.policy import policy

from . import services
from .forms import ApiTokenForm
from .models import ApiToken


@policy("api.manage_tokens")
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_token = services.api_token_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            shown_once.keep(request, "api_token", new_token)
            return redirect("api:tokens")
    new_token = shown_once.take(request, "api_token") if request.method == "GET" else None
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(professional=request.user, revoked_at__isnull=True),
        },
    )


@policy("api.manage_tokens")
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, professional=request.user, revoked_at__isnull=True)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            _("Revoke the token “%(name)s”?") % {"name": token.name},
            consequence=_("Systems that use it stop working at once."),
            confirm_label=_("Revoke"),
            cancel_url=reverse("api:tokens"),
        )
    services.api_token_revoke(actor=request.user, token_id=pk, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("api:tokens")


class MatchSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class PersonMatchesView(GenericAPIView):
    """Existing persons who may be the person you are about to register."""

    access_policy = "persons.find_matches"
    serializer_class = MatchSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("given_names", str),
            OpenApiParameter("family_name", str),
            OpenApiParameter("birth_date", str, description="YYYY-MM-DD"),
            OpenApiParameter("national_number", str),
        ],
        responses=MatchSerializer(many=True),
    )
    def get(self, request):
        from datetime import date

        from ketenplan.audit.services import audit_record
        from ketenplan.persons.selectors import person_matches

        params = request.query_params
        try:
            birth_date = date.fromisoformat(params["birth_date"]) if params.get("birth_date") else None
        except ValueError:
            return Response({"birth_date": [_("Enter a valid date (YYYY-MM-DD).")]}, status=400)
        matches = person_matches(
            user=request.user,
            given_names=params.get("given_names", ""),
            family_name=params.get("family_name", ""),
            birth_date=birth_date,
            national_number=params.get("national_number", ""),
        )
        audit_record(
            action="person.search",
            actor=request.user,
            request=request,
            detail={"hits": [m.person.pk for m in matches]},
        )
        return Response(
            [
                {
                    "person_id": m.person.pk,
                    "name": str(m.person),
                    "birth_date": m.person.birth_date,
                    "score": m.score,
                    "reasons": m.reason_labels,
                }
                for m in matches
            ]
        )
