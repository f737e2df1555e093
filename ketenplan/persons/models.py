"""Persons, their relations and contact details: they live across cases.

Writes go through ``services.py`` (audit row, optimistic locking, previous versions kept);
reads through ``selectors.py``. None of these models is registered in the Django admin:
personal data never bypasses the access policy.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.core.fields import EncryptedTextField

from . import matching
from .identifiers import national_number_kind, validate_national_number

# The fields a correction may change; ``PersonRevision`` keeps their previous values.
PERSON_EDITABLE_FIELDS = (
    "given_names",
    "name_prefix",
    "family_name",
    "birth_date",
    "birth_date_approximate",
    "gender",
    "national_number",
    "nationality",
    "language",
)
PERSON_NAME_FIELDS = frozenset({"given_names", "name_prefix", "family_name"})
PERSON_SEARCH_KEY_FIELDS = ("name_key", "given_name_key", "phonetic_key", "given_phonetic_key")


class Person(models.Model):
    """Someone in a family (client system); the same person may appear in several cases."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other / X")
        UNKNOWN = "unknown", _("unknown")

    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    name_prefix = models.CharField(
        _("name prefix"),
        max_length=30,
        blank=True,
        help_text=_(
            'A prefix written apart from the family name, such as "van", "de" or "van den".'
        ),
    )
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_approximate = models.BooleanField(
        _("date of birth is approximate"),
        default=False,
        help_text=_("Tick when the date is an estimate, for instance when only the year is known."),
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    # Digits only; null (not "") when unknown, so that uniqueness holds for known numbers.
    national_number = models.CharField(
        _("national number"),
        max_length=11,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_national_number],
        help_text=_("Belgian national register number (11 digits) or Dutch BSN (9 digits)."),
    )
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
    language = models.CharField(
        _("language"),
        max_length=100,
        blank=True,
        help_text=_("The language the person speaks best; note it when an interpreter is needed."),
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    # Optimistic locking: every change raises it by one; see services.person_update.
    version = models.PositiveIntegerField(_("version"), default=1)

    # Search keys, maintained by save() (and by services for conditional updates): see
    # matching.py. Never typed by anyone.
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    given_name_key = models.CharField(max_length=200, blank=True, editable=False)
    phonetic_key = models.CharField(max_length=200, blank=True, editable=False)
    given_phonetic_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["family_name", "given_names", "pk"]
        indexes = [
            # Shortlisting possible duplicates: (family, given) in either order.
            models.Index(fields=["phonetic_key", "given_phonetic_key"], name="person_phonetic_idx"),
            models.Index(fields=["name_key", "given_name_key"], name="person_name_key_idx"),
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(given_names="") & Q(family_name="")),
                name="person_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(national_number__isnull=True)
                | In(Length("national_number"), [9, 11]),
                name="person_national_number_length",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="person_version_positive"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and PERSON_NAME_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, *PERSON_SEARCH_KEY_FIELDS}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.name_prefix, self.family_name) if p)

    @property
    def national_number_kind(self) -> str:
        """``"BE"`` (rijksregisternummer), ``"NL"`` (BSN) or ``""``."""
        return national_number_kind(self.national_number or "")

    def refresh_search_keys(self) -> None:
        keys = matching.search_keys(
            given_names=self.given_names,
            family_name=self.family_name,
            name_prefix=self.name_prefix,
        )
        for name, value in keys.as_dict().items():
            setattr(self, name, value)


class PersonRevision(models.Model):
    """The values a person had before a correction, with who corrected them and when.

    ``version`` is the version the values belonged to; the person itself carries the
    next one. Corrections never erase: the history stays readable for those allowed.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("person")
    )
    version = models.PositiveIntegerField(_("version"))
    values = models.JSONField(_("previous values"))
    changed_fields = models.JSONField(_("changed fields"), default=list)
    reason = models.TextField(_("reason for the change"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("previous version of a person")
        verbose_name_plural = _("previous versions of persons")
        ordering = ["person", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="personrevision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} v{self.version}"


class RelationKind(models.TextChoices):
    """How person A stands to person B. "Parent" and "grandparent" read A → B."""

    PARTNER = "partner", _("partner")
    EX_PARTNER = "ex_partner", _("ex-partner")
    PARENT = "parent", _("parent")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    OTHER_RELATIVE = "other_relative", _("other relative")
    HOUSEHOLD_MEMBER = "household_member", _("household member")


# Kinds with a direction: A is the parent of B. All other kinds are mutual, and stored
# once, with the lower id as A.
DIRECTED_RELATION_KINDS = frozenset({RelationKind.PARENT, RelationKind.GRANDPARENT})
_SEEN_FROM_B = {
    RelationKind.PARENT: _("child"),
    RelationKind.GRANDPARENT: _("grandchild"),
}


class Relation(models.Model):
    """A family or household bond between two persons, across cases."""

    Kind = RelationKind

    person_a = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relations_as_a", verbose_name=_("person")
    )
    person_b = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="relations_as_b",
        verbose_name=_("related person"),
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["person_a", "kind", "person_b"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person_a=F("person_b")), name="relation_not_with_oneself"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(DIRECTED_RELATION_KINDS))
                | Q(person_a__lt=F("person_b")),
                name="relation_mutual_stored_once",
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b", "kind"], name="relation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} {self.kind} {self.person_b_id}"

    @property
    def is_directed(self) -> bool:
        return self.kind in DIRECTED_RELATION_KINDS

    def other_person_id(self, person: Person) -> int:
        return self.person_b_id if person.pk == self.person_a_id else self.person_a_id

    def kind_seen_from(self, person: Person) -> str:
        """What ``person`` is to the other: a parent reads "parent", the child "child"."""
        if self.is_directed and person.pk == self.person_b_id:
            return str(_SEEN_FROM_B[self.kind])
        return str(RelationKind(self.kind).label)


class ContactDetail(models.Model):
    """An address, phone number or e-mail address of a person, valid for a period.

    A confidential detail (a shelter address) is never shown to the other side of a
    case; the access policy enforces that. Details are never deleted: they are ended.
    """

    class Kind(models.TextChoices):
        ADDRESS = "address", _("address")
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="contact_details",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = EncryptedTextField(_("value"))
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "For instance a shelter address: never shown to the other party in a case."
        ),
    )
    recorded_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact detail")
        verbose_name_plural = _("contact details")
        ordering = ["person", "kind", "-valid_from", "pk"]
        indexes = [
            models.Index(fields=["person", "valid_until"], name="contactdetail_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="contactdetail_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        # No value here: a string form ends up in logs and error reports.
        return f"{self.get_kind_display()} #{self.pk}"

    def is_current_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
