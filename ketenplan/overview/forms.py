from django import forms
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from ketenplan.cases.models import Stage
from ketenplan.core.lists import SortKey

#: The board's sortable columns; stages sort in the order a case goes through them.
BOARD_SORTS = {
    "case": SortKey(_("Case"), ("reference",)),
    "stage": SortKey(
        _("Stage"),
        (
            Case(*[When(stage=key, then=Value(i)) for i, key in enumerate(Stage.values)]).asc(),
            "stage_changed_at",
        ),
    ),
    "since": SortKey(_("In this stage since"), ("stage_changed_at",)),
    "case_director": SortKey(_("Case director"), ("case_director__full_name", "stage_changed_at")),
}
BOARD_DEFAULT_SORT = "since"


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
