"""The access policy: the one place that decides who may see and do what.

Every view, API endpoint, export and background job asks this module, never its own
ad-hoc check:

* ``can(user, action, obj=None)`` answers a yes/no question for one action, optionally on
  one object;
* ``scope(user, action, queryset)`` narrows a queryset to the objects the user may see
  (list pages, search, API lists and exports start from it);
* ``condition(user, action, ref)`` is such a scope as a condition on a key of another
  model's rows (``ref``: the path from those rows to the object, "case" for the actions
  of a case), for rules registered with ``condition_rule``;
* views declare their rule with ``@policy(action)`` or ``@public``; a test walks every URL
  pattern and fails when a view has no declared rule.

Rules are registered by the apps that own the objects (``rule`` decorator), so the policy
for cases lives next to cases, but is reached only through this module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

PUBLIC = "public"

_rules: dict[str, Callable[[Any, Any], bool]] = {}
_scopes: dict[str, Callable[[Any, QuerySet], QuerySet]] = {}
_conditions: dict[str, Callable[[Any, str], Q]] = {}

NOTHING = Q(pk__in=[])
"""A condition no row meets (the query is not even sent)."""


def rule(action: str):
    """Register the yes/no rule for ``action``: ``fn(user, obj) -> bool``."""

    def register(fn):
        if action in _rules:
            raise RuntimeError(f"Access rule {action!r} registered twice.")
        _rules[action] = fn
        return fn

    return register


def _scope_registrar(table: dict, action: str):
    """A scope is registered once, as a queryset scope or as a condition."""

    def register(fn):
        if action in _scopes or action in _conditions:
            raise RuntimeError(f"Scope rule {action!r} registered twice.")
        table[action] = fn
        return fn

    return register


def scope_rule(action: str):
    """Register the queryset scope for ``action``: ``fn(user, queryset) -> queryset``."""
    return _scope_registrar(_scopes, action)


def condition_rule(action: str):
    """Register the scope for ``action`` as a condition: ``fn(user, ref) -> Q``, where
    ``ref`` is the path from the queried rows to the key of the object the rule is about
    ("pk" for those objects themselves). ``scope`` of the objects themselves derives from
    it, so the rule is written once for both."""
    return _scope_registrar(_conditions, action)


def registered_actions() -> set[str]:
    return set(_rules) | set(_scopes) | set(_conditions)


def _active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _registered(table: dict, action: str, kind: str):
    try:
        return table[action]
    except KeyError as exc:
        raise RuntimeError(f"No {kind} rule for {action!r}: add one to the policy.") from exc


def can(user, action: str, obj: Any = None) -> bool:
    if action == PUBLIC:
        return True
    if not _active_user(user):
        return False
    return bool(_registered(_rules, action, "access")(user, obj))


def scope(user, action: str, queryset: QuerySet) -> QuerySet:
    if not _active_user(user):
        return queryset.none()
    if action in _conditions:
        return queryset.filter(condition(user, action, "pk"))
    return _registered(_scopes, action, "scope")(user, queryset)


def condition(user, action: str, ref: str) -> Q:
    """The scope of ``action`` as a condition on rows of another model whose ``ref``
    leads to the object: per row, the same answer as ``scope`` gives for the object."""
    if not _active_user(user):
        return NOTHING
    return _registered(_conditions, action, "condition")(user, ref)


def require(user, action: str, obj: Any = None) -> None:
    """Raise when the user may not: "not found" for objects (so their existence leaks
    nothing), "forbidden" for actions that are not about one object."""
    if can(user, action, obj):
        return
    if obj is not None:
        raise Http404
    raise PermissionDenied


def policy(action: str):
    """Declare and enforce the rule a view answers to.

    Anonymous visitors are sent to sign in; signed-in users without the right get
    "forbidden". Object-level checks happen inside the view through selectors.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.access_policy = action
        return wrapped

    return decorate


def public(view):
    """Declare a view open to anonymous visitors. It must reveal nothing about cases."""
    view.access_policy = PUBLIC
    return view


# --- Rules that belong to no single app ---------------------------------------------------


@rule("signed_in")
def _signed_in(user, obj) -> bool:
    return True
