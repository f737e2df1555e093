"""Reads of cases, always starting from the access policy's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Value
from django.db.models.fields import BooleanField
from django.http import Http404

from ketenplan.core import policy

from .models import Case, CaseMember, Stage


def visible_cases(*, user) -> QuerySet:
    """Every case the user's organisation takes part in; marked so that per-object rules
    need no extra query."""
    return policy.scope(user, "case.view", Case.objects.all()).annotate(
        viewer_participates=Value(True, output_field=BooleanField())
    )


def case_list(
    *,
    user,
    stage: str = "",
    q: str = "",
    repeat_only: bool = False,
    ordering: str = "-registered_at",
) -> QuerySet:
    qs = visible_cases(user=user).select_related("case_director", "referring_organisation")
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(family_label__icontains=q))
    if repeat_only:
        qs = qs.filter(is_repeat=True)
    allowed = {
        "registered_at",
        "-registered_at",
        "stage_changed_at",
        "-stage_changed_at",
        "family_label",
        "-family_label",
        "reference",
        "-reference",
    }
    return qs.order_by(ordering if ordering in allowed else "-registered_at", "-pk")


def case_get(*, user, pk: int, for_update: bool = False) -> Case:
    """The case as this user may see it, or "not found"."""
    qs = visible_cases(user=user).select_related(
        "region",
        "registered_by",
        "referring_organisation",
        "case_director__organisation",
        "repeat_of",
        "updated_by",
    )
    try:
        return qs.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_members(*, user, case: Case) -> list[CaseMember]:
    policy.require(user, "case.view", case)
    return list(case.members.select_related("person").order_by("added_at", "pk"))


def open_stages() -> list[str]:
    return [s for s in Stage.values if s != Stage.CLOSED]
