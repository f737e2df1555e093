"""The plan and its execution: versions, goals per life domain, safety measures, actions,
contacts with the family, referrals, evaluations on the method's schedule.

A plan version is never edited after approval: a changed situation makes a new version
(a copy of the goals to adjust), while old versions stay readable and comparable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.core.fields import EncryptedTextField


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    class ApprovedBy(models.TextChoices):
        COORDINATOR = "coordinator", _("The coordinator")
        TEAM_MEETING = "team_meeting", _("The operational team in its meeting")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("why this version"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_route = models.CharField(_("approved by"), max_length=20, choices=ApprovedBy.choices, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking of the draft
    # Who changed the draft last and when: named when a concurrent edit is refused.
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="planversion_unique_number"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="draft"), name="planversion_one_draft"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="approved"), name="planversion_one_current"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="planversion_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} plan v{self.number}"


class Goal(models.Model):
    class Progress(models.TextChoices):
        OPEN = "open", _("Open")
        ON_TRACK = "on_track", _("On track")
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        DROPPED = "dropped", _("No longer relevant")

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="goals")
    life_domain = models.ForeignKey(
        "methods.LifeDomain",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("life domain"),
    )
    description = models.TextField(_("goal"))
    about_person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for"),
    )
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    responsible_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible professional"),
    )
    due_on = models.DateField(_("due on"))
    progress = models.CharField(_("progress"), max_length=20, choices=Progress.choices, default=Progress.OPEN)
    order = models.PositiveIntegerField(default=0)
    copied_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan_version", "order", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class SafetyMeasure(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct safety")
        STRUCTURAL = "structural", _("Structural safety")

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="safety_measures")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("measure"))
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("safety measure")
        verbose_name_plural = _("safety measures")
        ordering = ["plan_version", "kind", "order", "id"]  # direct measures first

    def __str__(self) -> str:
        return self.description[:60]


#: The condition of the partial indexes on open actions: ``Action.OPEN_STATUSES`` spelt
#: out (a model's Meta cannot name the model's own constants; a test keeps them equal).
OPEN_ACTION = Q(status__in=["open", "in_progress"])


class Action(models.Model):
    """A concrete task with an owner and a deadline: from the dossier's action list or
    under a goal of the plan."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANNOT_BE_DONE = "cannot_be_done", _("Cannot be done")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="actions")
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("goal"),
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("owner"),
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("organisation"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    status_reason = models.TextField(_("reason"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "id"]
        indexes = [
            # "My work": a professional's and an organisation's open actions in due order,
            # so that the first few are read from the index and the scan stops there (a
            # coordination point owns thousands; plans.selectors.my_first_actions).
            models.Index(
                fields=["owner", "due_on", "id"],
                condition=OPEN_ACTION,
                name="action_owner_open_idx",
            ),
            models.Index(
                fields=["owner_organisation", "due_on", "id"],
                condition=OPEN_ACTION,
                name="action_org_open_idx",
            ),
            models.Index(fields=["case", "status"], name="action_case_idx"),
            # The agenda's "cases whose actions are late" (meetings.agenda.propose) and the
            # packet's late actions: per case of the region, its open actions past a date,
            # from the index alone (PostgreSQL; no row of a done action is read).
            models.Index(
                fields=["case", "due_on"],
                condition=OPEN_ACTION,
                name="action_open_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cannot_be_done") | ~Q(status_reason=""),
                name="action_cannot_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_on < timezone.localdate()


class Contact(models.Model):
    """A contact of the case director or a partner with the family."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        OFFICE = "office", _("Office")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    with_persons = models.ManyToManyField("persons.Person", related_name="+", verbose_name=_("with"))
    summary = EncryptedTextField(_("summary"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-at"]
        indexes = [models.Index(fields=["case", "at"], name="contact_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"


class Referral(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        WAITING = "waiting", _("Waiting list")
        STARTED = "started", _("Started")
        DECLINED = "declined", _("Declined")
        ENDED = "ended", _("Ended")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        "persons.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for"),
    )
    service = models.CharField(_("service"), max_length=300)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    waiting_since = models.DateField(_("waiting since"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["status", "waiting_since"], name="referral_waiting_idx")]

    def __str__(self) -> str:
        return f"{self.service} ({self.status})"


class TraumaScreening(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="trauma_screenings")
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    offered_on = models.DateField(_("offered on"))
    done_on = models.DateField(_("screened on"), null=True, blank=True)
    declined = models.BooleanField(_("declined"), default=False)
    treatment_started_on = models.DateField(_("treatment started on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("trauma screening")
        verbose_name_plural = _("trauma screenings")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="traumascreening_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.person_id}"


class PoliceIntervention(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="police_interventions")
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("police intervention")
        verbose_name_plural = _("police interventions")
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.occurred_on}"


class Evaluation(models.Model):
    """An evaluation moment from the region's method profile, and what it decided."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue the plan")
        NEW_PLAN_VERSION = "new_plan_version", _("Make a new plan version")
        CLOSE = "close", _("Close the case")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="evaluations")
    milestone_key = models.CharField(max_length=60)
    name = models.CharField(_("evaluation"), max_length=200)
    due_on = models.DateField(_("due on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("how is it going"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["held_on", "due_on"], name="evaluation_due_idx"),
            # Evaluations not yet held, earliest due first (My work, the agenda): read in
            # index order, a short list stops after its first visible rows.
            models.Index(
                fields=["due_on", "id"], condition=Q(held_on__isnull=True), name="evaluation_open_due_idx"
            ),
            # The same per case (the agenda: the evaluations due of the region's cases in
            # execution), from the index alone.
            models.Index(
                fields=["case", "due_on", "id"],
                condition=Q(held_on__isnull=True),
                name="evaluation_open_case_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "milestone_key"], name="evaluation_unique_milestone"),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | ~Q(decision=""),
                name="evaluation_held_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"


class GoalProgress(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="goal_progress")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress_history")
    progress = models.CharField(_("progress"), max_length=20, choices=Goal.Progress.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "goal"], name="goalprogress_unique")]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.progress}"


class SelfRelianceScore(models.Model):
    """Self-reliance matrix (ZRM) score per life domain: 1 acute … 5 fully self-reliant."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="self_reliance_scores")
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_reliance_scores",
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    life_domain = models.ForeignKey("methods.LifeDomain", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="zrm_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.life_domain_id}: {self.score}"
