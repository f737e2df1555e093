"""The case: one family (client system), one path from registration to closure.

A case moves along the stages of METHOD.md §3 only through the guarded transitions in
``cases.workflow``; every move is recorded as a ``Transition``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.core.fields import EncryptedTextField


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INTAKE = "intake", _("Intake")
    DOSSIER = "dossier", _("Dossier")
    WEIGHING = "weighing", _("Risk weighing")
    PLANNING = "planning", _("Planning")
    EXECUTION = "execution", _("Execution")
    CLOSED = "closed", _("Closed")


class ViolenceKind(models.TextChoices):
    PARTNER = "partner", _("Partner violence")
    CHILD = "child", _("Child abuse")
    ELDER = "elder", _("Elder abuse")
    SEXUAL = "sexual", _("Sexual violence")
    HONOUR = "honour", _("Honour-related violence")


class MemberRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("Alleged perpetrator")
    CHILD_VICTIM = "child_victim", _("Child (victim)")
    CHILD_WITNESS = "child_witness", _("Child (witness)")
    HOUSEHOLD_MEMBER = "household_member", _("Other household member")
    RELATIVE = "relative", _("Relative")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ClosureKind(models.TextChoices):
    ADVICE = "advice", _("Closed with advice to the referrer")
    OUTCOME = "outcome", _("Closed after the chain approach")


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    VIOLENCE_STOPPED = "violence_stopped", _("Violence stopped, as far as known")
    FAMILY_MOVED = "family_moved", _("Family moved")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    RISK_NOT_HIGH = "risk_not_high", _("Risk not high")


class Case(models.Model):
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True, blank=True)
    family_label = models.CharField(
        _("family"),
        max_length=200,
        help_text=_("How the team refers to this family, e.g. 'Family Peeters'."),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REGISTERED
    )
    stage_changed_at = models.DateTimeField(_("stage since"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    referring_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referred_cases",
        verbose_name=_("referring organisation"),
    )
    reason = EncryptedTextField(_("reason for registration"))
    violence_kinds = models.JSONField(_("violence concerned"), default=list)
    crisis_measures = models.TextField(_("crisis measures taken so far"), blank=True)
    is_repeat = models.BooleanField(_("repeat registration"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("repeat of"),
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directed_cases",
        verbose_name=_("case director"),
    )
    plan_approved_on = models.DateField(_("first plan approved on"), null=True, blank=True)
    closure_kind = models.CharField(
        _("closed as"), max_length=10, choices=ClosureKind.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-registered_at"]
        indexes = [
            # The cases of a region by stage, with their key: the agenda's subqueries
            # ("the region's open cases") from the index alone.
            models.Index(fields=["region", "stage", "id"], name="case_region_stage_id_idx"),
            models.Index(fields=["stage", "stage_changed_at"], name="case_stage_since_idx"),
            # The orders of the case lists, the API and the board: read in index order,
            # a page of 50 stops after 50 visible cases instead of sorting the region.
            models.Index(fields=["registered_at", "id"], name="case_registered_idx"),
            models.Index(fields=["stage_changed_at", "id"], name="case_stage_changed_idx"),
            # The registrations waiting for admissibility, oldest first (My work, board).
            models.Index(fields=["stage", "registered_at", "id"], name="case_stage_registered_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="closed", closed_at__isnull=False, closure_kind__gt="")
                | (~Q(stage="closed") & Q(closed_at__isnull=True)),
                name="case_closed_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(stage="execution") | Q(case_director__isnull=False),
                name="case_execution_needs_director",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.family_label}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    def get_violence_kinds_display(self) -> list[str]:
        labels = dict(ViolenceKind.choices)
        return [str(labels.get(k, k)) for k in self.violence_kinds]


class CaseMember(models.Model):
    """A person of the client system, with their roles in this case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="case_memberships"
    )
    roles = models.JSONField(_("roles in the case"), default=list)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="casemember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.case_id}"

    def get_roles_display(self) -> list[str]:
        labels = dict(MemberRole.choices)
        return [str(labels.get(r, r)) for r in self.roles]


class Participation(models.Model):
    """An organisation that takes part in a case, and why."""

    class Kind(models.TextChoices):
        REFERRER = "referrer", _("Referrer")
        COORDINATION = "coordination", _("Coordination point")
        OPERATIONAL_TEAM = "operational_team", _("Operational team")
        PARTNER = "partner", _("Partner")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="participations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="participations"
    )
    kind = models.CharField(_("takes part as"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    since = models.DateTimeField(_("since"), default=timezone.now)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(until__isnull=True),
                name="participation_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "until"], name="participation_org_idx"),
            # "The cases this organisation takes part in" (the case.view scope) from the
            # index alone: for a coordination point that is every case of its region.
            models.Index(
                fields=["organisation", "case"],
                condition=Q(until__isnull=True),
                name="participation_org_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.case_id}"


class Transition(models.Model):
    """One step of a case: who moved it, when and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    name = models.CharField(_("step"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage} → {self.to_stage}"


class AdmissibilityDecision(models.Model):
    class Criterion(models.TextChoices):
        VERY_UNSAFE = "very_unsafe", _("The family situation is very unsafe")
        COMPLEX = (
            "complex",
            _("So complex that it needs a combined approach of welfare/health, police and justice"),
        )
        MULTIPLE_DOMAINS = "multiple_domains", _("Problems in several life domains at once")
        HELP_STUCK = (
            "help_stuck",
            _("Help is stuck, hopeless or going in circles, or measures do not get started"),
        )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="admissibility_decisions")
    answers = models.JSONField(
        _("criteria"), default=dict
    )  # {criterion: {"met": bool, "note": str}}
    admissible = models.BooleanField(_("admissible"))
    advice = models.TextField(_("advice to the referrer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("admissibility decision")
        verbose_name_plural = _("admissibility decisions")
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {'admissible' if self.admissible else 'not admissible'}"

    def answer_rows(self) -> list[tuple[str, bool, str]]:
        """``(criterion label, met, note)`` in the order of the criteria."""
        return [
            (str(label), bool(self.answers[value].get("met")), self.answers[value].get("note", ""))
            for value, label in self.Criterion.choices
            if value in self.answers
        ]


class RiskWeighing(models.Model):
    """The team's risk weighing. Structured instruments come as assessments later."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_weighings")
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    reasoning = models.TextField(_("reasoning"))
    advice = models.TextField(_("advice to the referrer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("risk weighing")
        verbose_name_plural = _("risk weighings")
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.level}"


class CaseDirectorAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="director_assignments")
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case director assignment")
        verbose_name_plural = _("case director assignments")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_active_case_director"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.professional} for {self.case_id}"


class Closure(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="closure")
    kind = models.CharField(_("closed as"), max_length=10, choices=ClosureKind.choices)
    outcome = models.CharField(_("outcome"), max_length=30, choices=ClosureOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    advice = models.TextField(_("advice to the referrer"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    follow_up_on = models.DateField(_("follow-up on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up result"), blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome}"
