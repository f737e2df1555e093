"""Forms of the case pages. They check the shape of the input only; the rules of the case
path (who, when, guards) live in ``services`` and ``workflow``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketenplan.persons.identifiers import normalise_national_number

from .models import AdmissibilityDecision, ClosureOutcome, MemberRole, Stage, ViolenceKind
from .services import MemberSpec

NEW_PERSON = "new"

SORTABLE = {
    "reference": _("Reference"),
    "family_label": _("Family"),
    "stage_changed_at": _("Stage since"),
    "registered_at": _("Registered"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Reference or family"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    repeat = forms.BooleanField(label=_("Repeat registrations only"), required=False)
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(f"{sign}{key}", key) for key in SORTABLE for sign in ("", "-")],
    )


class VersionForm(forms.Form):
    """Every step form carries the case version the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        if case is not None and not self.is_bound:
            self.initial.setdefault("version", case.version)


class NoteStepForm(VersionForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what the team agreed."),
    )


# --- Registration and family members ----------------------------------------------------


class RegistrationForm(forms.Form):
    family_label = forms.CharField(
        label=_("Family"), max_length=200,
        help_text=_("How the team refers to this family, e.g. 'Family Peeters'."),
    )
    reason = forms.CharField(
        label=_("Reason for registration"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, and why the chain approach is needed."),
    )
    violence_kinds = forms.MultipleChoiceField(
        label=_("Violence concerned"), choices=ViolenceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    crisis_measures = forms.CharField(
        label=_("Crisis measures taken so far"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your organisation stays responsible for its own crisis interventions."),
    )


class MemberForm(forms.Form):
    """One family member. When existing persons may be the same, ``offer`` adds the
    choice between linking one of them and creating a new person."""

    given_names = forms.CharField(label=_("Given names"), max_length=200)
    family_name = forms.CharField(label=_("Family name"), max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    national_number = forms.CharField(
        label=_("National number"), required=False, max_length=20,
        help_text=_("Optional. Belgian national register number or Dutch BSN."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles in the case"), choices=MemberRole.choices, widget=forms.CheckboxSelectMultiple
    )
    # Rendered by hand next to the proposals (cases/partials/candidate_choice.html) and
    # checked against them in the view: the choices are known only after matching.
    person_choice = forms.CharField(
        label=_("Is this a person who is already known?"), required=False, max_length=20,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = []

    def clean_national_number(self) -> str:
        return normalise_national_number(self.cleaned_data.get("national_number"))

    def match_query(self) -> dict:
        data = self.cleaned_data
        return {
            "given_names": data["given_names"],
            "family_name": data["family_name"],
            "birth_date": data.get("birth_date"),
            "national_number": data.get("national_number", ""),
        }

    def offer(self, matches) -> None:
        """Show these possible matches and ask the user to choose."""
        self.matches = list(matches)

    @property
    def was_offered(self) -> bool:
        """Whether the user saw the proposals when submitting."""
        return self.data.get(self.add_prefix("proposed")) == "1"

    @property
    def choice(self) -> str:
        return self.data.get(self.add_prefix("person_choice"), "")

    def chosen_match(self):
        return next((m for m in self.matches if str(m.person.pk) == self.choice), None)

    def spec(self, person=None) -> MemberSpec:
        data = self.cleaned_data
        if person is not None:
            return MemberSpec(roles=list(data["roles"]), person=person)
        return MemberSpec(
            roles=list(data["roles"]),
            new_person={
                "given_names": data["given_names"],
                "family_name": data["family_name"],
                "birth_date": data.get("birth_date"),
                "national_number": data.get("national_number", ""),
            },
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[MemberForm]:
        return [f for f in self.forms if f.has_changed()]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(f.has_changed() for f in self.forms):
            raise ValidationError(_("Register at least one family member."))


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=2, min_num=1, validate_min=True,
    max_num=20, validate_max=True,
)


class MemberAddForm(MemberForm, VersionForm):
    pass


class MemberRolesForm(VersionForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles in the case"), choices=MemberRole.choices, widget=forms.CheckboxSelectMultiple
    )


class PartnerForm(VersionForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    reason = forms.CharField(
        label=_("Why"), required=False, max_length=300,
        help_text=_("What this organisation brings to the family."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].help_text = _(
            "Only organisations of the region that signed the cooperation agreement can join."
        )


# --- Steps ------------------------------------------------------------------------------

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class AdmissibilityForm(VersionForm):
    """Each criterion of METHOD.md §3.2 answered with a note; advice when not admissible."""

    advice = forms.CharField(
        label=_("Written advice to the referrer"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when the case is not admissible: the case then closes with this advice."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        for value, label in AdmissibilityDecision.Criterion.choices:
            self.fields[f"{value}_met"] = forms.ChoiceField(
                label=label, choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"{value}_note"] = forms.CharField(
                label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.criteria.append((value, label))
        # The advice comes last, after the criteria.
        self.fields["advice"] = self.fields.pop("advice")

    def criterion_fields(self):
        return [(label, self[f"{value}_met"], self[f"{value}_note"]) for value, label in self.criteria]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            value: {"met": data[f"{value}_met"] == "yes", "note": data[f"{value}_note"]}
            for value, _label in self.criteria
        }


class DirectorForm(VersionForm):
    professional = forms.ModelChoiceField(label=_("Case director"), queryset=None)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args, professionals=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["professional"]
        field.queryset = professionals
        field.label_from_instance = lambda p: f"{p.full_name} · {p.organisation}"
        field.help_text = _(
            "A case director, team member or coordinator of an organisation that takes part in the case."
        )


CLOSING_OUTCOMES = [
    (value, label)
    for value, label in ClosureOutcome.choices
    if value not in (ClosureOutcome.NOT_ADMISSIBLE, ClosureOutcome.RISK_NOT_HIGH)
]


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CLOSING_OUTCOMES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the case closes now."),
    )
    follow_up_on = forms.DateField(
        label=_("Follow-up on"), required=False, widget=DateInput,
        help_text=_("When to check whether the family was registered again or the police had to come back."),
    )
    confirm_open_requests = forms.BooleanField(
        label=_("Close the case although information requests are still open"), required=False
    )

    def __init__(self, *args, open_requests: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if not open_requests:
            del self.fields["confirm_open_requests"]


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("Result of the follow-up"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Was the family registered again? Did the police have to come back?"),
    )

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
