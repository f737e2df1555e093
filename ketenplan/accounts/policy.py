"""Access rules for organisations and professionals (registered into core.policy)."""

from ketenplan.core.policy import rule, scope_rule

from .models import Role


@rule("accounts.invite")
def can_invite(user, obj) -> bool:
    return user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)


@rule("accounts.view_directory")
def can_view_directory(user, obj) -> bool:
    # The list of colleagues in the region: everybody who works on cases.
    return user.roles != frozenset({Role.ANALYST})


@rule("accounts.administer")
def can_administer(user, obj) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


@scope_rule("accounts.view_directory")
def directory_scope(user, queryset):
    if user.has_role(Role.ADMINISTRATOR) and user.organisation_id is None:
        return queryset
    if user.organisation_id is None or not can_view_directory(user, None):
        return queryset.none()
    return queryset.filter(organisation__region_id=user.organisation.region_id)


@scope_rule("accounts.invite_into")
def invitable_organisations(user, queryset):
    """Organisations a user may invite professionals into."""
    if user.has_role(Role.ADMINISTRATOR):
        return queryset
    if user.has_role(Role.COORDINATOR) and user.organisation_id:
        return queryset.filter(region_id=user.organisation.region_id)
    return queryset.none()
