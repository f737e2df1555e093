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
    birth_date = serializers.DateField(
        allow_null=True,
        help_text="Null when unknown, or for a person known in another case when the "
        "date typed was not the same.",
    )
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    known_in_another_case = serializers.BooleanField(
        help_text="A person you know from none of your cases, proposed because the name "
        "and the date of birth or national number you typed identify them; only what "
        "matched your input is shown. Link such a person through the web registration."
    )


class PersonMatchesView(GenericAPIView):
    """Existing persons who may be the person you are about to register.

    Persons you know from a case you may see are proposed on any likeness. Anyone else
    only when family and given name are alike and the date of birth or the national
    number is the same (a national number, a date or a name alone finds nobody)."""

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

        from ketenplan.persons.selectors import person_matches
        from ketenplan.persons.services import person_search_audit

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
        person_search_audit(actor=request.user, request=request, matches=matches)
        return Response(
            [
                {
                    "person_id": m.person.pk,
                    "name": m.name,
                    "birth_date": m.birth_date,
                    "score": m.score,
                    "reasons": m.reason_labels,
                    "known_in_another_case": m.known_elsewhere,
                }
                for m in matches
            ]
        )
