"""Consent, legal basis and emergency access (METHOD.md §4).

Per person and case, the team records whether that person consents to information about
them being shared between the partner organisations, and with which ones — or the legal
basis used instead, or the deliberate choice not to ask them. The access rules that read
these records live in ``consent.policy``; writes go through ``consent.services``.

* ``Consent`` rows are never changed nor deleted: every change of status is a new row,
  and the current state of a person in a case is the latest row (``recorded_at``, then
  ``pk``). A withdrawal is a new row too, and takes effect the moment it is saved.
* ``NotAsked`` is a ``Consent`` row with status "not asked": the deliberate, reasoned
  choice not to ask one person, to protect another. It counts as "no consent".
* ``LegalBasis`` is revocable: ending it records who ended it, when and why; the row stays.
* ``EmergencyAccess`` ("break the glass") opens one case to one professional for a short
  time, is announced to the coordinators at once and waits for their review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_CHILD_OWN_AGE = 12
DEFAULT_EMERGENCY_ACCESS_MINUTES = 60


def child_own_age() -> int:
    """From this age a child gives or refuses consent itself (setting
    ``CONSENT_CHILD_OWN_AGE``, read at call time)."""
    return int(getattr(settings, "CONSENT_CHILD_OWN_AGE", DEFAULT_CHILD_OWN_AGE))


def emergency_access_minutes() -> int:
    """How long emergency access lasts (setting ``EMERGENCY_ACCESS_MINUTES``)."""
    return int(getattr(settings, "EMERGENCY_ACCESS_MINUTES", DEFAULT_EMERGENCY_ACCESS_MINUTES))


class ConsentStatus(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked")
    ASKED = "asked", _("Asked")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentScope(models.TextChoices):
    ALL_PARTNERS = "all_partners", _("All participating partner organisations")
    CHOSEN = "chosen", _("Only the organisations chosen")


class ObtainedHow(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    WRITTEN = "written", _("In writing")
    PHONE = "phone", _("By phone")


class AppendOnly(models.Model):
    """Rows of a history: written once, never changed nor deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are never changed: record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted.")


class Consent(AppendOnly):
    """One recorded state of a person's consent in a case; the latest row is current."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="consents", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    status = models.CharField(_("consent"), max_length=20, choices=ConsentStatus.choices)
    scope = models.CharField(
        _("shared with"),
        max_length=20,
        choices=ConsentScope.choices,
        default=ConsentScope.ALL_PARTNERS,
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        through="ConsentOrganisation",
        related_name="+",
        blank=True,
        verbose_name=_("organisations chosen"),
    )
    obtained_on = models.DateField(_("date"), null=True, blank=True)
    obtained_how = models.CharField(_("obtained"), max_length=20, choices=ObtainedHow.choices, blank=True)
    given_by = models.ForeignKey(
        "cases.CaseMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by parent or guardian"),
        help_text=_("Empty when the person answered for themselves."),
    )
    evidence_note = models.TextField(_("evidence"), blank=True)
    evidence_attachment = models.ForeignKey(
        "dossier.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence document"),
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the person was deliberately not asked, or a note on a refusal or withdrawal."),
    )
    protects = models.ForeignKey(
        "cases.CaseMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to protect"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by organisation"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["case", "person", "-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "person", "recorded_at"], name="consent_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="all_partners") | Q(status="given"),
                name="consent_scope_only_when_given",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["given", "refused", "withdrawn"])
                | (Q(obtained_on__isnull=False) & ~Q(obtained_how="")),
                name="consent_answer_has_date_and_way",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_asked") | ~Q(reason=""),
                name="consent_not_asked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(protects__isnull=True) | Q(status="not_asked"),
                name="consent_protects_only_not_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.person_id}: {self.status}"

    @property
    def is_given(self) -> bool:
        return self.status == ConsentStatus.GIVEN

    @property
    def is_deliberately_not_asked(self) -> bool:
        return self.status == ConsentStatus.NOT_ASKED


class ConsentOrganisation(models.Model):
    """An organisation a consent with the "chosen" scope covers."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="covered")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("organisation covered by a consent")
        verbose_name_plural = _("organisations covered by a consent")
        constraints = [
            models.UniqueConstraint(fields=["consent", "organisation"], name="consentorganisation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} → {self.organisation_id}"


class NotAskedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=ConsentStatus.NOT_ASKED)


class NotAsked(Consent):
    """The deliberate choice not to ask a person (to protect another), with the reason.

    Stored as a ``Consent`` row with status "not asked": it replaces any earlier state,
    counts as "no consent" (nothing about the person is shared on consent), and the reason
    is visible to the team. Asking the person later is simply a new ``Consent`` row.
    """

    objects = NotAskedManager()

    class Meta:
        proxy = True
        verbose_name = _("deliberately not asked")
        verbose_name_plural = _("deliberately not asked")


class LegalBasis(models.Model):
    """Information about a person shared without consent, on a legal basis."""

    class Basis(models.TextChoices):
        BE_CASE_CONFERENCE = (
            "be_case_conference",
            _("Belgium: case conference (art. 458ter Criminal Code / regional decree)"),
        )
        UK_MARAC = "uk_marac", _("United Kingdom: MARAC threshold met")
        NL_REPORTING_CODE = "nl_reporting_code", _("Netherlands: reporting code (right to report)")
        OTHER = "other", _("Other legal basis")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="legal_bases", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="legal_bases", verbose_name=_("person")
    )
    basis = models.CharField(_("legal basis"), max_length=30, choices=Basis.choices)
    basis_text = models.CharField(
        _("which legal basis"),
        max_length=300,
        blank=True,
        help_text=_("Name the law or rule when you chose 'other'."),
    )
    justification = models.TextField(_("justification"))
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_until = models.DateField(_("until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("why it was ended"), blank=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["case", "person", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["case", "person"], name="legalbasis_case_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="legalbasis_period_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(basis="other") | ~Q(basis_text=""), name="legalbasis_other_named"
            ),
            models.CheckConstraint(condition=~Q(justification=""), name="legalbasis_justified"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | (Q(ended_by__isnull=False) & ~Q(end_reason="")),
                name="legalbasis_end_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.person_id}: {self.basis}"

    def is_active(self, at=None) -> bool:
        moment = at or timezone.now()
        day = timezone.localdate(moment)
        if self.valid_from > day or self.valid_until < day:
            return False
        if at is not None and self.recorded_at > at:
            return False
        if self.ended_at is None:
            return True
        return at is not None and self.ended_at > at

    @property
    def label(self) -> str:
        if self.basis == self.Basis.OTHER:
            return self.basis_text
        return str(self.Basis(self.basis).label)


class EmergencyAccess(models.Model):
    """A professional without access opened a case in acute danger ("break the glass")."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="emergency_accesses", verbose_name=_("case")
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("professional"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(_("review"), blank=True)

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["professional", "expires_at"], name="emergency_active_idx"),
            models.Index(fields=["case", "reviewed_at"], name="emergency_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="emergency_has_reason"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="emergency_expires_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | (Q(reviewed_by__isnull=False) & ~Q(review_note="")),
                name="emergency_review_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} by {self.professional_id} at {self.opened_at:%Y-%m-%d %H:%M}"

    def is_active(self, at=None) -> bool:
        moment = at or timezone.now()
        return self.opened_at <= moment < self.expires_at

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
