from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ketenplan.core.admin import AdministratorOnlyAdmin

from .models import Invitation, Organisation, Professional, Region, RoleGrant


@admin.register(Region)
class RegionAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "locale", "method_profile"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "region", "type", "ring", "agreement_signed_on", "is_coordination_point"]
    list_filter = ["region", "ring", "type"]
    search_fields = ["name"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(Professional)
class ProfessionalAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["full_name", "email", "organisation", "is_active", "last_login"]
    list_filter = ["is_active", "organisation__region", "organisation", "role_grants__role"]
    search_fields = ["full_name", "email"]
    fields = [
        "full_name", "email", "organisation", "job_title", "phone",
        "is_active", "last_login", "date_joined",
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [RoleGrantInline]

    def has_add_permission(self, request):
        # New professionals arrive by invitation, so that they choose their own password.
        return False


@admin.register(Invitation)
class InvitationAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    list_display = ["professional", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash"]
    verbose_name = _("invitation")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
