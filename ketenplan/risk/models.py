"""Risk instruments as data, the assessments made with them, and the reporting-code guide.

* ``Instrument`` + ``InstrumentVersion``: the checked YAML file (see ``schema.py``). A
  version never changes once loaded; a changed file is loaded as a new version, and every
  assessment keeps the exact version it was made with.
* ``RegionInstrument``: which instruments a region's weighing uses.
* ``Assessment``: one filled-in instrument about one member of a case, by one
  professional; a draft until finalised.
* ``WeighingBasis``: what the system proposed when the team confirmed a weighing, and
  the assessments it was based on.
* ``ReportingGuide`` + ``Consultation``: a professional working through the reporting code
  (NL meldcode); owned by the professional's organisation, not by a case.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.methods.language import localized

from .schema import KEY_MAX_LENGTH, KEY_PATTERN

key_validator = RegexValidator(
    KEY_PATTERN, _("Use lower-case letters and digits, joined by single hyphens or underscores.")
)


class RiskLevel(models.TextChoices):
    """The levels bands map to; the same values as ``cases.RiskLevel``."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


LEVEL_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class Instrument(models.Model):
    key = models.SlugField(_("key"), max_length=KEY_MAX_LENGTH, unique=True, validators=[key_validator])
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    current_version = models.ForeignKey(
        "InstrumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
        help_text=_("New assessments use this version."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive instruments are not offered for new assessments; existing "
                    "assessments keep theirs."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("risk instrument")
        verbose_name_plural = _("risk instruments")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"nl": self.name_nl, "en": self.name_en})


class InstrumentVersion(models.Model):
    """One loaded file of an instrument. Immutable: assessments point at it."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    source_text = models.TextField(_("file as loaded"))
    source = models.CharField(_("loaded from"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrumentversion_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="instrumentversion_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("An instrument version never changes; load a new version instead.")
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return localized(self.definition["name"])

    @property
    def description(self) -> str:
        text = self.definition.get("description")
        return localized(text) if text else ""

    @cached_property
    def parsed(self):
        from .scoring import Definition

        return Definition(self.definition)


class RegionInstrument(models.Model):
    """An instrument a region's weighing uses. A region without any uses every active one."""

    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="regions", verbose_name=_("instrument")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("instrument of a region")
        verbose_name_plural = _("instruments of regions")
        ordering = ["region", "order", "instrument__key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "instrument"], name="regioninstrument_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.instrument}"


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="risk_assessments")
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("about")
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments",
        verbose_name=_("instrument version"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    score = models.IntegerField(_("score"), default=0)
    unknown_count = models.PositiveIntegerField(_("unknown answers"), default=0)
    missing_count = models.PositiveIntegerField(_("unanswered questions"), default=0)
    computed_band = models.CharField(_("band from the instrument"), max_length=KEY_MAX_LENGTH)
    computed_level = models.CharField(
        _("level from the instrument"), max_length=10, choices=RiskLevel.choices
    )
    triggers = models.JSONField(_("triggers fired"), default=list, blank=True)
    flags = models.JSONField(_("flags for judgement"), default=list, blank=True)
    judgement_band = models.CharField(
        _("band by professional judgement"), max_length=KEY_MAX_LENGTH, blank=True
    )
    judgement_reason = models.TextField(_("reason for the judgement"), blank=True)
    judgement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    judgement_at = models.DateTimeField(null=True, blank=True)
    final_band = models.CharField(_("band"), max_length=KEY_MAX_LENGTH)
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    assessed_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "person", "status"], name="assessment_case_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", assessed_at__isnull=True)
                | Q(status="final", assessed_at__isnull=False, missing_count=0),
                name="assessment_final_consistent",
            ),
            models.CheckConstraint(
                condition=Q(judgement_band="") | ~Q(judgement_reason=""),
                name="assessment_judgement_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.instrument_version} ({self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:assessment", args=[self.case_id, self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def definition(self):
        return self.instrument_version.parsed

    @property
    def at(self):
        return self.assessed_at or self.created_at

    def band_name(self, key: str) -> str:
        return self.definition.band_name(key) if key else ""

    @property
    def final_band_name(self) -> str:
        return self.band_name(self.final_band)

    @property
    def computed_band_name(self) -> str:
        return self.band_name(self.computed_band)

    @property
    def judgement_band_name(self) -> str:
        return self.band_name(self.judgement_band)


class WeighingBasis(models.Model):
    """What the system proposed when the team confirmed a weighing, and on which
    assessments: the weighing itself is ``cases.RiskWeighing``."""

    weighing = models.OneToOneField("cases.RiskWeighing", on_delete=models.PROTECT, related_name="basis")
    proposed_level = models.CharField(
        _("proposed level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    criteria = models.JSONField(_("criteria met"), default=list, blank=True)
    assessments = models.ManyToManyField(Assessment, related_name="+")
    police_incidents = models.PositiveIntegerField(_("police-reported incidents in the window"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("basis of a weighing")
        verbose_name_plural = _("bases of weighings")

    def __str__(self) -> str:
        return f"{self.weighing_id}: {self.proposed_level}"


# --- The reporting code (NL meldcode) -----------------------------------------------------


class Unsafety(models.TextChoices):
    NONE = "none", _("No acute or structural unsafety")
    ACUTE = "acute", _("Acute unsafety")
    STRUCTURAL = "structural", _("Structural unsafety")
    BOTH = "both", _("Acute and structural unsafety")


class GuideOutcome(models.TextChoices):
    REPORT = "report", _("Report to Veilig Thuis")
    OWN_HELP = "own_help", _("Organise help myself")
    CHAIN_APPROACH = "chain_approach", _("Register for the chain approach")
    NO_ACTION = "no_action", _("No further action")


class ReportingGuide(models.Model):
    """One professional's way through the five steps of the reporting code about one
    situation. Holds no case: it may lead to one ("register for the chain approach")."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DECIDED = "decided", _("Decided")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    title = models.CharField(
        _("situation"),
        max_length=200,
        help_text=_("A short description your colleagues recognise, without full names, "
                    "e.g. 'Pupil group 5, bruises'."),
    )
    violence_kinds = models.JSONField(_("violence concerned"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    signals = models.TextField(_("step 1: signals"), blank=True)
    consultation_notes = models.TextField(_("step 2: consultation"), blank=True)
    conversation = models.TextField(_("step 3: conversation with the people involved"), blank=True)
    weighing_notes = models.TextField(_("step 4: weighing"), blank=True)
    q_suspicion = models.BooleanField(
        _("suspicion of domestic violence or child abuse"), null=True, blank=True
    )
    q_unsafety = models.CharField(_("acute or structural unsafety"), max_length=12, choices=Unsafety.choices,
                                  blank=True)
    q_can_help = models.BooleanField(_("able to give or organise effective help"), null=True, blank=True)
    q_help_accepted = models.BooleanField(_("the people involved accept the help"), null=True, blank=True)
    q_help_safe = models.BooleanField(_("the help brings safety in time"), null=True, blank=True)
    outcome = models.CharField(_("decision"), max_length=20, choices=GuideOutcome.choices, blank=True)
    decision_notes = models.TextField(_("step 5: decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("reporting-code guide")
        verbose_name_plural = _("reporting-code guides")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", outcome="", decided_at__isnull=True)
                | (Q(status="decided", decided_at__isnull=False) & ~Q(outcome="")),
                name="reportingguide_decided_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(q_unsafety__in=["acute", "structural", "both"]) | Q(outcome__in=["", "report"]),
                name="reportingguide_unsafety_reported",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reporting:guide", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.DECIDED

    def get_violence_kinds_display(self) -> list[str]:
        from ketenplan.cases.models import ViolenceKind

        labels = dict(ViolenceKind.choices)
        return [str(labels.get(k, k)) for k in self.violence_kinds]


class Consultation(models.Model):
    """Step 2: a colleague, Veilig Thuis or an expert consulted, with whom and when."""

    class Kind(models.TextChoices):
        COLLEAGUE = "colleague", _("A colleague")
        VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis (advice)")
        EXPERT = "expert", _("An expert (e.g. a doctor or the reporting-code officer)")
        OTHER = "other", _("Someone else")

    guide = models.ForeignKey(ReportingGuide, on_delete=models.PROTECT, related_name="consultations")
    kind = models.CharField(_("consulted"), max_length=20, choices=Kind.choices)
    with_whom = models.CharField(_("with whom"), max_length=200)
    on = models.DateField(_("when"))
    advice = models.TextField(_("advice given"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.guide_id}: {self.with_whom} {self.on}"
