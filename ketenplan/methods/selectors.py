"""Reading method profiles and life domains.

These are reference data shared by every region (no personal data), so the reads are not
narrowed per user; views that show them still declare their access rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db.models import QuerySet

from .definitions import DEFAULT_PROFILE_KEY
from .models import LifeDomain, MethodProfile

logger = logging.getLogger(__name__)


def active_life_domains() -> QuerySet[LifeDomain]:
    return LifeDomain.objects.filter(is_active=True)


def active_profiles() -> QuerySet[MethodProfile]:
    """The profiles a region can choose."""
    return MethodProfile.objects.filter(is_active=True)


def profile_for_region(region) -> MethodProfile:
    """The method profile ``region`` works with.

    An empty or unknown key falls back to the default profile (Ketenaanpak IFG), with a warning in
    the log. A profile that was deactivated stays in force for regions that use it.
    Raises ``MethodProfile.DoesNotExist`` only when not even the default is loaded.
    """
    return profiles_for_regions([region])[_region_id(region)]


def profiles_for_regions(regions: Iterable) -> dict:
    """``{region.pk: MethodProfile}`` for many regions in one query (boards, reports)."""
    regions = list(regions)
    wanted = {_key(r) for r in regions} | {DEFAULT_PROFILE_KEY}
    by_key = {p.key: p for p in MethodProfile.objects.filter(key__in=wanted)}
    result = {}
    for region in regions:
        profile = by_key.get(_key(region))
        if profile is None:
            profile = by_key.get(DEFAULT_PROFILE_KEY)
            if profile is None:
                raise MethodProfile.DoesNotExist(
                    f"The default method profile {DEFAULT_PROFILE_KEY!r} is not loaded; "
                    "run `manage.py load_methods`."
                )
            if _key(region):
                logger.warning(
                    "Region %s names method profile %r, which is not loaded; using %r.",
                    _region_id(region),
                    _key(region),
                    DEFAULT_PROFILE_KEY,
                )
        result[_region_id(region)] = profile
    return result


def _key(region) -> str:
    return getattr(region, "method_profile", "") or ""


def _region_id(region):
    return getattr(region, "pk", None)
