"""Filters and sort keys of the people pages (see ``ketenplan.core.lists``): they narrow
what the selectors return, never widen it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ketenplan.core.lists import ListFilterSet, SortKey

from . import selectors
from .models import Organisation, Professional, Role


def _region_organisations(request):
    return selectors.region_organisations(user=request.user) if request else Organisation.objects.none()


class ProfessionalFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Name or e-mail"), method="filter_q")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=_region_organisations, empty_label=_("All organisations")
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, empty_label=_("All roles"), method="filter_role"
    )

    class Meta:
        model = Professional
        fields = ["q", "organisation", "role"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value)) if value else queryset
        )

    def filter_role(self, queryset, name, value):
        return queryset.filter(role_grants__role=value).distinct()


PROFESSIONAL_SORTS = {
    "name": SortKey(_("Name"), ("full_name",)),
    "organisation": SortKey(_("Organisation"), ("organisation__name", "full_name")),
    "email": SortKey(_("E-mail"), ("email",)),
}


class OrganisationFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=Organisation.Type.choices, empty_label=_("All types")
    )
    ring = django_filters.ChoiceFilter(
        label=_("Ring"), choices=Organisation.Ring.choices, empty_label=_("All rings")
    )
    agreement = django_filters.BooleanFilter(
        label=_("Cooperation agreement signed"),
        field_name="agreement_signed_on",
        lookup_expr="isnull",
        exclude=True,
    )

    class Meta:
        model = Organisation
        fields = ["q", "type", "ring", "agreement"]


ORGANISATION_SORTS = {
    "name": SortKey(_("Organisation"), ("name",)),
    "type": SortKey(_("Type"), ("type", "name")),
    "ring": SortKey(_("Ring"), ("ring", "name")),
    "agreement": SortKey(_("Cooperation agreement"), ("agreement_signed_on", "name")),
}
