"""Use cases for method profiles and life domains. Every write goes through here.

Loading is idempotent: a file that matches what is stored changes nothing and writes no
audit row. A profile is replaced only by a higher ``version``; the same version with
different content is refused, so deadlines never change without anyone noticing.

``actor`` is the administrator doing it (admin), or None for the system (the
``load_methods`` command); the audit row says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy

from . import definitions
from .models import LifeDomain, MethodProfile

ADMINISTER = "accounts.administer"
SYSTEM_LABEL = "system (load_methods)"


class LoadOutcome(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    UNCHANGED = "unchanged", _("unchanged")


@dataclass(frozen=True)
class ProfileLoadResult:
    profile: MethodProfile
    outcome: LoadOutcome


@dataclass(frozen=True)
class LifeDomainsLoadResult:
    domains: list[LifeDomain]
    outcomes: dict[str, LoadOutcome]  # by domain key

    @property
    def changed(self) -> bool:
        return any(o != LoadOutcome.UNCHANGED for o in self.outcomes.values())


def _check_actor(actor) -> None:
    if actor is not None:
        policy.require(actor, ADMINISTER)


def _audit(*, action: str, actor, request, obj, detail: dict, object_type: str = "") -> None:
    audit_record(
        action=action,
        actor=actor,
        request=request,
        obj=obj,
        object_type=object_type,
        detail=detail,
        actor_label="" if actor is not None else SYSTEM_LABEL,
    )


# --- Method profiles ----------------------------------------------------------------------


def _planned_outcome(
    definition: dict[str, Any],
    existing: MethodProfile | None,
    *,
    expected_key: str | None,
    create_only: bool,
) -> LoadOutcome:
    key = definition["key"]
    if expected_key is not None and key != expected_key:
        raise ValidationError(
            _("This file defines profile “%(key)s”, not “%(expected)s”.")
            % {"key": key, "expected": expected_key},
            code="wrong_key",
        )
    if existing is None:
        return LoadOutcome.CREATED
    if create_only:
        raise ValidationError(
            _("A profile with key “%(key)s” exists already; open it to load a new version.")
            % {"key": key},
            code="exists",
        )
    if definition == existing.definition:
        return LoadOutcome.UNCHANGED
    if definition["version"] > existing.version:
        return LoadOutcome.UPDATED
    if definition["version"] == existing.version:
        raise ValidationError(
            _("Profile “%(key)s” version %(version)s is loaded already with different "
              "content; raise the version number to replace it.")
            % {"key": key, "version": existing.version},
            code="same_version",
        )
    raise ValidationError(
        _("Profile “%(key)s” is at version %(loaded)s already; version %(version)s is older.")
        % {"key": key, "loaded": existing.version, "version": definition["version"]},
        code="older_version",
    )


def profile_check(
    *, text: str, expected_key: str | None = None, create_only: bool = False
) -> dict[str, Any]:
    """Check a profile file as ``profile_load`` would, without writing: the definition,
    or ``ValidationError`` listing every problem. Forms call this to show the problems."""
    definition = definitions.parse_profile(text)
    existing = MethodProfile.objects.filter(key=definition["key"]).first()
    _planned_outcome(definition, existing, expected_key=expected_key, create_only=create_only)
    return definition


@transaction.atomic
def profile_load(
    *,
    text: str,
    actor=None,
    request=None,
    source: str = "",
    expected_key: str | None = None,
    create_only: bool = False,
) -> ProfileLoadResult:
    """Create or replace the method profile defined by the YAML ``text``.

    ``expected_key``: the file must define this profile (replacing one from its page).
    ``create_only``: refuse when the key exists already (adding a new profile).
    Raises ``ValidationError`` (``DefinitionError`` for a malformed file) and changes
    nothing when refused.
    """
    _check_actor(actor)
    definition = definitions.parse_profile(text)
    existing = MethodProfile.objects.select_for_update().filter(key=definition["key"]).first()
    outcome = _planned_outcome(
        definition, existing, expected_key=expected_key, create_only=create_only
    )
    if outcome == LoadOutcome.UNCHANGED:
        return ProfileLoadResult(existing, outcome)
    fields = definitions.profile_fields(definition)
    if existing is None:
        profile = MethodProfile.objects.create(key=definition["key"], **fields)
        previous_version = None
    else:
        profile = existing
        previous_version = existing.version
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.loaded_at = timezone.now()
        profile.save(update_fields=[*fields, "loaded_at"])
    _audit(
        action=f"methods.profile_{outcome.value}",
        actor=actor,
        request=request,
        obj=profile,
        detail={
            "key": profile.key,
            "version": profile.version,
            "previous_version": previous_version,
            "source": source,
        },
    )
    return ProfileLoadResult(profile, outcome)


@transaction.atomic
def profile_set_active(
    *, actor, profile: MethodProfile, is_active: bool, request=None
) -> MethodProfile:
    _check_actor(actor)
    if profile.is_active == is_active:
        return profile
    profile.is_active = is_active
    profile.save(update_fields=["is_active"])
    _audit(
        action="methods.profile_activated" if is_active else "methods.profile_deactivated",
        actor=actor,
        request=request,
        obj=profile,
        detail={"key": profile.key},
    )
    return profile


# --- Life domains -------------------------------------------------------------------------


@transaction.atomic
def life_domains_load(
    *, text: str, actor=None, request=None, source: str = ""
) -> LifeDomainsLoadResult:
    """Create or update the life domains listed in the YAML ``text`` (names and order).

    Domains not in the file are left as they are, and an existing domain keeps its
    ``is_active``: deactivating is an administrator's decision in the admin.
    """
    _check_actor(actor)
    listed = definitions.parse_life_domains(text)
    existing = {
        d.key: d
        for d in LifeDomain.objects.select_for_update().filter(key__in=[d["key"] for d in listed])
    }
    outcomes: dict[str, LoadOutcome] = {}
    domains: list[LifeDomain] = []
    for position, item in enumerate(listed):
        fields = definitions.life_domain_fields(position, item)
        domain = existing.get(item["key"])
        if domain is None:
            domain = LifeDomain.objects.create(key=item["key"], **fields)
            outcomes[domain.key] = LoadOutcome.CREATED
        elif any(getattr(domain, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(domain, name, value)
            domain.save(update_fields=list(fields))
            outcomes[domain.key] = LoadOutcome.UPDATED
        else:
            outcomes[domain.key] = LoadOutcome.UNCHANGED
        domains.append(domain)
    result = LifeDomainsLoadResult(domains, outcomes)
    if result.changed:
        _audit(
            action="methods.life_domains_loaded",
            actor=actor,
            request=request,
            obj=None,
            object_type=LifeDomain._meta.label_lower,
            detail={
                "source": source,
                "created": [k for k, o in outcomes.items() if o == LoadOutcome.CREATED],
                "updated": [k for k, o in outcomes.items() if o == LoadOutcome.UPDATED],
            },
        )
    return result


@transaction.atomic
def life_domain_save(*, actor, domain: LifeDomain, request=None) -> LifeDomain:
    """Save a life domain an administrator added or edited in the admin."""
    _check_actor(actor)
    created = domain.pk is None
    domain.full_clean()
    domain.save()
    _audit(
        action="methods.life_domain_created" if created else "methods.life_domain_changed",
        actor=actor,
        request=request,
        obj=domain,
        detail={
            "key": domain.key,
            "name_nl": domain.name_nl,
            "name_en": domain.name_en,
            "order": domain.order,
            "is_active": domain.is_active,
        },
    )
    return domain
