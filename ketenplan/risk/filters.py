"""Filters and sort keys of the reporting-code guides (see ``ketenplan.core.lists``):
they narrow what the selector returns, never widen it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from ketenplan.core.lists import ListFilterSet, SortKey

from .models import GuideOutcome, ReportingGuide


class GuideFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Situation"), field_name="title", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReportingGuide.Status.choices, empty_label=_("All")
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Decision"), choices=GuideOutcome.choices, empty_label=_("All")
    )

    class Meta:
        model = ReportingGuide
        fields = ["q", "status", "outcome"]


GUIDE_SORTS = {
    "title": SortKey(_("Situation"), ("title",)),
    "created_at": SortKey(_("Started"), ("created_at",)),
    "status": SortKey(_("Status"), ("status", "-created_at")),
}
