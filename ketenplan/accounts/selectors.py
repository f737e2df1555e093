"""Reads for organisations and professionals, always through the access policy."""

from django.db.models import Q, QuerySet

from ketenplan.core import policy

from .models import Invitation, Organisation, Professional


def directory_professionals(*, user, q: str = "", organisation=None, role: str = "") -> QuerySet:
    qs = policy.scope(user, "accounts.view_directory", Professional.objects.all())
    qs = qs.filter(is_active=True).select_related("organisation").prefetch_related("role_grants")
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if role:
        qs = qs.filter(role_grants__role=role)
    return qs.order_by("full_name")


def region_organisations(*, user) -> QuerySet:
    if user.organisation_id is None:
        return Organisation.objects.select_related("region").order_by("region__name", "name")
    return Organisation.objects.filter(region_id=user.organisation.region_id).order_by("ring", "name")


def invitable_organisations(*, user) -> QuerySet:
    return policy.scope(user, "accounts.invite_into", Organisation.objects.all()).order_by("name")


def pending_invitations(*, user) -> QuerySet:
    organisations = invitable_organisations(user=user)
    return (
        Invitation.objects.filter(
            professional__organisation__in=organisations,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("professional__organisation", "invited_by")
        .order_by("-created_at")
    )
