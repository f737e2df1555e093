"""The dossier: what each partner knows about the family, requests for more, documents.

Contributions are never deleted nor overwritten: a correction is a new contribution that
``supersedes`` the earlier one, which stays readable for those allowed to see it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.core.fields import EncryptedTextField


class Contribution(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contributions")
    about_person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("about"),
        help_text=_("Leave empty when the information is about the family as a whole."),
    )
    life_domain = models.ForeignKey(
        "methods.LifeDomain",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("life domain"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("contributed by"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("information"))
    occurred_on = models.DateField(_("date of the information"))
    source = models.CharField(
        _("source"), max_length=300, help_text=_("Where the information comes from.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    is_current = models.BooleanField(default=True)
    correction_reason = models.TextField(
        _("reason for the correction"),
        blank=True,
        help_text=_("Why the earlier version was corrected; required for a correction."),
    )

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["case", "is_current"], name="contribution_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="contribution_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.life_domain_id} · {self.occurred_on}"


class Attachment(models.Model):
    """A document kept outside the web root, served only through the access policy."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="attachments")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class InformationRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.OPEN,)

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="information_requests"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="information_requests",
        verbose_name=_("to organisation"),
    )
    about_person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
    )
    question = models.TextField(_("question"))
    due_on = models.DateField(_("answer needed by"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the request was declined or withdrawn.")
    )
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["due_on"]
        indexes = [
            models.Index(
                fields=["to_organisation", "status", "due_on"], name="inforequest_todo_idx"
            ),
            models.Index(fields=["case", "status"], name="inforequest_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="inforequest_answered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""),
                name="inforequest_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["declined", "withdrawn"]) | ~Q(status_reason=""),
                name="inforequest_closed_has_reason",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="inforequest_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_organisation_id} ({self.status})"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
