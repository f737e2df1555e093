"""Filters and sort keys of the emergency-access review list (see
``ketenplan.core.lists``): they narrow what the selector returns, never widen it."""

from __future__ import annotations

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from ketenplan.core.lists import ListFilterSet, SortKey

from .models import EmergencyAccess


class EmergencyReviewFilter(ListFilterSet):
    reviewed = django_filters.BooleanFilter(
        label=_("Reviewed"), field_name="reviewed_at", lookup_expr="isnull", exclude=True
    )
    case = django_filters.CharFilter(
        label=_("Case reference"), field_name="case__reference", lookup_expr="icontains"
    )
    professional = django_filters.CharFilter(
        label=_("Professional"), field_name="professional__full_name", lookup_expr="icontains"
    )

    class Meta:
        model = EmergencyAccess
        fields = ["reviewed", "case", "professional"]


EMERGENCY_REVIEW_SORTS = {
    # Not reviewed first (on SQLite and PostgreSQL alike), then newest first.
    "review": SortKey(_("Review"), (F("reviewed_at").asc(nulls_first=True), "-opened_at")),
    "case": SortKey(_("Case"), ("case__reference", "-opened_at")),
    "professional": SortKey(_("Professional"), ("professional__full_name", "-opened_at")),
    "opened_at": SortKey(_("Opened"), ("opened_at",)),
    "expires_at": SortKey(_("Until"), ("expires_at",)),
}
