"""The coordinator prepares and edits the agenda."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.audit.services import audit_record
from ketenplan.core import policy
from ketenplan.methods.selectors import profile_for_region

from .. import agenda as builder
from ..models import AgendaItem, Decision, Meeting, MinutesVersion


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _refuse_unless_editable(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if MinutesVersion.objects.filter(meeting=meeting).exclude(status=MinutesVersion.Status.DRAFT).exists():
        raise ValidationError(_("The minutes of this meeting were approved: the agenda no longer changes."))


def minutes_per_case(meeting: Meeting) -> int | None:
    meeting_params = profile_for_region(meeting.region).meeting or {}
    return meeting_params.get("minutes_per_case")


_WRITTEN = (
    "position",
    "minutes",
    "urgent",
    "late_action_count",
    "due_on",
    "plan_version_id",
    "evaluation_id",
    "escalation_id",
)


def _written(item: AgendaItem) -> tuple:
    """The values of an item that a rebuild may change."""
    return tuple(getattr(item, name) for name in _WRITTEN)


@transaction.atomic
def agenda_prepare(*, actor, meeting: Meeting, request=None) -> list[AgendaItem]:
    """Build (or rebuild) the agenda from the state of the cases, keeping the
    coordinator's edits. The first time, the attendees get the invitation with the
    agenda link and an iCalendar attachment."""
    from ..tasks import send_meeting_invitations

    policy.require(actor, "meetings.manage", meeting)
    meeting = _lock_meeting(meeting)
    if meeting.kind != Meeting.Kind.TEAM:
        raise ValidationError(_("Only a team meeting has an agenda built from the cases."))
    _refuse_unless_editable(meeting)
    proposals = builder.propose(meeting, minutes_per_case=minutes_per_case(meeting))
    existing = list(AgendaItem.objects.filter(meeting=meeting))
    before = {item.pk: _written(item) for item in existing}
    decided = set(
        Decision.objects.filter(agenda_item__meeting=meeting).values_list("agenda_item_id", flat=True)
    )
    plan = builder.merge(existing, proposals, decided_item_ids=decided)

    if plan.delete:
        AgendaItem.objects.filter(pk__in=[i.pk for i in plan.delete]).delete()
    changed = []
    for item, proposal in plan.update:
        item.late_action_count = proposal.late_action_count
        item.due_on = proposal.due_on
        item.plan_version_id = proposal.plan_version_id
        item.evaluation_id = proposal.evaluation_id
        item.escalation_id = proposal.escalation_id
        if not item.is_edited:
            item.minutes = proposal.minutes
            item.urgent = proposal.urgent
        changed.append(item)
    created = {
        p.key: AgendaItem(
            meeting=meeting,
            key=p.key,
            kind=p.kind,
            source=AgendaItem.Source.GENERATED,
            case_id=p.case_id,
            plan_version_id=p.plan_version_id,
            evaluation_id=p.evaluation_id,
            escalation_id=p.escalation_id,
            minutes=p.minutes,
            urgent=p.urgent,
            late_action_count=p.late_action_count,
            due_on=p.due_on,
            created_by=actor,
        )
        for p in plan.create
    }
    ordered: list[AgendaItem] = [created[e.key] if isinstance(e, builder.Proposal) else e for e in plan.order]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    AgendaItem.objects.bulk_create(list(created.values()))
    candidates = {id(i): i for i in [*changed, *(i for i in ordered if i.pk and i.key not in created)]}
    # Only the items that changed: a rebuild mostly finds the agenda as it was, and
    # bulk_update's per-row CASE expressions cost far more to build than to run.
    to_update = [i for i in candidates.values() if _written(i) != before.get(i.pk)]
    if to_update:
        AgendaItem.objects.bulk_update(
            to_update,
            [
                "position",
                "minutes",
                "urgent",
                "late_action_count",
                "due_on",
                "plan_version",
                "evaluation",
                "escalation",
            ],
        )
    first_time = meeting.agenda_prepared_at is None
    meeting.agenda_prepared_at = timezone.now()
    meeting.agenda_prepared_by = actor
    meeting.agenda_overflow = {str(kind): count for kind, count in proposals.overflow.items()}
    meeting.save(update_fields=["agenda_prepared_at", "agenda_prepared_by", "agenda_overflow"])
    audit_record(
        action="meetings.agenda_prepared",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"items": len(ordered), "new": len(created), "dropped": len(plan.delete)},
    )
    if first_time:
        transaction.on_commit(lambda: send_meeting_invitations.enqueue(meeting.pk))
    return ordered


def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    for position, item in enumerate(ordered, start=1):
        item.position = position
    AgendaItem.objects.bulk_update(ordered, ["position", "is_edited"])


def _active_items(meeting: Meeting) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.select_for_update()
        .filter(meeting=meeting, removed_at__isnull=True)
        .order_by("position", "pk")
    )


@transaction.atomic
def agenda_item_add(
    *,
    actor,
    meeting: Meeting,
    case=None,
    title: str = "",
    minutes: int = 10,
    urgent: bool = False,
    request=None,
) -> AgendaItem:
    """Put a case the coordinator may see, or a topic without case data, on the agenda."""
    policy.require(actor, "meetings.manage", meeting)
    meeting = _lock_meeting(meeting)
    _refuse_unless_editable(meeting)
    title = title.strip()
    if case is None and not title:
        raise ValidationError({"title": _("Choose a case or describe the topic.")})
    if not 1 <= int(minutes) <= 240:
        raise ValidationError({"minutes": _("Give between 1 and 240 minutes.")})
    if case is not None:
        policy.require(actor, "case.view", case)
        if case.region_id != meeting.region_id:
            raise ValidationError({"case": _("This case belongs to another region.")})
        if AgendaItem.objects.filter(meeting=meeting, case=case, removed_at__isnull=True).exists():
            raise ValidationError({"case": _("This case is already on the agenda.")})
        key = f"case:{case.pk}:{uuid.uuid4().hex[:8]}"
        kind = AgendaItem.Kind.CASE
    else:
        key = f"topic:{uuid.uuid4().hex[:12]}"
        kind = AgendaItem.Kind.TOPIC
    items = _active_items(meeting)
    item = AgendaItem(
        meeting=meeting,
        key=key,
        kind=kind,
        source=AgendaItem.Source.MANUAL,
        case=case,
        title=title[:200],
        minutes=int(minutes),
        urgent=urgent,
        is_edited=True,
        created_by=actor,
        position=(AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0) + 1,
    )
    item.save()
    if urgent:
        last_urgent = max((i for i, x in enumerate(items) if x.urgent), default=-1)
        items.insert(last_urgent + 1, item)
    else:
        items.append(item)
    _renumber(meeting, items)
    audit_record(
        action="meetings.agenda_item_added",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"item": item.pk, "case": case.pk if case else None},
    )
    return item


def _check_item(actor, item: AgendaItem) -> Meeting:
    policy.require(actor, "meetings.manage", item.meeting)
    meeting = _lock_meeting(item.meeting)
    _refuse_unless_editable(meeting)
    return meeting


@transaction.atomic
def agenda_item_remove(*, actor, item: AgendaItem, request=None) -> None:
    """Take an item off the agenda. A generated one stays off when the agenda is rebuilt."""
    meeting = _check_item(actor, item)
    if Decision.objects.filter(agenda_item=item).exists():
        raise ValidationError(_("Decisions were recorded on this item: it stays on the agenda."))
    if item.source == AgendaItem.Source.MANUAL:
        item.delete()
    else:
        item.removed_at = timezone.now()
        item.is_edited = True
        item.save(update_fields=["removed_at", "is_edited"])
    _renumber(meeting, _active_items(meeting))
    audit_record(
        action="meetings.agenda_item_removed",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"key": item.key},
    )


@transaction.atomic
def agenda_item_restore(*, actor, item: AgendaItem, request=None) -> AgendaItem:
    meeting = _check_item(actor, item)
    if item.removed_at is None:
        return item
    item.removed_at = None
    item.save(update_fields=["removed_at"])
    items = [i for i in _active_items(meeting) if i.pk != item.pk]
    items.append(item)
    _renumber(meeting, items)
    audit_record(
        action="meetings.agenda_item_restored",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"key": item.key},
    )
    return item


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, direction: str, request=None) -> None:
    """Move an item one place up or down."""
    meeting = _check_item(actor, item)
    items = _active_items(meeting)
    index = next((i for i, x in enumerate(items) if x.pk == item.pk), None)
    if index is None:
        raise ValidationError(_("This item is not on the agenda."))
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    items[index].is_edited = items[other].is_edited = True
    _renumber(meeting, items)
    audit_record(
        action="meetings.agenda_reordered",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"key": item.key, "direction": direction},
    )


@transaction.atomic
def agenda_item_update(
    *, actor, item: AgendaItem, urgent: bool | None = None, minutes: int | None = None, request=None
) -> AgendaItem:
    """Mark an item urgent (it moves up to the other urgent items) or change its time."""
    meeting = _check_item(actor, item)
    items = _active_items(meeting)
    current = next((x for x in items if x.pk == item.pk), None)
    if current is None:
        raise ValidationError(_("This item is not on the agenda."))
    if minutes is not None:
        if not 1 <= int(minutes) <= 240:
            raise ValidationError({"minutes": _("Give between 1 and 240 minutes.")})
        current.minutes = int(minutes)
    if urgent is not None and urgent != current.urgent:
        current.urgent = urgent
        items.remove(current)
        # Urgent: last of the urgent items; no longer urgent: first of the others.
        items.insert(sum(1 for x in items if x.urgent), current)
    current.is_edited = True
    current.save(update_fields=["urgent", "minutes", "is_edited"])
    _renumber(meeting, items)
    audit_record(
        action="meetings.agenda_item_changed",
        actor=actor,
        request=request,
        obj=meeting,
        detail={"key": current.key, "urgent": current.urgent, "minutes": current.minutes},
    )
    item.urgent, item.minutes, item.is_edited = current.urgent, current.minutes, True
    return current
