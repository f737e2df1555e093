"""Forms of the risk pages and the reporting-code guide. They only collect input; the
rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenplan.cases.models import RiskLevel, ViolenceKind
from ketenplan.methods.language import localized

from . import scoring
from .models import Consultation, GuideOutcome, ReportingGuide, Unsafety
from .schema import UNKNOWN

ITEM_PREFIX = "item_"
UNKNOWN_SUFFIX = "__unknown"


class VersionForm(forms.Form):
    """Carries the version of the record the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- Assessments --------------------------------------------------------------------------


class NewAssessmentForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"))
    member = forms.ChoiceField(label=_("About"), help_text=_("The family member the assessment is about."))

    def __init__(self, *args, instruments, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = {str(i.pk): i for i in instruments}
        self.members = {str(m.pk): m for m in members}
        self.fields["instrument"].choices = [(k, i.current_version.name) for k, i in self.instruments.items()]
        self.fields["member"].choices = [
            (k, f"{m.person.full_name} ({', '.join(m.get_roles_display())})") for k, m in self.members.items()
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["instrument"] = self.instruments.get(cleaned.get("instrument"))
        cleaned["member"] = self.members.get(cleaned.get("member"))
        return cleaned


class AssessmentForm(VersionForm):
    """The questions of one instrument version, by section. Every question is optional
    here: a draft may be incomplete; finalising asks the service, which refuses."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Context for the team, e.g. how and with whom the questions were asked."),
    )
    judgement_band = forms.ChoiceField(
        label=_("Raise the band by professional judgement"), required=False,
        help_text=_("Only to raise the outcome, never to lower it; a reason is required."),
    )
    judgement_reason = forms.CharField(
        label=_("Reason for raising the band"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, assessment, **kwargs):
        self.assessment = assessment
        self.definition = assessment.instrument_version.parsed
        initial = kwargs.pop("initial", {}) or {}
        initial.setdefault("version", assessment.version)
        initial.setdefault("note", assessment.note)
        for item_id, value in assessment.answers.items():
            item = self.definition.items.get(item_id)
            if item is None:
                continue
            if item["type"] == "number" and value == UNKNOWN:
                initial[ITEM_PREFIX + item_id + UNKNOWN_SUFFIX] = True
            else:
                initial[ITEM_PREFIX + item_id] = value
        super().__init__(*args, initial=initial, **kwargs)
        self.sections = []
        for section in self.definition.data["sections"]:
            names = []
            for item in section["items"]:
                names += self._add_item(item)
            self.sections.append({
                "key": section["key"],
                "name": localized(section["name"]),
                "intro": localized(section["intro"]) if section.get("intro") else "",
                "field_names": names,
            })
        higher = self.definition.higher_bands(assessment.computed_band)
        self.fields["judgement_band"].choices = [("", _("No: keep the band"))] + [
            (b["key"], localized(b["name"])) for b in higher
        ]

    def _add_item(self, item: dict) -> list[str]:
        name = ITEM_PREFIX + item["id"]
        label = localized(item["text"])
        help_text = localized(item["help"])
        kind = item["type"]
        if kind in ("yes_no_unknown", "single_choice"):
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=help_text, required=False,
                choices=scoring.answer_choices(item), widget=forms.RadioSelect,
            )
            return [name]
        if kind == "number":
            self.fields[name] = forms.IntegerField(
                label=label, help_text=help_text, required=False,
                min_value=item["min"], max_value=item["max"],
            )
            if item.get("allow_unknown"):
                self.fields[name + UNKNOWN_SUFFIX] = forms.BooleanField(
                    label=_("The number is not known"), required=False
                )
                return [name, name + UNKNOWN_SUFFIX]
            return [name]
        self.fields[name] = forms.CharField(
            label=label, help_text=help_text, required=False, max_length=scoring.MAX_TEXT_ANSWER,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        return [name]

    def section_fields(self):
        for section in self.sections:
            yield {**section, "fields": [self[name] for name in section["field_names"]]}

    def answers(self) -> dict:
        data = self.cleaned_data
        answers = {}
        for item_id in self.definition.items:
            name = ITEM_PREFIX + item_id
            if data.get(name + UNKNOWN_SUFFIX):
                answers[item_id] = UNKNOWN
            elif data.get(name) not in (None, ""):
                answers[item_id] = data[name]
        return answers


class JudgementForm(VersionForm):
    band = forms.ChoiceField(label=_("Raise the band to"))
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why your professional judgement puts the risk higher than the instrument."),
    )

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("version", assessment.version)
        definition = assessment.instrument_version.parsed
        self.fields["band"].choices = [
            (b["key"], localized(b["name"])) for b in definition.higher_bands(assessment.final_band)
        ]


class ConfirmWeighingForm(VersionForm):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        label=_("Reasoning of the team"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
    )
    advice = forms.CharField(
        label=_("Advice to the referrer"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the risk is low or medium: the case then closes with this advice."),
    )


# --- The reporting code -------------------------------------------------------------------

YES_NO = [("", _("Not answered yet")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no_field(label, help_text):
    return forms.TypedChoiceField(
        label=label, help_text=help_text, required=False, choices=YES_NO, widget=forms.RadioSelect,
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
    )


class GuideStartForm(forms.Form):
    title = forms.CharField(
        label=_("Situation"), max_length=200,
        help_text=ReportingGuide._meta.get_field("title").help_text,
    )
    violence_kinds = forms.MultipleChoiceField(
        label=_("Violence concerned"), required=False, choices=ViolenceKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class GuideStepsForm(VersionForm):
    title = GuideStartForm.base_fields["title"]
    violence_kinds = GuideStartForm.base_fields["violence_kinds"]
    signals = forms.CharField(
        label=_("Step 1 — Map the signals"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did you see or hear, when, and from whom? Facts apart from interpretations."),
    )
    consultation_notes = forms.CharField(
        label=_("Step 2 — Consult"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Consult a colleague and, if needed, Veilig Thuis (advice). Record each "
                    "consultation below; notes here."),
    )
    conversation = forms.CharField(
        label=_("Step 3 — Talk to the people involved"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did you discuss, and how did they respond? If talking would endanger "
                    "anyone's safety, note why you did not."),
    )
    weighing_notes = forms.CharField(
        label=_("Step 4 — Weigh"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Weigh the risk, the nature and the seriousness, with the five questions below."),
    )
    q_suspicion = _yes_no_field(
        _("1. On the basis of steps 1 to 3, do you suspect domestic violence or child abuse?"),
        _("No suspicion: the guide ends here."),
    )
    q_unsafety = forms.ChoiceField(
        label=_("2. Is there acute or structural unsafety?"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Not answered yet")), *Unsafety.choices],
        help_text=_("Acute: someone is in immediate danger. Structural: unsafety that keeps "
                    "coming back. Either way, reporting to Veilig Thuis is mandatory."),
    )
    q_can_help = _yes_no_field(
        _("3. Can you give or organise effective help yourself?"),
        _("Think of your expertise, your mandate and the time it takes."),
    )
    q_help_accepted = _yes_no_field(
        _("4. Do the people involved accept this help?"),
        _("And do they cooperate with it?"),
    )
    q_help_safe = _yes_no_field(
        _("5. Does the help bring the necessary safety in time, lasting?"),
        _("If not, or if you have doubts later, report after all."),
    )

    def __init__(self, *args, guide: ReportingGuide, **kwargs):
        initial = {name: getattr(guide, name) for name in (
            "title", "violence_kinds", "signals", "consultation_notes", "conversation", "weighing_notes",
            "q_unsafety", "version",
        )}
        for name in ("q_suspicion", "q_can_help", "q_help_accepted", "q_help_safe"):
            value = getattr(guide, name)
            initial[name] = "" if value is None else ("yes" if value else "no")
        super().__init__(*args, initial=initial, **kwargs)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ConsultationForm(forms.Form):
    """Shown on the guide page beside other forms: its own element ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "consultation_%s")
        super().__init__(*args, **kwargs)

    kind = forms.ChoiceField(label=_("Consulted"), choices=Consultation.Kind.choices)
    with_whom = forms.CharField(label=_("With whom"), max_length=200,
                                help_text=_("Name and role, e.g. 'J. de Vries, reporting-code officer'."))
    on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    advice = forms.CharField(label=_("Advice given"), required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VersionForm):
    """Shown on the guide page beside the steps form: its own element ids."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)

    outcome = forms.ChoiceField(label=_("Step 5 — Decide"), choices=GuideOutcome.choices,
                                widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Your decision, explained"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
