"""Forms of the meeting pages: they parse input; the services decide and validate."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.cases.models import AdmissibilityDecision, RiskLevel

from .models import (
    DEFAULT_CONFIDENTIALITY_STATEMENT,
    ActionReview,
    Attendance,
    ConsultationHour,
    Decision,
    Escalation,
    MeetingSeries,
    SeriesMember,
    Weekday,
)

WEEKS_OF_MONTH = [
    ("1", _("First week")),
    ("2", _("Second week")),
    ("3", _("Third week")),
    ("4", _("Fourth week")),
    ("5", _("Fifth week")),
    ("-1", _("Last week")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime):
            return (
                timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
                if timezone.is_aware(value)
                else (value.strftime("%Y-%m-%dT%H:%M"))
            )
        return value


def time_zone_choices():
    common = ["Europe/Brussels", "Europe/Amsterdam", "Europe/London"]
    return [(z, z) for z in common if z in zoneinfo.available_timezones()]


class ProfessionalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.organisation}" if obj.organisation_id else obj.full_name


class ProfessionalMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.organisation}" if obj.organisation_id else obj.full_name


class SeriesForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Operational team meeting”."),
    )
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120
    )
    recurrence = forms.ChoiceField(
        label=_("Repeats"),
        choices=MeetingSeries.Recurrence.choices,
        widget=forms.RadioSelect,
        initial=MeetingSeries.Recurrence.WEEKS_OF_MONTH,
    )
    weeks_of_month = forms.MultipleChoiceField(
        label=_("Weeks of the month"),
        choices=WEEKS_OF_MONTH,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["2", "4"],
        help_text=_("For a schedule on given weeks of the month; the default is the second and fourth week."),
    )
    interval_weeks = forms.IntegerField(
        label=_("Every … weeks"),
        min_value=1,
        max_value=12,
        initial=2,
        required=False,
        help_text=_("For a schedule every so many weeks."),
    )
    anchor_date = forms.DateField(
        label=_("Date of one meeting"),
        required=False,
        widget=DateInput,
        help_text=_("For a schedule every so many weeks: the date of one meeting in it."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    video_url = forms.URLField(label=_("Video link"), max_length=500, required=False, assume_scheme="https")
    chair = ProfessionalChoiceField(
        label=_("Chair"),
        queryset=Professional.objects.none(),
        required=False,
        help_text=_("Approves the minutes. Without a chair, the coordinator does."),
    )
    confidentiality_statement = forms.CharField(
        label=_("Confidentiality statement"),
        widget=forms.Textarea,
        initial=DEFAULT_CONFIDENTIALITY_STATEMENT,
        help_text=_("Every attendee confirms this statement before the preparation packet opens."),
    )

    def __init__(self, *args, chairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chairs
        self.fields["time_zone"].initial = timezone.get_default_timezone_name()

    def clean_weeks_of_month(self):
        return [int(w) for w in self.cleaned_data["weeks_of_month"]]


class MemberForm(forms.Form):
    professional = ProfessionalChoiceField(label=_("Professional"), queryset=Professional.objects.none())
    role = forms.ChoiceField(
        label=_("Role in the team"),
        choices=SeriesMember.Role.choices,
        widget=forms.RadioSelect,
        initial=SeriesMember.Role.DELEGATE,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = candidates


class ApologyForm(forms.Form):
    note = forms.CharField(
        label=_("Message (optional)"),
        max_length=300,
        required=False,
        help_text=_("Your substitute is asked to come instead."),
    )


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (s, label)
            for s, label in Attendance.Status.choices
            if s in (Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.APOLOGISED)
        ],
    )


class AgendaAddForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        required=False,
        help_text=_("To discuss a case: its reference, e.g. 2026-000123."),
    )
    title = forms.CharField(
        label=_("Or a topic"),
        max_length=200,
        required=False,
        help_text=_("A topic that is not about one case. Do not name family members."),
    )
    minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=240, initial=10
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)


class AgendaItemForm(forms.Form):
    minutes = forms.IntegerField(label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=240)


class DecisionForm(forms.Form):
    """One decision on an agenda item. The fields needed depend on the kind; the
    service checks them."""

    kind = forms.ChoiceField(label=_("Kind of decision"), choices=Decision.Kind.choices)
    text = forms.CharField(label=_("Decision, reasoning or action"), widget=forms.Textarea, required=False)
    level = forms.ChoiceField(
        label=_("Risk level (risk weighing)"), choices=[("", "—"), *RiskLevel.choices], required=False
    )
    advice = forms.CharField(
        label=_("Advice to the referrer"),
        widget=forms.Textarea,
        required=False,
        help_text=_("When not admissible, or when the risk is not high."),
    )
    owner = ProfessionalChoiceField(
        label=_("Owner of the action"), queryset=Professional.objects.none(), required=False
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Organisation responsible for the action"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    due_on = forms.DateField(label=_("Action due on"), widget=DateInput, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kinds, owners, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the steps that fit the case's stage now; accept any kind, so that a page
        # opened before someone else moved the case gets the workflow's own refusal.
        self.fields["kind"].widget.choices = [(k, label) for k, label in Decision.Kind.choices if k in kinds]
        self.fields["owner"].queryset = owners
        self.fields["owner_organisation"].queryset = organisations
        for criterion, label in AdmissibilityDecision.Criterion.choices:
            self.fields[f"met_{criterion}"] = forms.TypedChoiceField(
                label=label,
                required=False,
                widget=forms.RadioSelect,
                choices=[("yes", _("Met")), ("no", _("Not met"))],
            )
            self.fields[f"note_{criterion}"] = forms.CharField(
                label=_("Note: %(criterion)s") % {"criterion": label}, required=False, max_length=1000
            )

    def admissibility_answers(self) -> dict:
        answers = {}
        for criterion in AdmissibilityDecision.Criterion.values:
            met = self.cleaned_data.get(f"met_{criterion}")
            answers[criterion] = {
                "met": None if not met else met == "yes",
                "note": self.cleaned_data.get(f"note_{criterion}", ""),
            }
        return answers

    def criterion_fields(self):
        return [(self[f"met_{c}"], self[f"note_{c}"]) for c in AdmissibilityDecision.Criterion.values]


class DecisionTextForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea)


class ActionReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Why is it not finished?"), choices=ActionReview.Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesSummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("General notes"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Do not name family members here: use the case items."),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("What must be corrected, and why"), widget=forms.Textarea)


class CrisisForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeLocalInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=240, initial=45
    )
    video_url = forms.URLField(label=_("Video link"), max_length=500, assume_scheme="https")
    reason = forms.CharField(
        label=_("Why now"),
        widget=forms.Textarea,
        help_text=_("Why the situation threatens to escalate. Seen only by the invitees."),
    )
    invitees = ProfessionalMultipleChoiceField(
        label=_("Invite"),
        queryset=Professional.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only professionals of organisations that take part in the case can be invited."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = candidates


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the professional"))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea)


class EscalationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is wrong"), choices=Escalation.Kind.choices, widget=forms.RadioSelect
    )
    action = forms.ModelChoiceField(
        label=_("Blocked action"), queryset=Organisation.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Partner concerned"), queryset=Organisation.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea,
        help_text=_(
            "What is blocked, what you tried, what you ask the steering group. The steering group "
            "sees the case only by its reference: do not name family members."
        ),
    )

    def __init__(self, *args, actions, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions
        self.fields["organisation"].queryset = organisations

    @staticmethod
    def initial_from(params, *, actions, organisations) -> dict:
        """Pre-fill from a link (``?action=<pk>`` from the action list, ``?organisation=<pk>``);
        only an action or partner that may be escalated in this case is taken over."""
        initial = {}
        action = params.get("action", "")
        organisation = params.get("organisation", "")
        if action.isdigit() and actions.filter(pk=int(action)).exists():
            initial.update(kind=Escalation.Kind.BLOCKED_ACTION, action=int(action))
        elif organisation.isdigit() and organisations.filter(pk=int(organisation)).exists():
            initial.update(kind=Escalation.Kind.NON_COOPERATING_PARTNER, organisation=int(organisation))
        return initial


class ConsultationHourForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsultationHour.Kind.choices, widget=forms.RadioSelect)
    specialism = forms.ChoiceField(
        label=_("Specialism"), choices=ConsultationHour.Specialism.choices, required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none(), required=False
    )
    weekday = forms.TypedChoiceField(label=_("Day of the week"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    slot_minutes = forms.IntegerField(label=_("Minutes per sign-up"), min_value=5, max_value=480, initial=20)
    video_url = forms.URLField(label=_("Video link"), max_length=500, required=False, assume_scheme="https")
    phone = forms.CharField(label=_("Phone number of the consult"), max_length=50, required=False)
    staff = ProfessionalMultipleChoiceField(
        label=_("Staffed by"), queryset=Professional.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Takes sign-ups"), required=False, initial=True)

    def __init__(self, *args, organisations, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["staff"].queryset = professionals


def parse_slot(value: str, hour: ConsultationHour):
    """A slot's start from its ISO form (as the pages put it in links)."""
    moment = parse_datetime(value or "")
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=hour.zone)
    return moment


class BookingForm(forms.Form):
    starts_at = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"), help_text=_("For the confirmation and a reminder.")
    )
    organisation_name = forms.CharField(label=_("Your organisation"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=50,
        required=False,
        help_text=_("Needed for a phone consult: the specialist calls you."),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few sentences. Describe the situation without names, addresses or dates of birth: "
            "the family stays anonymous."
        ),
    )
    anonymised = forms.BooleanField(
        label=_("Discuss the family anonymously"),
        required=False,
        initial=True,
        help_text=_("Keep this on unless the staff need to know which family it is."),
    )

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            for name in ("name", "email", "organisation_name"):
                del self.fields[name]
        else:
            del self.fields["anonymised"]


class AdviceForm(forms.Form):
    advice = forms.CharField(label=_("Advice given"), widget=forms.Textarea)
