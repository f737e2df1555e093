from ketenplan.core import policy


class AdministratorOnlyAdmin:
    """Reference data in the admin is for administrators, through the access policy.

    Case and person data is never registered in the admin: it would bypass the consent
    rules. Records are deactivated, never deleted.
    """

    def has_module_permission(self, request):
        return policy.can(request.user, "accounts.administer")

    def has_view_permission(self, request, obj=None):
        return policy.can(request.user, "accounts.administer")

    def has_add_permission(self, request):
        return policy.can(request.user, "accounts.administer")

    def has_change_permission(self, request, obj=None):
        return policy.can(request.user, "accounts.administer")

    def has_delete_permission(self, request, obj=None):
        return False
