"""Deadlines from a method profile: calendar-month arithmetic, anchors, status."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from ketenplan.methods.models import MethodProfile
from ketenplan.methods.schedule import (
    Milestone,
    MilestoneStatus,
    add_months,
    add_offset,
    milestone_status,
    milestones_for,
)

from .conftest import shipped_definition

# No database: the schedule reads only the profile's definition.


def profile(key: str) -> MethodProfile:
    return MethodProfile(key=key, definition=shipped_definition(key))


IFG = profile("ketenaanpak-ifg")
MDA = profile("mdaplusplus")
MARAC = profile("marac")


# --- Calendar months --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # 31 January → end of February
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # … in a leap year
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),  # 29 February keeps its day number
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # … a year on there is no 29th
        (date(2024, 2, 29), 48, date(2028, 2, 29)),  # … four years on there is
        (date(2025, 3, 31), 1, date(2025, 4, 30)),  # 31-day month → 30-day month
        (date(2025, 4, 30), 1, date(2025, 5, 30)),  # 30th stays the 30th
        (date(2025, 5, 31), 1, date(2025, 6, 30)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 7, 31), 1, date(2025, 8, 31)),  # 31 → 31 where the month has it
        (date(2025, 11, 15), 4, date(2026, 3, 15)),  # year wrap
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # year wrap into February
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # … of a leap year
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 12, 31), 10, date(2026, 10, 31)),
        (date(2025, 12, 31), 11, date(2026, 11, 30)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),  # backwards, for window edges
        (date(2025, 1, 31), -2, date(2024, 11, 30)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_add_years_from_a_leap_day():
    assert add_offset(date(2024, 2, 29), 1, "years") == date(2025, 2, 28)
    assert add_offset(date(2024, 2, 29), 4, "years") == date(2028, 2, 29)


def test_add_weeks_and_days_cross_a_leap_day():
    assert add_offset(date(2024, 2, 26), 1, "weeks") == date(2024, 3, 4)
    assert add_offset(date(2024, 2, 28), 2, "days") == date(2024, 3, 1)


def test_unknown_unit_is_a_programming_error():
    with pytest.raises(ValueError, match="fortnights"):
        add_offset(date(2025, 1, 1), 1, "fortnights")


# --- Ketenaanpak IFG: 1, 4, 10 months after plan approval --------------------------------


def dues(milestones: list[Milestone]) -> list[tuple[str, date | None]]:
    return [(m.key, m.due_on) for m in milestones]


def test_ifg_evaluations_from_plan_approval_on_31_january_of_a_leap_year():
    milestones = milestones_for(
        IFG, registered_on=date(2023, 12, 4), plan_approved_on=date(2024, 1, 31)
    )
    assert dues(milestones) == [
        ("evaluation-1m", date(2024, 2, 29)),
        ("evaluation-4m", date(2024, 5, 31)),
        ("evaluation-10m", date(2024, 11, 30)),
    ]
    assert {m.kind for m in milestones} == {"evaluation"}


def test_ifg_evaluations_from_31_january_in_a_common_year():
    milestones = milestones_for(
        IFG, registered_on=date(2025, 1, 2), plan_approved_on=date(2025, 1, 31)
    )
    assert dues(milestones) == [
        ("evaluation-1m", date(2025, 2, 28)),
        ("evaluation-4m", date(2025, 5, 31)),
        ("evaluation-10m", date(2025, 11, 30)),
    ]


def test_ifg_evaluations_wrap_into_the_next_year():
    milestones = milestones_for(
        IFG, registered_on=date(2025, 10, 1), plan_approved_on=date(2025, 11, 30)
    )
    assert dues(milestones) == [
        ("evaluation-1m", date(2025, 12, 30)),
        ("evaluation-4m", date(2026, 3, 30)),
        ("evaluation-10m", date(2026, 9, 30)),
    ]


def test_no_evaluations_until_a_plan_is_approved():
    assert milestones_for(IFG, registered_on=date(2025, 1, 1), plan_approved_on=None) == []


def test_unscheduled_evaluations_can_be_listed():
    milestones = milestones_for(
        IFG, registered_on=date(2025, 1, 1), plan_approved_on=None, include_unscheduled=True
    )
    assert dues(milestones) == [
        ("evaluation-1m", None),
        ("evaluation-4m", None),
        ("evaluation-10m", None),
    ]
    assert {milestone_status(m.due_on, None, date(2025, 6, 1)) for m in milestones} == {
        MilestoneStatus.NOT_SCHEDULED
    }


# --- MDA++: weeks, months and years from registration ------------------------------------


def test_mda_milestones_from_registration():
    milestones = milestones_for(MDA, registered_on=date(2024, 2, 26), plan_approved_on=None)
    assert dues(milestones) == [
        ("direct-safety", date(2024, 3, 4)),  # 1 week, across 29 February
        ("stable-safety-plan", date(2024, 3, 25)),  # 4 weeks
        ("stable-safety-carried-out", date(2024, 5, 26)),  # 3 months
        ("recovery", date(2025, 2, 26)),  # 1 year
        ("participation", date(2026, 2, 26)),  # 2 years
    ]
    assert {m.kind for m in milestones} == {"milestone"}


def test_mda_milestones_from_a_leap_day():
    milestones = milestones_for(MDA, registered_on=date(2024, 2, 29), plan_approved_on=None)
    assert dues(milestones) == [
        ("direct-safety", date(2024, 3, 7)),
        ("stable-safety-plan", date(2024, 3, 28)),
        ("stable-safety-carried-out", date(2024, 5, 29)),
        ("recovery", date(2025, 2, 28)),
        ("participation", date(2026, 2, 28)),
    ]


def test_mda_ignores_the_plan_date():
    registered = date(2025, 3, 3)
    assert milestones_for(MDA, registered_on=registered, plan_approved_on=None) == milestones_for(
        MDA, registered_on=registered, plan_approved_on=date(2025, 3, 20)
    )


def test_marac_reviews_after_the_action_plan():
    milestones = milestones_for(
        MARAC, registered_on=date(2025, 1, 6), plan_approved_on=date(2025, 1, 9)
    )
    assert dues(milestones) == [("review-1m", date(2025, 2, 9)), ("review-3m", date(2025, 4, 9))]


def test_milestones_come_earliest_first_whatever_their_anchor():
    definition = shipped_definition("mdaplusplus")
    definition["milestones"].reverse()
    definition["milestones"].append(
        {
            "key": "plan-check",
            "name": {"nl": "Plancontrole", "en": "Plan check"},
            "kind": "evaluation",
            "offset": {"amount": 10, "unit": "days"},
            "anchor": "plan_approved",
        }
    )
    milestones = milestones_for(
        MethodProfile(definition=definition),
        registered_on=date(2025, 1, 1),
        plan_approved_on=date(2025, 1, 20),
    )
    assert [m.key for m in milestones] == [
        "direct-safety",  # 8 January
        "stable-safety-plan",  # 29 January
        "plan-check",  # 30 January
        "stable-safety-carried-out",
        "recovery",
        "participation",
    ]


def test_milestone_names_follow_the_active_language():
    with translation.override("en"):
        [first, *_] = milestones_for(MDA, registered_on=date(2025, 1, 1), plan_approved_on=None)
    assert first.name == "Direct safety"
    with translation.override("nl"):
        [first, *_] = milestones_for(MDA, registered_on=date(2025, 1, 1), plan_approved_on=None)
    assert first.name == "Directe veiligheid"


# --- Status -----------------------------------------------------------------------------

TODAY = date(2025, 6, 16)


@pytest.mark.parametrize(
    ("due_on", "done_on", "expected"),
    [
        (TODAY + timedelta(days=30), None, "on_time"),
        (TODAY + timedelta(days=15), None, "on_time"),  # one day outside the window
        (TODAY + timedelta(days=14), None, "due_soon"),  # on the window's edge
        (TODAY + timedelta(days=1), None, "due_soon"),
        (TODAY, None, "due_soon"),  # due exactly today: not late yet
        (TODAY - timedelta(days=1), None, "late"),
        (TODAY - timedelta(days=200), None, "late"),
        (TODAY, TODAY, "done"),  # done on the due date
        (TODAY + timedelta(days=10), TODAY, "done"),  # done early
        (TODAY - timedelta(days=1), TODAY, "done_late"),  # done a day late
        (None, None, "not_scheduled"),
        (None, TODAY, "done"),
    ],
)
def test_milestone_status(due_on, done_on, expected):
    status = milestone_status(due_on, done_on, TODAY)
    assert status == expected
    assert isinstance(status, str)


def test_done_late_is_judged_against_the_due_date_not_today():
    due = date(2025, 1, 31)
    assert milestone_status(due, date(2025, 2, 1), today=date(2025, 1, 15)) == "done_late"


def test_due_soon_window_is_configurable():
    assert milestone_status(TODAY + timedelta(days=3), None, TODAY, due_soon_days=3) == "due_soon"
    assert milestone_status(TODAY + timedelta(days=4), None, TODAY, due_soon_days=3) == "on_time"
    assert milestone_status(TODAY, None, TODAY, due_soon_days=0) == "due_soon"
    assert milestone_status(TODAY + timedelta(days=1), None, TODAY, due_soon_days=0) == "on_time"


def test_status_has_a_translatable_label():
    with translation.override("en"):
        assert MilestoneStatus("due_soon").label == "Due soon"
