from django import forms
from django.utils.translation import gettext_lazy as _

from ketenplan.cases.models import Stage


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Reference or family"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[
            ("", _("All open stages")),
            *[(key, label) for key, label in Stage.choices if key != Stage.CLOSED],
        ],
    )
    late_only = forms.BooleanField(label=_("Only cases with a late evaluation"), required=False)
