"""Forms of the consent pages. They only read input; the rules live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ConsentScope, ConsentStatus, LegalBasis, ObtainedHow

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return member.person.full_name


class ConsentForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            (ConsentStatus.GIVEN, ConsentStatus.GIVEN.label),
            (ConsentStatus.REFUSED, ConsentStatus.REFUSED.label),
            (ConsentStatus.ASKED, _("Asked, no answer yet")),
        ],
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=_("Information may be shared with"),
        choices=ConsentScope.choices,
        initial=ConsentScope.ALL_PARTNERS,
        widget=forms.RadioSelect,
        help_text=_("Only when consent is given."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations chosen"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when consent is limited to some organisations."),
    )
    obtained_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    obtained_how = forms.ChoiceField(
        label=_("How"), choices=[("", "—"), *ObtainedHow.choices], required=False
    )
    given_by = MemberChoiceField(
        label=_("Given by"),
        queryset=None,
        required=False,
        empty_label=_("The person themselves"),
        help_text=_("For a young child, the parent or guardian who answered."),
    )
    evidence_note = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the signed form or the note of the conversation is kept."),
    )
    evidence_attachment = forms.ModelChoiceField(
        label=_("Evidence document"),
        queryset=None,
        required=False,
        help_text=_("A document of this case uploaded by your organisation."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organisations, guardians, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["given_by"].queryset = guardians
        self.fields["evidence_attachment"].queryset = attachments

    def clean(self):
        cleaned = super().clean()
        # The scope belongs to a consent given; for any other answer it does not apply.
        if cleaned.get("status") and cleaned["status"] != ConsentStatus.GIVEN:
            cleaned["scope"] = ConsentScope.ALL_PARTNERS
            cleaned["organisations"] = []
        return cleaned


class WithdrawForm(forms.Form):
    obtained_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    obtained_how = forms.ChoiceField(label=_("How"), choices=ObtainedHow.choices)
    given_by = MemberChoiceField(
        label=_("Withdrawn by"),
        queryset=None,
        required=False,
        empty_label=_("The person themselves"),
    )
    evidence_note = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, guardians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_by"].queryset = guardians


class LegalBasisForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Legal basis"), choices=LegalBasis.Basis.choices, widget=forms.RadioSelect
    )
    basis_text = forms.CharField(
        label=_("Which legal basis"),
        required=False,
        max_length=300,
        help_text=_("Name the law or rule when you chose 'other'."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why information about this person is shared without their consent."),
    )
    valid_from = forms.DateField(label=_("From"), widget=DATE_INPUT, initial=timezone.localdate)
    valid_until = forms.DateField(label=_("Until"), widget=DATE_INPUT)


class EndLegalBasisForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends"), widget=forms.Textarea(attrs={"rows": 2}))


class NotAskedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this person is not asked"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Visible to the team. Nothing about this person is shared on consent."),
    )
    protects = MemberChoiceField(label=_("To protect"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protects"].queryset = others


class EmergencyAccessForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    reason = forms.CharField(
        label=_("The acute danger"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you must see this case now. The coordinators review every emergency access."),
    )


class EmergencyReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Was the access justified? What did you do?"),
    )
