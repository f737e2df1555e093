"""When a case's milestones fall due, and how each stands. Pure functions: no database,
no clock (the caller passes ``today``).

Offsets count from their anchor, never from the previous milestone. Months are calendar
months: the day of the month is kept where the target month has it, otherwise the
month's last day is used (31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .language import localized


class MilestoneStatus(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    LATE = "late", _("Late")
    DONE = "done", _("Done")
    DONE_LATE = "done_late", _("Done late")
    NOT_SCHEDULED = "not_scheduled", _("Not yet scheduled")


@dataclass(frozen=True)
class Milestone:
    key: str
    name: str
    due_on: date | None  # None only for an unscheduled milestone (no plan approved yet)
    kind: str  # "evaluation" or "milestone"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the target month's last day."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_offset(day: date, amount: int, unit: str) -> date:
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(weeks=amount)
    if unit == "months":
        return add_months(day, amount)
    if unit == "years":
        return add_months(day, 12 * amount)
    raise ValueError(f"Unknown offset unit {unit!r}.")


def milestones_for(
    profile,
    *,
    registered_on: date,
    plan_approved_on: date | None,
    include_unscheduled: bool = False,
) -> list[Milestone]:
    """The profile's milestones for one case, earliest first.

    ``profile`` is a ``MethodProfile`` (only its ``definition`` is read). Milestones
    anchored on plan approval are left out while ``plan_approved_on`` is None; with
    ``include_unscheduled`` they are listed last instead, with ``due_on=None``.
    """
    definition: dict[str, Any] = profile.definition
    anchors = {"registration": registered_on, "plan_approved": plan_approved_on}
    scheduled: list[Milestone] = []
    unscheduled: list[Milestone] = []
    for item in definition["milestones"]:
        anchor_date = anchors[item["anchor"]]
        due_on = (
            None
            if anchor_date is None
            else add_offset(anchor_date, item["offset"]["amount"], item["offset"]["unit"])
        )
        milestone = Milestone(
            key=item["key"], name=localized(item["name"]), due_on=due_on, kind=item["kind"]
        )
        (scheduled if due_on is not None else unscheduled).append(milestone)
    scheduled.sort(key=lambda m: m.due_on)  # stable: ties keep the file's order
    return scheduled + unscheduled if include_unscheduled else scheduled


def milestone_status(
    due_on: date | None, done_on: date | None, today: date, due_soon_days: int = 14
) -> MilestoneStatus:
    """How a milestone stands on ``today``.

    Done on or before the due date → done; after it → done_late. Not done: past the due
    date → late; due today or within ``due_soon_days`` days → due_soon; else on_time.
    No due date yet (plan not approved) → not_scheduled.
    """
    if done_on is not None:
        if due_on is None or done_on <= due_on:
            return MilestoneStatus.DONE
        return MilestoneStatus.DONE_LATE
    if due_on is None:
        return MilestoneStatus.NOT_SCHEDULED
    if today > due_on:
        return MilestoneStatus.LATE
    if (due_on - today).days <= due_soon_days:
        return MilestoneStatus.DUE_SOON
    return MilestoneStatus.ON_TIME
