"""Forms of the plan and execution pages. They only parse input: every rule lives in the
services, whose ``ValidationError`` is shown on the form (``apply_validation_error``).

Choices (organisations, professionals, persons, goals) come from the selectors, so a
form never offers what the user may not see.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenplan.cases.models import ClosureOutcome
from ketenplan.methods.models import LifeDomain

from .models import Action, Contact, Evaluation, Goal, PlanVersion, Referral, SafetyMeasure


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


class VersionForm(forms.Form):
    """Only the version the user saw (optimistic locking): removing, discarding."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProfessionalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.organisation}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class PersonsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


# --- the plan ---------------------------------------------------------------------------


class DraftStartForm(forms.Form):
    prefix = "start"  # unique ids with several forms on one page
    reason = forms.CharField(
        label=_("Why this version"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the plan in force changes."),
    )


class ReviseForm(forms.Form):
    prefix = "revise"  # unique ids with several forms on one page
    reason = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. the couple does not separate after all. The plan in force stays readable; "
            "the case goes back to planning until the new version is approved."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GoalForm(forms.Form):
    prefix = "goal"  # unique ids with several forms on one page
    life_domain = forms.ModelChoiceField(label=_("Life domain"), queryset=LifeDomain.objects.none())
    description = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Concrete: who does what by when, e.g. “Mother applies for a living wage.”"),
    )
    about_person = PersonChoiceField(
        label=_("For"), queryset=None, required=False, empty_label=_("The whole family")
    )
    responsible_organisation = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=None)
    responsible_professional = ProfessionalChoiceField(
        label=_("Responsible professional"),
        queryset=None,
        required=False,
        help_text=_("Needed before the plan can be approved; must work for the organisation."),
    )
    due_on = _date_field(_("Due on"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, domains, organisations, professionals, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["life_domain"].queryset = domains
        self.fields["responsible_organisation"].queryset = organisations
        self.fields["responsible_professional"].queryset = professionals
        self.fields["about_person"].queryset = persons

    @classmethod
    def initial_for(cls, goal: Goal, version: int) -> dict:
        return {
            "life_domain": goal.life_domain_id,
            "description": goal.description,
            "about_person": goal.about_person_id,
            "responsible_organisation": goal.responsible_organisation_id,
            "responsible_professional": goal.responsible_professional_id,
            "due_on": goal.due_on,
            "version": version,
        }


class SafetyMeasureForm(forms.Form):
    prefix = "measure"  # unique ids with several forms on one page
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=SafetyMeasure.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("Direct safety first: what keeps everyone safe now; then structural safety."),
    )
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_organisation = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=None)
    due_on = _date_field(_("Due on"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations

    @classmethod
    def initial_for(cls, measure: SafetyMeasure, version: int) -> dict:
        return {
            "kind": measure.kind,
            "description": measure.description,
            "responsible_organisation": measure.responsible_organisation_id,
            "due_on": measure.due_on,
            "version": version,
        }


class ApproveForm(forms.Form):
    prefix = "approve"  # unique ids with several forms on one page
    route = forms.ChoiceField(
        label=_("Approved by"), choices=PlanVersion.ApprovedBy.choices, widget=forms.RadioSelect
    )
    meeting_date = _date_field(
        _("Date of the team meeting"),
        required=False,
        help_text=_("Required when the operational team approved the plan in its meeting."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


ZRM_CHOICES = [
    ("", _("Not scored")),
    ("1", _("1 · acute")),
    ("2", _("2 · not self-reliant")),
    ("3", _("3 · barely self-reliant")),
    ("4", _("4 · sufficiently self-reliant")),
    ("5", _("5 · fully self-reliant")),
]


class ZrmFieldsMixin:
    """One optional score (1 to 5) per active life domain, as ``zrm_<domain pk>``."""

    def add_zrm_fields(self, domains):
        self.domains = list(domains)
        for domain in self.domains:
            self.fields[f"zrm_{domain.pk}"] = forms.TypedChoiceField(
                label=domain.name, choices=ZRM_CHOICES, required=False, coerce=int, empty_value=None
            )

    def zrm_fields(self):
        return [self[f"zrm_{d.pk}"] for d in self.domains]

    def zrm_scores(self) -> dict[int, int]:
        return {
            d.pk: self.cleaned_data[f"zrm_{d.pk}"]
            for d in self.domains
            if self.cleaned_data.get(f"zrm_{d.pk}") is not None
        }


class ZrmForm(ZrmFieldsMixin, forms.Form):
    prefix = "zrm"  # unique ids with several forms on one page

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_zrm_fields(domains)


# --- actions ----------------------------------------------------------------------------


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"v{obj.plan_version.number} · {obj.life_domain} · {obj.description[:60]}"


class ActionForm(forms.Form):
    prefix = "action"  # unique ids with several forms on one page
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    goal = GoalChoiceField(
        label=_("Goal"), queryset=None, required=False, empty_label=_("No goal (action list)")
    )
    owner_organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    owner = ProfessionalChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("The organisation as a whole"),
        help_text=_("A professional of the organisation chosen above."),
    )
    due_on = _date_field(_("Due on"))

    def __init__(self, *args, goals, organisations, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["owner_organisation"].queryset = organisations
        self.fields["owner"].queryset = professionals


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Required when the action cannot be done."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_action(cls, action: Action, data=None):
        return cls(
            data,
            prefix=f"action-{action.pk}",
            initial={
                "status": action.status,
                "reason": action.status_reason,
                "version": action.version,
            },
        )


# --- execution and monitoring -----------------------------------------------------------


class ContactForm(forms.Form):
    prefix = "contact"  # unique ids with several forms on one page
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=Contact.Kind.choices)
    at = forms.DateTimeField(
        label=_("When"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    with_persons = PersonsField(label=_("With whom"), queryset=None, widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, persons, **kwargs):
        kwargs.setdefault("initial", {"at": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kwargs)
        self.fields["with_persons"].queryset = persons


class ReferralForm(forms.Form):
    prefix = "referral"  # unique ids with several forms on one page
    service = forms.CharField(label=_("Service"), max_length=300)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label=_("Not a partner organisation"),
    )
    person = PersonChoiceField(
        label=_("For"), queryset=None, required=False, empty_label=_("The whole family")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Referral.Status.REQUESTED, Referral.Status.WAITING)],
        initial=Referral.Status.REQUESTED,
    )
    requested_on = _date_field(_("Requested on"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["person"].queryset = persons


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Referral.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_referral(cls, referral: Referral, data=None):
        return cls(
            data,
            prefix=f"referral-{referral.pk}",
            initial={"status": referral.status, "version": referral.version},
        )


class TraumaScreeningForm(forms.Form):
    prefix = "screening"  # unique ids with several forms on one page
    person = PersonChoiceField(label=_("Person"), queryset=None)
    offered_on = _date_field(_("Screening offered on"))
    done_on = _date_field(_("Screened on"), required=False)
    declined = forms.BooleanField(label=_("Screening declined"), required=False)
    treatment_started_on = _date_field(_("Treatment started on"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class PoliceInterventionForm(forms.Form):
    prefix = "police"  # unique ids with several forms on one page
    occurred_on = _date_field(_("Date"))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


# --- evaluations ------------------------------------------------------------------------

CLOSING_OUTCOMES = [
    (o.value, o.label)
    for o in (
        ClosureOutcome.GOALS_MET,
        ClosureOutcome.VIOLENCE_STOPPED,
        ClosureOutcome.FAMILY_MOVED,
        ClosureOutcome.CONSENT_WITHDRAWN,
        ClosureOutcome.REFERRED_ELSEWHERE,
    )
]


class EvaluationHoldForm(ZrmFieldsMixin, forms.Form):
    """How it is going, progress per goal of the plan in force, optional ZRM scores and
    the decision. ``goal_rows()`` gives each goal with its two fields."""

    prefix = "evaluation"

    held_on = _date_field(_("Held on"))
    summary = forms.CharField(label=_("How is it going"), widget=forms.Textarea(attrs={"rows": 4}))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Evaluation.Decision.choices, widget=forms.RadioSelect
    )
    revise_reason = forms.CharField(
        label=_("What changes in the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When the decision is a new plan version."),
    )
    close_outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "—"), *CLOSING_OUTCOMES],
        required=False,
        help_text=_("When the decision is to close the case."),
    )
    close_note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_on = _date_field(
        _("Follow-up check on"),
        required=False,
        help_text=_("Was the family registered again, did the police have to come back?"),
    )
    confirm_open_requests = forms.BooleanField(
        label=_("Close even if information requests are still open"), required=False
    )

    def __init__(self, *args, goals, domains, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"progress_{goal.pk}"] = forms.ChoiceField(
                label=_("Progress"), choices=[("", "—"), *Goal.Progress.choices], required=True
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(label=_("Note"), required=False, max_length=1000)
        self.add_zrm_fields(domains)

    def goal_rows(self):
        return [(g, self[f"progress_{g.pk}"], self[f"note_{g.pk}"]) for g in self.goals]

    def goal_progress(self) -> dict[int, tuple[str, str]]:
        return {
            g.pk: (self.cleaned_data[f"progress_{g.pk}"], self.cleaned_data.get(f"note_{g.pk}", ""))
            for g in self.goals
        }

    def clean(self):
        data = super().clean()
        if data.get("decision") == Evaluation.Decision.CLOSE and not data.get("close_outcome"):
            self.add_error("close_outcome", _("Choose the outcome when the case closes."))
        return data
