"""Operational team meetings, crisis consultations, consultation hours and escalation.

* ``MeetingSeries`` is a region's recurring schedule of the operational team; its
  ``SeriesMember`` rows are the delegates of the core partners and their substitutes.
* ``Meeting`` is one team meeting or one ad-hoc crisis consultation on a case;
  ``Attendance`` says who is expected, who sent apologies, who was there and who confirmed
  the confidentiality statement (needed before the preparation packet opens).
* ``AgendaItem`` rows are the agenda as the coordinator prepared it: generated from the
  state of the cases (``agenda.py``) and edited by hand; a rebuild keeps the edits.
* ``MinutesVersion`` holds the minutes: ``Decision`` rows per agenda item and the
  ``ActionReview`` of the previous meeting's unfinished actions. Approved minutes never
  change; a correction is a new version.
* ``Escalation`` is the case director's appeal to the steering group (doorzettingsmacht).
* ``ConsultationHour`` (weekly, by video or a specialist's phone) is cut into
  ``ConsultationSlot`` rows when someone books; one confirmed ``Booking`` per slot, held
  by a database constraint.
* ``CalendarFeed`` is a professional's private, revocable iCalendar feed (only a hash of
  its secret is stored).
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s") % {"zone": value})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


DEFAULT_CONFIDENTIALITY_STATEMENT = _(
    "I take part in this case conference only to protect the physical and psychological "
    "integrity of the people concerned. What I read and hear here stays confidential: I "
    "share it with nobody outside this meeting, I use it only for the approach agreed here, "
    "and I remain bound by my professional secrecy."
)


# --- The operational team's schedule ---------------------------------------------------


class MeetingSeries(models.Model):
    """The recurring schedule of a region's operational team."""

    class Recurrence(models.TextChoices):
        WEEKS_OF_MONTH = "weeks_of_month", _("On given weeks of the month")
        INTERVAL = "interval", _("Every so many weeks")

    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="meeting_series",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.TUESDAY)
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    recurrence = models.CharField(
        _("repeats"),
        max_length=20,
        choices=Recurrence.choices,
        default=Recurrence.WEEKS_OF_MONTH,
    )
    weeks_of_month = models.JSONField(
        _("weeks of the month"),
        default=list,
        blank=True,
        help_text=_("1 to 5, or -1 for the last week: [2, 4] is the second and fourth week."),
    )
    interval_weeks = models.PositiveSmallIntegerField(_("every … weeks"), default=2)
    anchor_date = models.DateField(
        _("first meeting on"),
        null=True,
        blank=True,
        help_text=_("For a schedule every so many weeks: the date of one meeting in it."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=60, default=default_time_zone, validators=[validate_time_zone]
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    confidentiality_statement = models.TextField(_("confidentiality statement"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting schedule")
        verbose_name_plural = _("meeting schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(is_active=True), name="meetingseries_one_per_region"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=600),
                name="meetingseries_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=12),
                name="meetingseries_interval_range",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="meetingseries_weekday_range"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(_("Operational team meeting"))


class SeriesMember(models.Model):
    """A delegate of a core partner in the operational team, or their substitute."""

    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        SUBSTITUTE = "substitute", _("Substitute")

    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="members")
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_memberships",
        verbose_name=_("professional"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.DELEGATE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["organisation__name", "role", "professional__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "professional"], name="seriesmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} ({self.get_role_display()})"


class SteeringMember(models.Model):
    """A process director or steering-group member of a region: receives escalations."""

    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="steering_members",
        verbose_name=_("region"),
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="steering_memberships",
        verbose_name=_("professional"),
    )
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("steering-group member")
        verbose_name_plural = _("steering-group members")
        constraints = [
            models.UniqueConstraint(fields=["region", "professional"], name="steeringmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} ({self.region})"


# --- Meetings --------------------------------------------------------------------------


class Meeting(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", _("Operational team meeting")
        CRISIS = "crisis", _("Crisis consultation")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEAM)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crisis_consultations",
        verbose_name=_("case"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"), max_length=60, default=default_time_zone, validators=[validate_time_zone]
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    reason = models.TextField(_("why now"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agenda_prepared_at = models.DateTimeField(_("agenda prepared at"), null=True, blank=True)
    agenda_prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agenda_overflow = models.JSONField(default=dict, blank=True)  # {kind: how many did not fit}
    sequence = models.PositiveIntegerField(default=0)  # iCalendar SEQUENCE: bumped on changes
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["region", "kind", "starts_at"], name="meeting_region_idx"),
            models.Index(fields=["series", "starts_at"], name="meeting_series_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="crisis") & Q(case__isnull=False))
                | (Q(kind="team") & Q(case__isnull=True)),
                name="meeting_crisis_has_case",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                condition=Q(series__isnull=False),
                name="meeting_unique_in_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_crisis(self) -> bool:
        return self.kind == self.Kind.CRISIS

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.zone)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Attendance(models.Model):
    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        SUBSTITUTE = "substitute", _("Substitute")
        INVITED = "invited", _("Invited")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        STANDBY = "standby", _("Standing by")
        PRESENT = "present", _("Present")
        APOLOGISED = "apologised", _("Sent apologies")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
        verbose_name=_("professional"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.DELEGATE)
    status = models.CharField(_("attendance"), max_length=12, choices=Status.choices, default=Status.EXPECTED)
    apology_note = models.CharField(_("apologies"), max_length=300, blank=True)
    confidentiality_confirmed_at = models.DateTimeField(
        _("confidentiality confirmed at"), null=True, blank=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["organisation__name", "role", "professional__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "professional"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["professional", "meeting"], name="attendance_professional_idx")]

    def __str__(self) -> str:
        return f"{self.professional} · {self.get_status_display()}"

    @property
    def takes_part(self) -> bool:
        return self.status in (self.Status.EXPECTED, self.Status.PRESENT)


# --- The agenda ------------------------------------------------------------------------


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("Escalation")
        REPEAT = "repeat", _("Repeat registration")
        ADMISSIBILITY = "admissibility", _("New registration: admissibility")
        INTAKE = "intake", _("Intake")
        WEIGHING = "weighing", _("Dossier ready for risk weighing")
        PLAN = "plan", _("Plan to approve")
        EVALUATION = "evaluation", _("Evaluation due")
        LATE_ACTIONS = "late_actions", _("Late actions")
        CASE = "case", _("Case")
        TOPIC = "topic", _("Other topic")

    class Source(models.TextChoices):
        GENERATED = "generated", _("From the state of the cases")
        MANUAL = "manual", _("Added by the coordinator")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    key = models.CharField(max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.GENERATED)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluation = models.ForeignKey(
        "plans.Evaluation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation = models.ForeignKey(
        "meetings.Escalation", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    title = models.CharField(
        _("topic"),
        max_length=200,
        blank=True,
        help_text=_("For a topic that is not about one case. Do not name family members."),
    )
    position = models.PositiveIntegerField(default=0)
    minutes = models.PositiveSmallIntegerField(pgettext_lazy("duration", "minutes"), default=10)
    urgent = models.BooleanField(_("urgent"), default=False)
    is_edited = models.BooleanField(default=False)  # the coordinator moved or changed it
    removed_at = models.DateTimeField(null=True, blank=True)  # removed by the coordinator
    late_action_count = models.PositiveIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True)  # evaluation due / oldest late action
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="agendaitem_unique_key"),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | ~Q(title=""), name="agendaitem_case_or_topic"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=240), name="agendaitem_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.position} {self.kind}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


# --- Minutes ---------------------------------------------------------------------------


class MinutesVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("general notes"), blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_unique_number"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(status="draft"), name="minutes_one_draft"
            ),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(status="approved"), name="minutes_one_approved"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="minutes_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="minutes_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} minutes v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ImmutableMinutesError(Exception):
    """A write to minutes that were approved: make a correction instead."""


class _MinutesPart(models.Model):
    """Rows of a minutes version: written only while that version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not MinutesVersion.objects.filter(pk=self.minutes_id, status=MinutesVersion.Status.DRAFT).exists():
            raise ImmutableMinutesError("Approved minutes do not change; make a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not MinutesVersion.objects.filter(pk=self.minutes_id, status=MinutesVersion.Status.DRAFT).exists():
            raise ImmutableMinutesError("Approved minutes do not change; make a correction.")
        return super().delete(*args, **kwargs)


class Decision(_MinutesPart):
    class Kind(models.TextChoices):
        NOTE = "note", _("Decision or note")
        ADMISSIBILITY = "admissibility", _("Admissibility")
        INTAKE_COMPLETE = "intake_complete", _("Intake done: build the dossier")
        DOSSIER_READY = "dossier_ready", _("Dossier ready for risk weighing")
        RISK_WEIGHING = "risk_weighing", _("Risk weighing")
        PLAN_APPROVAL = "plan_approval", _("Plan approved by the team")
        ACTION = "action", _("New action")

    #: Decisions that change the case through its own services; never repeated.
    CASE_STEPS = ("admissibility", "intake_complete", "dossier_ready", "risk_weighing", "plan_approval")

    minutes = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("decision"))
    detail = models.JSONField(default=dict, blank=True)
    action = models.ForeignKey(
        "plans.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carried_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # copied into a correction; its effect on the case is not repeated
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["minutes", "agenda_item__position", "recorded_at", "id"]
        indexes = [models.Index(fields=["case"], name="decision_case_idx")]

    def __str__(self) -> str:
        return f"{self.minutes_id}: {self.kind}"


class ActionReview(_MinutesPart):
    """Why an action agreed at the previous meeting is not finished."""

    class Verdict(models.TextChoices):
        CIRCUMSTANCES_CHANGED = "circumstances_changed", _("Circumstances changed")
        NOT_DONE = "not_done", _("Not done")

    minutes = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="action_reviews")
    action = models.ForeignKey("plans.Action", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("why not finished"), max_length=30, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action review")
        verbose_name_plural = _("action reviews")
        ordering = ["minutes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "action"], name="actionreview_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.verdict}"


# --- Escalation ------------------------------------------------------------------------


class Escalation(models.Model):
    class Kind(models.TextChoices):
        BLOCKED_ACTION = "blocked_action", _("An action is blocked")
        NON_COOPERATING_PARTNER = "non_cooperating_partner", _("A partner does not cooperate")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="escalations", verbose_name=_("case")
    )
    kind = models.CharField(_("what is wrong"), max_length=30, choices=Kind.choices)
    action = models.ForeignKey(
        "plans.Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("blocked action"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner concerned"),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    outcome = models.TextField(_("outcome"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["region", "status"], name="escalation_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="blocked_action") | Q(action__isnull=False),
                name="escalation_blocked_action_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="non_cooperating_partner") | Q(organisation__isnull=False),
                name="escalation_partner_named",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(handled_at__isnull=False) & ~Q(outcome="")),
                name="escalation_handled_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} ({self.status})"


# --- Consultation hours ----------------------------------------------------------------


class ConsultationHour(models.Model):
    """A fixed weekly moment when professionals can ask advice (seed 000)."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("Consultation hour by video")
        PHONE = "phone", _("Specialist consult by phone")

    class Specialism(models.TextChoices):
        GENERAL = "", _("Intrafamily violence (general)")
        ADDICTION_CARE = "addiction_care", _("Addiction care")
        MENTAL_HEALTH = "mental_health", _("Mental-health care")
        LAWYER = "lawyer", _("Lawyer")
        BAILIFF = "bailiff", _("Bailiff")

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="consultation_hours")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VIDEO)
    specialism = models.CharField(_("specialism"), max_length=20, choices=Specialism.choices, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per sign-up"), default=20)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default=default_time_zone, validators=[validate_time_zone]
    )
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    phone = models.CharField(_("phone number of the consult"), max_length=50, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="consultation_hours", verbose_name=_("staffed by")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consultation hour")
        verbose_name_plural = _("consultation hours")
        ordering = ["weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=models.F("duration_minutes")),
                name="consultationhour_slot_fits",
            ),
            models.CheckConstraint(
                condition=~Q(kind="phone") | ~Q(specialism=""), name="consultationhour_phone_is_specialist"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="consultationhour_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.get_weekday_display()} {self.start_time:%H:%M}"

    @property
    def title(self) -> str:
        if self.specialism:
            return f"{self.get_kind_display()}: {self.get_specialism_display()}"
        return str(self.get_kind_display())

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ConsultationSlot(models.Model):
    """One bookable moment of a consultation hour, made when it is first booked."""

    hour = models.ForeignKey(ConsultationHour, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("consultation slot")
        verbose_name_plural = _("consultation slots")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hour", "starts_at"], name="consultationslot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.hour_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    slot = models.ForeignKey(ConsultationSlot, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_bookings",
    )
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    question = models.TextField(_("your question"), max_length=1000)
    anonymised = models.BooleanField(_("discuss the family anonymously"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    advice = models.TextField(_("advice given"), blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advised_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="confirmed"), name="booking_one_per_slot"
            ),
        ]
        indexes = [models.Index(fields=["status", "reminder_sent_at"], name="booking_reminder_idx")]

    def __str__(self) -> str:
        return f"{self.slot} · {self.get_status_display()}"


# --- Calendar feed ---------------------------------------------------------------------


class CalendarFeed(models.Model):
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["professional"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.professional} ({'revoked' if self.revoked_at else 'active'})"
