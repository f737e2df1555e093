"""Filters and sort keys of "who has seen this person" (see ``ketenplan.core.lists``):
they narrow the audit events the privacy selector returns, never widen them."""

from __future__ import annotations

from datetime import datetime, time

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.audit.models import AuditEvent
from ketenplan.core.lists import ListFilterSet, SortKey


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AuditEventFilter(ListFilterSet):
    since = django_filters.DateFilter(label=_("From"), method="filter_since", widget=DateInput)
    until = django_filters.DateFilter(label=_("Until"), method="filter_until", widget=DateInput)
    who = django_filters.CharFilter(label=_("Who"), field_name="actor_label", lookup_expr="icontains")
    action = django_filters.CharFilter(label=_("What"), field_name="action", lookup_expr="icontains")

    class Meta:
        model = AuditEvent
        fields = ["since", "until", "who", "action"]

    def filter_since(self, queryset, name, value):
        tz = timezone.get_current_timezone()
        return queryset.filter(at__gte=datetime.combine(value, time.min, tzinfo=tz))

    def filter_until(self, queryset, name, value):
        tz = timezone.get_current_timezone()
        return queryset.filter(at__lt=datetime.combine(value, time.max, tzinfo=tz))


AUDIT_EVENT_SORTS = {
    "at": SortKey(_("When (UTC)"), ("at",)),
    "who": SortKey(_("Who"), ("actor_label", "-at")),
    "action": SortKey(_("What"), ("action", "-at")),
}
