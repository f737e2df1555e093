"""The privacy tools about one person: who has seen them, and the access-request export."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketenplan.core.lists import list_page
from ketenplan.core.policy import policy

from . import privacy
from .filters import AUDIT_EVENT_SORTS, AuditEventFilter

PAGE_SIZE = 50


@policy("persons.privacy")
@require_GET
def who_has_seen(request, pk: int):
    person = privacy.person_get(user=request.user, pk=pk)
    listing = list_page(
        request,
        privacy.person_audit_events(user=request.user, person=person),
        sorts=AUDIT_EVENT_SORTS,
        default_sort="-at",
        filterset_class=AuditEventFilter,
        per_page=PAGE_SIZE,
    )
    page = listing.page
    privacy.privacy_record(
        actor=request.user,
        person=person,
        action="privacy.who_has_seen_viewed",
        request=request,
        detail={"page": page.number},
    )
    return render(
        request,
        "persons/who_has_seen.html",
        {"person": person, "listing": listing, "page": page},
    )


@policy("persons.privacy")
@require_GET
def access_export(request, pk: int):
    person = privacy.person_get(user=request.user, pk=pk)
    data = privacy.person_export(user=request.user, person=person)
    as_json = request.GET.get("format") == "json"
    privacy.privacy_record(
        actor=request.user,
        person=person,
        action="privacy.access_export",
        request=request,
        detail={"format": "json" if as_json else "html", "redactions": len(data["redactions"])},
    )
    if as_json:
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response
    return render(request, "persons/access_export.html", {"person": person, "data": data})
