"""The agenda that builds itself from the state of the cases.

``propose(meeting)`` reads what the operational team must discuss — in a fixed number of
queries, whatever the number of cases — and returns ``Proposal`` objects in a sensible
order: urgent items and escalations first, then new registrations (repeats first) and
intakes, dossiers ready for weighing, plans to approve, evaluations due before the next
meeting, and cases with late actions. ``merge`` folds new proposals into an agenda the
coordinator already edited, keeping the edits. Both are free of side effects; the
service ``agenda_prepare`` writes the result.

This reads across the region's cases on behalf of the coordination point, which takes
part in every case from registration; what each attendee then *sees* of an item is
decided per viewer (``selectors.agenda_for_viewer``, ``packets.packet_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Min, Window
from django.utils.translation import gettext_lazy as _

from ketenplan.cases.models import Case, Stage

from .models import AgendaItem, Escalation, Meeting
from .recurrence import series_dates

Kind = AgendaItem.Kind

#: Where each kind of item comes in the natural order (lower first).
KIND_RANK: dict[str, int] = {
    Kind.ESCALATION: 0,
    Kind.REPEAT: 10,
    Kind.ADMISSIBILITY: 11,
    Kind.INTAKE: 12,
    Kind.WEIGHING: 20,
    Kind.PLAN: 30,
    Kind.EVALUATION: 40,
    Kind.LATE_ACTIONS: 50,
    Kind.CASE: 60,
    Kind.TOPIC: 70,
}

#: Minutes an item needs when the method profile says nothing.
DEFAULT_MINUTES: dict[str, int] = {
    Kind.ESCALATION: 10,
    Kind.REPEAT: 15,
    Kind.ADMISSIBILITY: 10,
    Kind.INTAKE: 15,
    Kind.WEIGHING: 20,
    Kind.PLAN: 15,
    Kind.EVALUATION: 10,
    Kind.LATE_ACTIONS: 5,
    Kind.CASE: 10,
    Kind.TOPIC: 10,
}

#: Kinds whose time the method profile's ``meeting.minutes_per_case`` sets.
CASE_DISCUSSIONS = (Kind.REPEAT, Kind.ADMISSIBILITY, Kind.INTAKE, Kind.WEIGHING, Kind.PLAN, Kind.EVALUATION)

#: Why each kind is on the agenda, for the agenda page.
EXPLANATIONS = {
    Kind.ESCALATION: _("A case director escalated to the steering group."),
    Kind.REPEAT: _("The family was registered again within the repeat window: decide on admissibility."),
    Kind.ADMISSIBILITY: _("New registration: decide on admissibility."),
    Kind.INTAKE: _("Intake: the file is presented to the team."),
    Kind.WEIGHING: _("The dossier is ready: weigh the risk."),
    Kind.PLAN: _("A draft plan waits for approval."),
    Kind.EVALUATION: _("An evaluation is due before the next meeting."),
    Kind.LATE_ACTIONS: _("Actions in this case are past their due date."),
    Kind.CASE: _("Added by the coordinator."),
    Kind.TOPIC: _("Added by the coordinator."),
}


#: At most this many items of one kind (escalations apart) on one agenda; the rest is
#: counted and comes next time, longest waiting first.
LIMIT_PER_KIND = 25


class Proposals(list):
    """The proposals in order; ``overflow`` counts per kind what did not fit."""

    def __init__(self, *args):
        super().__init__(*args)
        self.overflow: dict[str, int] = {}


@dataclass(frozen=True)
class Proposal:
    key: str
    kind: str
    minutes: int
    case_id: int | None = None
    urgent: bool = False
    due_on: date | None = None
    plan_version_id: int | None = None
    evaluation_id: int | None = None
    escalation_id: int | None = None
    late_action_count: int = 0

    @property
    def sort_key(self) -> tuple:
        return natural_key(self.kind, self.urgent, self.due_on, self.case_id)


def natural_key(kind: str, urgent: bool, due_on: date | None, case_id: int | None) -> tuple:
    """Urgent first, then by kind, then oldest first."""
    return (0 if urgent else 1, KIND_RANK.get(kind, 99), due_on or date.max, case_id or 0)


def item_sort_key(item: AgendaItem) -> tuple:
    return natural_key(item.kind, item.urgent, item.due_on, item.case_id)


def minutes_for(kind: str, minutes_per_case: int | None) -> int:
    if minutes_per_case and kind in CASE_DISCUSSIONS:
        return int(minutes_per_case)
    return DEFAULT_MINUTES[kind]


def next_meeting_date(meeting: Meeting) -> date:
    """The day of the series' next meeting after ``meeting`` (one query at most)."""
    day = meeting.local_start.date()
    if meeting.series_id is not None:
        later = (
            Meeting.objects.filter(series_id=meeting.series_id, starts_at__gt=meeting.starts_at)
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        if later is not None:
            return later.astimezone(meeting.zone).date()
        upcoming = series_dates(meeting.series, start=day + timedelta(days=1), end=day + timedelta(days=84))
        if upcoming:
            return upcoming[0]
    return day + timedelta(days=14)


def propose(
    meeting: Meeting,
    *,
    minutes_per_case: int | None = None,
    until: date | None = None,
    limit_per_kind: int | None = None,
) -> Proposals:
    """What the team should discuss at ``meeting``, in the natural order.

    ``until`` is the next meeting's date (evaluations due before it come now); it is
    looked up when not given. Every open escalation comes; of each other kind at most
    ``limit_per_kind`` items, the longest waiting first — the rest is counted in
    ``overflow`` and comes at the next meeting, so that the agenda stays something a
    team can get through, whatever the size of the region's case load.

    Six queries whatever the number of cases or the overflow: cases by stage, draft
    plans, due evaluations, late actions, open escalations, and the next meeting. Draft
    plans and late cases come at most ``limit_per_kind`` rows each with the count of all
    that wait (a window count); cases by stage and due evaluations are read whole (a few
    small columns each) and counted here.
    """
    limit = LIMIT_PER_KIND if limit_per_kind is None else limit_per_kind
    PlanVersion = apps.get_model("plans", "PlanVersion")
    Evaluation = apps.get_model("plans", "Evaluation")
    Action = apps.get_model("plans", "Action")
    region_id = meeting.region_id
    on = meeting.local_start.date()
    if until is None:
        until = next_meeting_date(meeting)
    proposals = Proposals()

    def add(kind, key, case_id, **extra):
        proposals.append(
            Proposal(
                key=key, kind=kind, case_id=case_id, minutes=minutes_for(kind, minutes_per_case), **extra
            )
        )

    def counted(kind: str, rows) -> list:
        """The first ``limit`` of rows whose last value is how many there are in all
        (``COUNT(*) OVER``): the overflow counted, that value dropped."""
        rows = list(rows[: max(limit, 1)])
        if rows and rows[0][-1] > limit:
            proposals.overflow[kind] = rows[0][-1] - limit
        return [row[:-1] for row in rows[:limit]]

    # 1. New registrations (repeats apart), intakes and dossiers ready for weighing: the
    #    longest waiting of each kind (all of them read: a few small columns per case).
    stage_kind = {
        Stage.REGISTERED: Kind.ADMISSIBILITY,
        Stage.INTAKE: Kind.INTAKE,
        Stage.WEIGHING: Kind.WEIGHING,
    }
    waiting: dict[str, list] = {kind: [] for kind in (Kind.REPEAT, *stage_kind.values())}
    cases = (
        Case.objects.filter(region_id=region_id, stage__in=list(stage_kind))
        .order_by("stage_changed_at", "pk")
        .values_list("pk", "stage", "is_repeat", "stage_changed_at")
    )
    for pk, stage, is_repeat, since in cases:
        kind = Kind.REPEAT if stage == Stage.REGISTERED and is_repeat else stage_kind[stage]
        waiting[kind].append((pk, since))
    for kind, rows in waiting.items():
        if len(rows) > limit:
            proposals.overflow[kind] = len(rows) - limit
        for pk, since in rows[:limit]:
            add(kind, f"{kind}:case:{pk}", pk, due_on=since.date())

    # The other kinds come with the number of all that wait (a window count over the whole
    # result, before the limit), so the overflow costs no second query.
    everything = Window(Count("*"))

    # 2. Draft plans of cases in planning.
    drafts = PlanVersion.objects.filter(
        case__region_id=region_id, case__stage=Stage.PLANNING, status=PlanVersion.Status.DRAFT
    )
    drafts = drafts.annotate(waiting=everything).order_by("created_at", "pk")
    for pk, case_id, created in counted(
        Kind.PLAN, drafts.values_list("pk", "case_id", "created_at", "waiting")
    ):
        add(Kind.PLAN, f"plan:{pk}", case_id, plan_version_id=pk, due_on=created.date())

    # 3. Evaluations due before the next meeting (and any overdue ones), most overdue first:
    #    all of them read (three small columns each), not cut by a LIMIT: with one, the
    #    planner walks every open evaluation of the country in due order, expecting to stop
    #    early, while the count of all that wait needs every row anyway (issue 6).
    due = Evaluation.objects.filter(
        held_on__isnull=True,
        due_on__lt=until,
        case_id__in=Case.objects.filter(region_id=region_id, stage=Stage.EXECUTION).values("pk"),
    )
    rows = list(due.order_by("due_on", "pk").values_list("pk", "case_id", "due_on"))
    if len(rows) > limit:
        proposals.overflow[Kind.EVALUATION] = len(rows) - limit
    for pk, case_id, due_on in rows[:limit]:
        add(Kind.EVALUATION, f"evaluation:{pk}", case_id, evaluation_id=pk, due_on=due_on)

    # 4. Cases with actions past their due date on the day of the meeting, longest late
    #    first: one row per case (the window counts the cases, after the grouping). Both
    #    the region's open cases and their late actions come from indexes alone
    #    (case_region_stage_id_idx, action_open_due_idx): hence COUNT(*), not of a column.
    open_cases = Case.objects.filter(region_id=region_id).exclude(stage=Stage.CLOSED).values("pk")
    late = (
        Action.objects.filter(case_id__in=open_cases, status__in=Action.OPEN_STATUSES, due_on__lt=on)
        .order_by()
        .values("case_id")
        .annotate(count=Count("*"), oldest=Min("due_on"), waiting=everything)
        .order_by("oldest", "case_id")
        .values_list("case_id", "count", "oldest", "waiting")
    )
    for case_id, count, oldest in counted(Kind.LATE_ACTIONS, late):
        add(
            Kind.LATE_ACTIONS,
            f"late_actions:case:{case_id}",
            case_id,
            late_action_count=count,
            due_on=oldest,
        )

    # 5. Open escalations, all of them, always urgent.
    escalations = (
        Escalation.objects.filter(region_id=region_id, status=Escalation.Status.OPEN)
        .order_by()
        .values_list("pk", "case_id", "raised_at")
    )
    for pk, case_id, raised in escalations:
        add(Kind.ESCALATION, f"escalation:{pk}", case_id, escalation_id=pk, urgent=True, due_on=raised.date())

    proposals.sort(key=lambda p: p.sort_key)
    return proposals


@dataclass
class MergePlan:
    """What to write so that the agenda matches the proposals, edits kept."""

    create: list[Proposal]
    update: list[tuple[AgendaItem, Proposal]]
    delete: list[AgendaItem]
    order: list  # AgendaItem or Proposal, in their new order (removed items excluded)


def merge(existing: list[AgendaItem], proposals: list[Proposal], *, decided_item_ids: set[int]) -> MergePlan:
    """Fold ``proposals`` into the ``existing`` agenda.

    * An item the coordinator removed stays removed; one they added stays.
    * A generated item keeps the coordinator's order, urgency and minutes once edited.
    * A generated item whose reason is gone (the case moved on) is dropped, unless it was
      edited or already has decisions in the minutes.
    * When nothing was reordered, the whole agenda takes the natural order; otherwise new
      items slot in after the last item that naturally precedes them.
    """
    by_key = {item.key: item for item in existing}
    wanted = {p.key for p in proposals}
    create, update = [], []
    for proposal in proposals:
        item = by_key.get(proposal.key)
        if item is None:
            create.append(proposal)
        elif not item.is_removed:
            update.append((item, proposal))
    delete = [
        item
        for item in existing
        if item.source == AgendaItem.Source.GENERATED
        and item.key not in wanted
        and not item.is_edited
        and item.pk not in decided_item_ids
    ]
    deleted = {item.pk for item in delete}
    kept = sorted(
        (i for i in existing if not i.is_removed and i.pk not in deleted),
        key=lambda i: (i.position, i.pk or 0),
    )

    def key_of(entry) -> tuple:
        if isinstance(entry, Proposal):
            return entry.sort_key
        return item_sort_key(entry)

    if not any(i.is_edited or i.source == AgendaItem.Source.MANUAL for i in kept):
        order = sorted([*kept, *create], key=key_of)
    else:
        order = list(kept)
        for proposal in sorted(create, key=key_of):
            index = 0
            for i, entry in enumerate(order):
                if key_of(entry) <= proposal.sort_key:
                    index = i + 1
            order.insert(index, proposal)
    return MergePlan(create=create, update=update, delete=delete, order=order)
