"""Forms of the dossier pages. They check the shape of the input only; the rules (who,
when, which files) live in the services, whose ``ValidationError`` the views show on the
form's fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .filetypes import ALLOWED_EXTENSIONS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; ``cleaned_data`` holds a (possibly empty) list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in ALLOWED_EXTENSIONS)}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _person_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("About"),
        empty_label=_("The family as a whole"),
        help_text=_("Choose a person when the information is about one family member."),
    )


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Documents"),
        help_text=_(
            "PDF, images (PNG, JPEG, GIF, WebP) or office documents (docx, xlsx, pptx, odt, "
            "ods, doc, xls). The content is checked; other files are refused."
        ),
    )


class ContributionForm(forms.Form):
    life_domain = forms.ModelChoiceField(queryset=None, label=_("Life domain"))
    about_person = _person_field()
    occurred_on = forms.DateField(
        label=_("Date of the information"), widget=DateInput(), initial=timezone.localdate
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the information comes from, e.g. 'police report of 3 March'."),
    )
    text = forms.CharField(label=_("Information"), widget=forms.Textarea(attrs={"rows": 6}))
    files = _files_field()

    def __init__(self, *args, life_domains, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["life_domain"].queryset = life_domains
        self.fields["about_person"].queryset = persons


class CorrectionForm(ContributionForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The earlier version stays readable, together with this reason."),
    )
    drop_attachments = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Leave documents out of the corrected version"),
        help_text=_("The earlier version keeps them."),
    )
    field_order = [
        "life_domain",
        "about_person",
        "occurred_on",
        "source",
        "text",
        "reason",
        "drop_attachments",
        "files",
    ]

    def __init__(self, *args, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].label = _("Add documents")
        if attachments.exists():
            self.fields["drop_attachments"].queryset = attachments
        else:
            del self.fields["drop_attachments"]

    @classmethod
    def initial_for(cls, contribution) -> dict:
        return {
            "life_domain": contribution.life_domain_id,
            "about_person": contribution.about_person_id,
            "occurred_on": contribution.occurred_on,
            "source": contribution.source,
            "text": contribution.text,
        }


class DossierFilterForm(forms.Form):
    """Filters of the dossier page: choices come from data already read for the page."""

    life_domain = forms.TypedChoiceField(label=_("Life domain"), required=False, coerce=int)
    about_person = forms.TypedChoiceField(label=_("About"), required=False, coerce=int)
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int)

    def __init__(self, *args, life_domains, persons, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["life_domain"].choices = everything + [(d.pk, d.name) for d in life_domains]
        self.fields["about_person"].choices = everything + [(p.pk, p.full_name) for p in persons]
        self.fields["organisation"].choices = everything + [(o.pk, o.name) for o in organisations]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class InformationRequestForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Ask organisation"),
        help_text=_("The organisation sees your question and whom it is about, not the rest of the dossier."),
    )
    about_person = _person_field()
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("Answer needed by"), widget=DateInput())

    def __init__(self, *args, organisations, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = organisations
        self.fields["about_person"].queryset = persons


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AnswerForm(_VersionedForm):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))


class DeclineForm(_VersionedForm):
    reason = forms.CharField(
        label=_("Why you decline"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: no consent or legal basis to share this information."),
    )


class WithdrawForm(_VersionedForm):
    reason = forms.CharField(
        label=_("Why you withdraw the request"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Open requests")), ("all", _("All requests"))],
    )
