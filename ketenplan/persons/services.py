"""Use cases for persons, their relations and contact details. Every write goes through here.

* ``person_create``: register a person (after looking at ``selectors.person_matches``);
* ``person_update``: correct a person; refused when someone else changed the person since
  it was read (optimistic locking); the previous values are kept as a ``PersonRevision``;
* ``relation_add``: record how two persons are related;
* ``contact_detail_add`` and ``contact_detail_end``: contact details are never deleted,
  they are ended.

Each function is one transaction with its audit row inside. Audit rows name the object,
never its content: no names, dates of birth, numbers or addresses.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy
from ketenplan.core.exceptions import ConflictError

from . import matching
from .identifiers import normalise_national_number
from .models import (
    DIRECTED_RELATION_KINDS,
    PERSON_EDITABLE_FIELDS,
    ContactDetail,
    Person,
    PersonRevision,
    Relation,
    RelationKind,
)

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_PHONE = re.compile(r"\+?[0-9 ()./-]+")


# --- Persons ------------------------------------------------------------------------------


def person_search_audit(*, actor, request, matches, purpose: str = "") -> None:
    """The audit row of a list of proposed persons (``selectors.person_matches``) shown to
    ``actor``: the ids shown, and among them those ``known_elsewhere`` (from no case the
    actor may see); never what was typed."""
    detail: dict[str, Any] = {"purpose": purpose} if purpose else {}
    detail["hits"] = [m.person.pk for m in matches]
    detail["known_elsewhere"] = [m.person.pk for m in matches if m.known_elsewhere]
    audit_record(action="person.search", actor=actor, request=request, detail=detail)


def _national_number_taken_error() -> ValidationError:
    return ValidationError(
        {
            "national_number": _(
                "A person with this national number is already registered. "
                "Link to that person instead."
            )
        }
    )


def _clean_person_values(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the editable fields; all problems at once, per field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for name in ("given_names", "name_prefix", "family_name", "nationality", "language"):
        cleaned[name] = " ".join(str(values.get(name) or "").split())
    try:
        cleaned["national_number"] = normalise_national_number(values.get("national_number"))
    except ValidationError as exc:
        errors["national_number"] = exc.error_list
        cleaned["national_number"] = ""
    cleaned["national_number"] = cleaned["national_number"] or None
    cleaned["birth_date"] = values.get("birth_date")
    cleaned["birth_date_approximate"] = bool(values.get("birth_date_approximate"))
    cleaned["gender"] = values.get("gender") or Person.Gender.UNKNOWN

    if not cleaned["given_names"] and not cleaned["family_name"]:
        errors.setdefault("family_name", []).append(
            ValidationError(_("Give at least a given name or a family name."))
        )
    birth_date = cleaned["birth_date"]
    if birth_date is not None:
        if not isinstance(birth_date, date):
            errors.setdefault("birth_date", []).append(ValidationError(_("Enter a valid date.")))
        elif birth_date > timezone.localdate():
            errors.setdefault("birth_date", []).append(
                ValidationError(_("The date of birth cannot be in the future."))
            )
        elif birth_date < EARLIEST_BIRTH_DATE:
            errors.setdefault("birth_date", []).append(
                ValidationError(_("The date of birth is too long ago; check the year."))
            )
    for name in PERSON_EDITABLE_FIELDS:
        if name in errors:
            continue
        field = Person._meta.get_field(name)
        try:
            # Lengths and choices, as the model declares them.
            field.clean(cleaned[name], None)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _ensure_national_number_free(number: str | None, *, person_pk: int | None = None) -> None:
    if number and Person.objects.filter(national_number=number).exclude(pk=person_pk).exists():
        raise _national_number_taken_error()


@transaction.atomic
def person_create(
    *,
    actor,
    given_names: str,
    family_name: str,
    name_prefix: str = "",
    birth_date: date | None = None,
    birth_date_approximate: bool = False,
    gender: str = Person.Gender.UNKNOWN,
    national_number: str = "",
    nationality: str = "",
    language: str = "",
    request=None,
) -> Person:
    """Register a person. Look for the same person first with ``person_matches``."""
    policy.require(actor, "persons.register")
    values = _clean_person_values(
        {
            "given_names": given_names,
            "name_prefix": name_prefix,
            "family_name": family_name,
            "birth_date": birth_date,
            "birth_date_approximate": birth_date_approximate,
            "gender": gender,
            "national_number": national_number,
            "nationality": nationality,
            "language": language,
        }
    )
    _ensure_national_number_free(values["national_number"])
    now = timezone.now()
    person = Person(**values, created_by=actor, updated_by=actor, created_at=now, updated_at=now)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise _national_number_taken_error() from exc
    audit_record(action="person.created", actor=actor, request=request, obj=person)
    return person


def _stored_values(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_EDITABLE_FIELDS}


def _as_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _read_stored_person(pk: int) -> Person:
    return Person.objects.select_related("updated_by").get(pk=pk)


def _conflict(stored: Person) -> ConflictError:
    return ConflictError(
        changed_by=stored.updated_by,
        changed_at=stored.updated_at,
        current_version=stored.version,
    )


@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    expected_version: int,
    reason: str = "",
    request=None,
    **changes: Any,
) -> Person:
    """Correct a person's details.

    ``expected_version`` is the version the user saw when starting to edit. When the
    stored version differs, someone else saved in between: ``ConflictError`` ("changed by
    X at T — review and retry") and nothing is written. The write itself is a
    conditional UPDATE (``WHERE version = expected_version``), so two simultaneous saves
    cannot both succeed. The previous values are kept in a ``PersonRevision``.
    Returns ``person``, updated in place.
    """
    policy.require(actor, "persons.change", person)
    unknown = set(changes) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"person_update() cannot change {sorted(unknown)}")

    stored = _read_stored_person(person.pk)
    if stored.version != expected_version:
        raise _conflict(stored)
    previous = _stored_values(stored)
    new = _clean_person_values({**previous, **changes})
    changed = [name for name in PERSON_EDITABLE_FIELDS if new[name] != previous[name]]
    if not changed:
        return person
    if "national_number" in changed:
        _ensure_national_number_free(new["national_number"], person_pk=person.pk)

    now = timezone.now()
    keys = matching.search_keys(
        given_names=new["given_names"],
        family_name=new["family_name"],
        name_prefix=new["name_prefix"],
    ).as_dict()
    try:
        with transaction.atomic():
            written = Person.objects.filter(pk=person.pk, version=expected_version).update(
                **{name: new[name] for name in changed},
                **keys,
                version=F("version") + 1,
                updated_at=now,
                updated_by=actor,
            )
    except IntegrityError as exc:
        raise _national_number_taken_error() from exc
    if written != 1:
        raise _conflict(_read_stored_person(person.pk))

    PersonRevision.objects.create(
        person_id=person.pk,
        version=expected_version,
        values=_as_json(previous),
        changed_fields=changed,
        reason=reason.strip(),
        changed_by=actor,
        changed_at=now,
    )
    audit_record(
        action="person.updated",
        actor=actor,
        request=request,
        obj=person,
        detail={"fields": changed, "version": expected_version + 1},
    )
    for name in changed:
        setattr(person, name, new[name])
    for name, value in keys.items():
        setattr(person, name, value)
    person.version = expected_version + 1
    person.updated_at = now
    person.updated_by = actor
    return person


# --- Relations ----------------------------------------------------------------------------


@transaction.atomic
def relation_add(
    *, actor, person_a: Person, person_b: Person, kind: str, request=None
) -> Relation:
    """Record that ``person_a`` is ``kind`` of ``person_b`` (for "parent" and
    "grandparent" the direction counts: A is the parent of B)."""
    policy.require(actor, "persons.change", person_a)
    policy.require(actor, "persons.change", person_b)
    if kind not in RelationKind.values:
        raise ValidationError({"kind": _("Choose a relation from the list.")})
    if person_a.pk == person_b.pk:
        raise ValidationError(_("A person cannot be related to themselves."))
    if kind in DIRECTED_RELATION_KINDS:
        if Relation.objects.filter(
            person_a=person_b, person_b=person_a, kind__in=DIRECTED_RELATION_KINDS
        ).exists():
            raise ValidationError(
                _(
                    "The opposite relation is already recorded: a person cannot be both "
                    "parent and child of the same person."
                )
            )
    elif person_a.pk > person_b.pk:
        # Mutual relations are stored once, the lower id first.
        person_a, person_b = person_b, person_a
    if Relation.objects.filter(person_a=person_a, person_b=person_b, kind=kind).exists():
        raise ValidationError(_("This relation is already recorded."))
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                person_a=person_a, person_b=person_b, kind=kind, created_by=actor
            )
    except IntegrityError as exc:  # recorded at the same moment by someone else
        raise ValidationError(_("This relation is already recorded.")) from exc
    audit_record(
        action="relation.added",
        actor=actor,
        request=request,
        obj=relation,
        detail={"persons": [person_a.pk, person_b.pk]},
    )
    return relation


# --- Contact details ----------------------------------------------------------------------


def _clean_contact_value(kind: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"value": _("Fill in the contact detail.")})
    if kind == ContactDetail.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError({"value": _("Enter a valid e-mail address.")}) from exc
    elif kind == ContactDetail.Kind.PHONE:
        digits = sum(c.isdigit() for c in value)
        if not _PHONE.fullmatch(value) or not 6 <= digits <= 20:
            raise ValidationError(
                {"value": _("Enter a phone number: digits, and optionally + ( ) . / - or spaces.")}
            )
    elif kind == ContactDetail.Kind.ADDRESS:
        value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
    return value


@transaction.atomic
def contact_detail_add(
    *,
    actor,
    person: Person,
    kind: str,
    value: str,
    is_confidential: bool = False,
    valid_from: date | None = None,
    valid_until: date | None = None,
    request=None,
) -> ContactDetail:
    """Record an address, phone number or e-mail address, on behalf of the actor's
    organisation. ``is_confidential`` marks one the other side must never see."""
    policy.require(actor, "persons.change", person)
    if actor.organisation_id is None:
        raise ValidationError(
            _("Only a professional of a partner organisation can record contact details.")
        )
    if kind not in ContactDetail.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of contact detail.")})
    value = _clean_contact_value(kind, value)
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date lies before the start date.")})
    detail = ContactDetail.objects.create(
        person=person,
        kind=kind,
        value=value,
        is_confidential=is_confidential,
        recorded_by_organisation_id=actor.organisation_id,
        recorded_by=actor,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    audit_record(
        action="contact_detail.added",
        actor=actor,
        request=request,
        obj=detail,
        detail={"person": person.pk},
    )
    return detail


@transaction.atomic
def contact_detail_end(
    *, actor, contact_detail: ContactDetail, valid_until: date | None = None, request=None
) -> ContactDetail:
    """End a contact detail (default: today). It stays on record, no longer current."""
    policy.require(actor, "persons.change", contact_detail.person)
    valid_until = valid_until or timezone.localdate()
    if valid_until < contact_detail.valid_from:
        raise ValidationError({"valid_until": _("The end date lies before the start date.")})
    ended = (
        ContactDetail.objects.filter(pk=contact_detail.pk)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=valid_until))
        .update(valid_until=valid_until)
    )
    if not ended:
        raise ValidationError(_("This contact detail has already ended."))
    contact_detail.valid_until = valid_until
    audit_record(
        action="contact_detail.ended",
        actor=actor,
        request=request,
        obj=contact_detail,
        detail={"person": contact_detail.person_id},
    )
    return contact_detail
