"""The coordinator's board: every open case by stage, with its milestone status against
the region's method profile. A fixed number of queries, whatever the number of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ketenplan.cases.models import Case, Stage
from ketenplan.cases.selectors import visible_cases
from ketenplan.core import policy
from ketenplan.methods.schedule import MilestoneStatus, milestone_status, milestones_for
from ketenplan.methods.selectors import profiles_for_regions
from ketenplan.plans.models import Evaluation

STATUS_ORDER = {MilestoneStatus.LATE: 0, MilestoneStatus.DUE_SOON: 1, MilestoneStatus.ON_TIME: 2}


@dataclass(frozen=True)
class MilestoneView:
    name: str
    due_on: date | None
    status: str

    @property
    def status_label(self) -> str:
        return MilestoneStatus(self.status).label


def board_cases(*, user, stage: str = "", late_only: bool = False, q: str = "") -> QuerySet:
    policy.require(user, "overview.board")
    qs = visible_cases(user=user).exclude(stage=Stage.CLOSED)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(family_label__icontains=q))
    if late_only:
        today = timezone.localdate()
        qs = qs.filter(
            Exists(Evaluation.objects.filter(case=OuterRef("pk"), held_on__isnull=True, due_on__lt=today))
        )
    return qs.select_related("case_director", "region").order_by("stage_changed_at", "pk")


def stage_counts(*, user) -> list[tuple[str, str, int]]:
    policy.require(user, "overview.board")
    counts = dict(
        visible_cases(user=user).exclude(stage=Stage.CLOSED).values_list("stage").annotate(n=Count("pk"))
    )
    return [(s, Stage(s).label, counts.get(s, 0)) for s in Stage.values if s != Stage.CLOSED]


def with_next_milestone(cases: list[Case], *, today: date | None = None) -> list[Case]:
    """Attach ``next_milestone`` to each case of one page: two queries for the page."""
    today = today or timezone.localdate()
    if not cases:
        return cases
    profiles = profiles_for_regions({c.region_id: c.region for c in cases}.values())
    held = {}
    for case_id, key, held_on in Evaluation.objects.filter(case__in=cases, held_on__isnull=False).values_list(
        "case_id", "milestone_key", "held_on"
    ):
        held[(case_id, key)] = held_on
    for case in cases:
        upcoming = [
            m
            for m in milestones_for(
                profiles[case.region_id],
                registered_on=timezone.localdate(case.registered_at),
                plan_approved_on=case.plan_approved_on,
            )
            if (case.pk, m.key) not in held
        ]
        if upcoming:
            first = upcoming[0]
            case.next_milestone = MilestoneView(
                first.name, first.due_on, milestone_status(first.due_on, None, today)
            )
        else:
            case.next_milestone = None
    return cases
