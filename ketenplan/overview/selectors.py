"""The coordinator's board: every open case by stage, with its milestone status against
the region's method profile. A fixed number of queries, whatever the number of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ketenplan.accounts.models import Role
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


def _open_cases(user) -> QuerySet:
    """The cases on the board: every open case the user may see."""
    return visible_cases(user=user).exclude(stage=Stage.CLOSED)


def board_cases(*, user, stage: str = "", late_only: bool = False, q: str = "") -> QuerySet:
    policy.require(user, "overview.board")
    qs = _open_cases(user)
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
    counts = dict(_open_cases(user).values_list("stage").annotate(n=Count("pk")))
    return [(s, Stage(s).label, counts.get(s, 0)) for s in Stage.values if s != Stage.CLOSED]


def board_total(counts, *, stage: str = "", late_only: bool = False, q: str = "") -> int | None:
    """How many cases ``board_cases`` lists with these filters, from the ``stage_counts``
    already read (both start from ``_open_cases``); None when a filter the counts do not
    know narrows the list, and the list must be counted."""
    if late_only or q:
        return None
    return sum(n for key, _label, n in counts if not stage or key == stage)


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


BOARD_ESCALATIONS = 20


def board_escalations(*, user) -> list:
    """Open escalations (doorzettingsmacht) of the coordination point, oldest first; they
    stay on the board until the steering group handled them."""
    policy.require(user, "overview.board")
    from ketenplan.meetings.selectors import open_escalations

    return list(open_escalations(user=user)[:BOARD_ESCALATIONS])


# --- My work ----------------------------------------------------------------------------

MY_WORK_LIMIT = 15
EVALUATIONS_AHEAD_DAYS = 30


@dataclass
class MyWork:
    actions: list
    directed_cases: list
    evaluations: list
    requests: list
    awaiting_admissibility: list
    waiting_referrals: list

    @property
    def is_empty(self) -> bool:
        return not any(vars(self).values())


def my_work(*, user, today: date | None = None) -> MyWork | None:
    """What needs this professional's attention: their own and their organisation's
    actions due soon or late, the cases they direct, evaluations coming up, information
    requests to their organisation, and for coordinators the registrations waiting for
    an admissibility decision. None for people who do not work on cases."""
    if not policy.can(user, "case.list"):
        return None
    from ketenplan.dossier.selectors import open_requests_to_my_organisation
    from ketenplan.plans.selectors import due_evaluations, my_first_actions, waiting_referrals

    today = today or timezone.localdate()
    is_coordinator = user.has_role(Role.COORDINATOR)
    cases = policy.scope(user, "case.view", Case.objects.all())
    directed = (
        cases.filter(case_director=user)
        .exclude(stage=Stage.CLOSED)
        .only("reference", "family_label", "stage")
        .order_by("stage_changed_at", "pk")
    )
    evaluations = due_evaluations(user=user, before=today + timedelta(days=EVALUATIONS_AHEAD_DAYS))
    referrals = waiting_referrals(user=user)
    if not is_coordinator:
        evaluations = evaluations.filter(case__case_director=user)
        referrals = referrals.filter(case__case_director=user)
    requests = (
        open_requests_to_my_organisation(user=user)[:MY_WORK_LIMIT]
        if policy.can(user, "dossier.view_inbox")
        else []
    )
    awaiting = (
        cases.filter(stage=Stage.REGISTERED)
        .only("reference", "family_label", "registered_at", "is_repeat")
        .order_by("registered_at", "pk")[:MY_WORK_LIMIT]
        if is_coordinator
        else []
    )
    return MyWork(
        actions=my_first_actions(user=user, limit=MY_WORK_LIMIT, today=today),
        directed_cases=list(directed[:MY_WORK_LIMIT]),
        evaluations=list(evaluations[:MY_WORK_LIMIT]),
        requests=list(requests),
        awaiting_admissibility=list(awaiting),
        waiting_referrals=list(referrals[:MY_WORK_LIMIT]),
    )
