from rest_framework.permissions import BasePermission

from ketenplan.core import policy


class FollowsPolicy(BasePermission):
    """Every API view names its access rule (``access_policy``); object rules are checked
    in the selectors and services, like on the web pages."""

    def has_permission(self, request, view):
        action = getattr(view, "access_policy", None)
        if action is None:
            return False
        return policy.can(request.user, action)
