"""Filters and sort keys of the meetings lists (see ``ketenplan.core.lists``): they
narrow what the selectors return, never widen it."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.core.lists import ListFilterSet, SortKey

from .models import Booking, Escalation, Meeting

UPCOMING, PAST, ALL = "upcoming", "past", "all"
PERIODS = [(UPCOMING, _("Coming")), (PAST, _("Earlier")), (ALL, _("All"))]


class MeetingFilter(ListFilterSet):
    defaults = {"period": UPCOMING}

    period = django_filters.ChoiceFilter(
        label=_("When"), choices=PERIODS, empty_label=None, method="filter_period"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Meeting.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Meeting.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = Meeting
        fields = ["period", "kind", "status"]

    def filter_period(self, queryset, name, value):
        now = timezone.now()
        if value == UPCOMING:
            return queryset.filter(ends_at__gte=now)
        if value == PAST:
            return queryset.filter(ends_at__lt=now)
        return queryset


MEETING_SORTS = {
    "starts_at": SortKey(_("When"), ("starts_at",)),
    "kind": SortKey(_("Meeting"), ("kind", "starts_at")),
    "status": SortKey(_("Status"), ("status", "starts_at")),
}


class EscalationFilter(ListFilterSet):
    defaults = {"status": Escalation.Status.OPEN}

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Escalation.Status.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("What is wrong"), choices=Escalation.Kind.choices, empty_label=_("All")
    )
    case = django_filters.CharFilter(
        label=_("Case reference"), field_name="case__reference", lookup_expr="icontains"
    )

    class Meta:
        model = Escalation
        fields = ["status", "kind", "case"]


ESCALATION_SORTS = {
    "case": SortKey(_("Case"), ("case__reference",)),
    "kind": SortKey(_("What is wrong"), ("kind",)),
    "raised_at": SortKey(_("Raised"), ("raised_at",)),
    "status": SortKey(_("Status"), ("status",)),
}


class SignupFilter(ListFilterSet):
    defaults = {"period": UPCOMING}

    period = django_filters.ChoiceFilter(
        label=_("When"), choices=PERIODS, empty_label=None, method="filter_period"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Booking.Status.choices, empty_label=_("All")
    )
    advised = django_filters.BooleanFilter(
        label=_("Advice recorded"), field_name="advised_at", lookup_expr="isnull", exclude=True
    )
    q = django_filters.CharFilter(label=_("Name or organisation"), method="filter_q")

    class Meta:
        model = Booking
        fields = ["period", "status", "advised", "q"]

    def filter_period(self, queryset, name, value):
        # The same twelve hours of grace as the selector: advice is written after the hour.
        cutoff = timezone.now() - timedelta(hours=12)
        if value == UPCOMING:
            return queryset.filter(slot__starts_at__gte=cutoff)
        if value == PAST:
            return queryset.filter(slot__starts_at__lt=cutoff)
        return queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(organisation_name__icontains=value))


SIGNUP_SORTS = {
    "when": SortKey(_("When"), ("slot__starts_at",)),
    "who": SortKey(_("Who"), ("name",)),
    "organisation": SortKey(_("Organisation"), ("organisation_name",)),
}
