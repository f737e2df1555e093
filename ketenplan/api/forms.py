from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What is the token for?"), max_length=100)
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
