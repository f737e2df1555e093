from django.contrib import admin

from ketenplan.audit.services import audit_record
from ketenplan.core import policy
from ketenplan.core.admin import AdministratorOnlyAdmin

from .models import SteeringMember


@admin.register(SteeringMember)
class SteeringMemberAdmin(AdministratorOnlyAdmin, admin.ModelAdmin):
    """Who sits in a region's steering group and receives escalations. Membership ends
    by removal; the audit trail keeps who was a member when."""

    list_display = ["professional", "region", "since"]
    list_filter = ["region"]
    raw_id_fields = ["professional"]

    def has_delete_permission(self, request, obj=None):
        return policy.can(request.user, "accounts.administer")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action="meetings.steering_member_saved",
            request=request,
            obj=obj,
            detail={"region": obj.region_id, "professional": obj.professional_id},
        )

    def delete_model(self, request, obj):
        audit_record(
            action="meetings.steering_member_removed",
            request=request,
            obj=obj,
            detail={"region": obj.region_id, "professional": obj.professional_id},
        )
        super().delete_model(request, obj)
