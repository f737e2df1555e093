"""When a recurring schedule falls: pure date arithmetic, no database.

Times are wall-clock times in the schedule's time zone: a meeting "every second Tuesday
at 14:00" stays at 14:00 local time across daylight-saving changes, so its UTC instant
moves by an hour. ``local_datetime`` makes that instant; ambiguous or missing wall-clock
times (the hour skipped or repeated at a change) resolve to the first valid instant.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta


def local_datetime(day: date, at: time, zone: str | zoneinfo.ZoneInfo) -> datetime:
    """``day`` at ``at`` on the clocks of ``zone``, as an aware datetime."""
    tz = zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(zone)
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz, fold=0)
    # A wall-clock time inside the spring-forward gap does not exist: move it forward.
    roundtrip = aware.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != naive:
        aware = roundtrip
    return aware


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The ``n``-th ``weekday`` (0 = Monday) of the month; ``n = -1`` is the last one.
    None when the month has no such day (a fifth Tuesday)."""
    days_in_month = calendar.monthrange(year, month)[1]
    if n == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7) + timedelta(weeks=n - 1)
    return day if day.month == month else None


def weeks_of_month_dates(*, weekday: int, weeks: Sequence[int], start: date, end: date) -> Iterator[date]:
    """Dates from ``start`` up to and including ``end`` on the given weeks of each month."""
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        found = {nth_weekday(year, month, weekday, n) for n in weeks}
        for day in sorted(d for d in found if d is not None):
            if start <= day <= end:
                yield day
        month += 1
        if month > 12:
            year, month = year + 1, 1


def interval_dates(*, weekday: int, every_weeks: int, anchor: date, start: date, end: date) -> Iterator[date]:
    """Every ``every_weeks`` weeks on ``weekday``, in step with ``anchor``."""
    anchor = anchor + timedelta(days=(weekday - anchor.weekday()) % 7)
    step = timedelta(weeks=every_weeks)
    if anchor < start:
        jumps = (start - anchor).days // step.days
        day = anchor + jumps * step
        if day < start:
            day += step
    else:
        day = anchor
    while day <= end:
        yield day
        day += step


def weekly_dates(*, weekday: int, start: date, end: date) -> Iterator[date]:
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while day <= end:
        yield day
        day += timedelta(weeks=1)


def series_dates(series, *, start: date, end: date) -> list[date]:
    """The meeting dates of a ``MeetingSeries`` (or anything with the same fields)."""
    if series.recurrence == "interval":
        return list(
            interval_dates(
                weekday=series.weekday,
                every_weeks=series.interval_weeks,
                anchor=series.anchor_date or start,
                start=start,
                end=end,
            )
        )
    weeks = list(series.weeks_of_month or [2, 4])
    return list(weeks_of_month_dates(weekday=series.weekday, weeks=weeks, start=start, end=end))


def slot_starts(hour, *, start: date, end: date) -> list[datetime]:
    """Every bookable moment of a ``ConsultationHour`` between two dates (inclusive)."""
    starts = []
    count = max(1, hour.duration_minutes // hour.slot_minutes)
    for day in weekly_dates(weekday=hour.weekday, start=start, end=end):
        first = local_datetime(day, hour.start_time, hour.time_zone)
        for i in range(count):
            # Wall-clock arithmetic: slots keep their local times on a change day too.
            naive = datetime.combine(day, hour.start_time) + timedelta(minutes=i * hour.slot_minutes)
            starts.append(first if i == 0 else local_datetime(naive.date(), naive.time(), hour.time_zone))
    return starts
