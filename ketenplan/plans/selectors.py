"""Reads of plans and their execution, always starting from the case scope of the access
policy (``cases.selectors.visible_cases``): what a user cannot see does not exist.

Page selectors return everything a page shows in a fixed number of queries, however
many goals, actions or contacts a case has.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce

from django.db.models import Case as Conditional
from django.db.models import Prefetch, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenplan.accounts.models import Professional
from ketenplan.cases.models import Case, Participation
from ketenplan.cases.selectors import case_visible_q
from ketenplan.core import policy
from ketenplan.methods.language import localized
from ketenplan.methods.models import MethodProfile
from ketenplan.methods.schedule import milestone_status
from ketenplan.methods.selectors import profile_for_region

from .models import (
    Action,
    Contact,
    Evaluation,
    Goal,
    GoalProgress,
    PlanVersion,
    PoliceIntervention,
    Referral,
    SafetyMeasure,
    SelfRelianceScore,
    TraumaScreening,
)

DUE_SOON_DAYS = 14


def _visible_case(user, *, ref: str = "case", open_only: bool = False) -> Q:
    """The row's case is visible to ``user`` (``cases.selectors.case_visible_q``)."""
    return case_visible_q(user=user, ref=ref, open_only=open_only)


def _require_view(user, case: Case) -> None:
    policy.require(user, "case.view", case)


# --- plan versions ----------------------------------------------------------------------


def _goal_queryset() -> QuerySet:
    return Goal.objects.select_related(
        "life_domain",
        "about_person",
        "responsible_organisation",
        "responsible_professional",
    ).order_by("order", "pk")


def plan_versions(*, user, case: Case) -> list[PlanVersion]:
    """Every version of the case's plan, newest first (no goals loaded)."""
    _require_view(user, case)
    return list(
        PlanVersion.objects.filter(case=case).select_related("created_by", "approved_by").order_by("-number")
    )


def plan_with_content(*, user, case: Case, number: int) -> PlanVersion:
    """One version with its goals (and their actions) and safety measures, or 404."""
    _require_view(user, case)
    qs = (
        PlanVersion.objects.filter(case=case, number=number)
        .select_related("created_by", "approved_by", "updated_by")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=_goal_queryset().prefetch_related(
                    Prefetch(
                        "actions",
                        queryset=Action.objects.select_related("owner", "owner_organisation").order_by(
                            "due_on", "pk"
                        ),
                    )
                ),
            ),
            Prefetch(
                "safety_measures",
                queryset=SafetyMeasure.objects.select_related("responsible_organisation"),
            ),
        )
    )
    try:
        return qs.get()
    except PlanVersion.DoesNotExist:
        raise Http404 from None


def current_and_draft(*, user, case: Case) -> tuple[PlanVersion | None, PlanVersion | None]:
    """The approved version in force and the draft being made, with their content."""
    _require_view(user, case)
    numbers = dict(
        PlanVersion.objects.filter(
            case=case, status__in=[PlanVersion.Status.APPROVED, PlanVersion.Status.DRAFT]
        ).values_list("status", "number")
    )
    current = draft = None
    if PlanVersion.Status.APPROVED in numbers:
        current = plan_with_content(user=user, case=case, number=numbers[PlanVersion.Status.APPROVED])
    if PlanVersion.Status.DRAFT in numbers:
        draft = plan_with_content(user=user, case=case, number=numbers[PlanVersion.Status.DRAFT])
    return current, draft


def approval_problems(plan: PlanVersion, *, today: date | None = None) -> list[str]:
    """Why this draft cannot be approved yet (empty when it can). The guard of
    ``services.plan_approve``, shown on the plan page before the user tries."""
    today = today or timezone.localdate()
    problems: list[str] = []
    goals = list(
        plan.goals.select_related("life_domain", "responsible_organisation", "responsible_professional")
    )
    if not goals:
        problems.append(_("The plan has no goals yet."))
    if not plan.safety_measures.filter(kind=SafetyMeasure.Kind.DIRECT).exists():
        problems.append(_("The safety plan needs at least one direct safety measure."))
    taking_part = set(
        Participation.objects.filter(case_id=plan.case_id, until__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    for goal in goals:
        label = goal.description[:60]
        if goal.responsible_professional_id is None:
            problems.append(_("Goal “%(goal)s”: name the responsible professional.") % {"goal": label})
        elif (
            goal.responsible_professional.organisation_id != goal.responsible_organisation_id
            or not goal.responsible_professional.is_active
        ):
            problems.append(
                _("Goal “%(goal)s”: the responsible professional no longer works for %(org)s.")
                % {"goal": label, "org": goal.responsible_organisation}
            )
        if goal.responsible_organisation_id not in taking_part:
            problems.append(
                _("Goal “%(goal)s”: %(org)s no longer takes part in the case.")
                % {"goal": label, "org": goal.responsible_organisation}
            )
        if goal.due_on < today and goal.progress not in (
            Goal.Progress.ACHIEVED,
            Goal.Progress.DROPPED,
        ):
            problems.append(_("Goal “%(goal)s”: the due date has passed; set a new one.") % {"goal": label})
    return problems


def goal_get(*, user, pk: int) -> Goal:
    """A goal of a case the user may see, or 404."""
    try:
        return (
            Goal.objects.select_related("plan_version__case", "life_domain")
            .filter(_visible_case(user, ref="plan_version__case"))
            .get(pk=pk)
        )
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def safety_measure_get(*, user, pk: int) -> SafetyMeasure:
    try:
        return (
            SafetyMeasure.objects.select_related("plan_version__case")
            .filter(_visible_case(user, ref="plan_version__case"))
            .get(pk=pk)
        )
    except (SafetyMeasure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class GoalComparison:
    state: str  # "added" | "removed" | "changed" | "unchanged"
    old: Goal | None
    new: Goal | None
    changed_fields: list[str] = field(default_factory=list)

    @property
    def changed_labels(self) -> list[str]:
        return [str(Goal._meta.get_field(f.removesuffix("_id")).verbose_name) for f in self.changed_fields]


@dataclass
class PlanComparison:
    old: PlanVersion
    new: PlanVersion
    goals: list[GoalComparison]
    measures_old: list[SafetyMeasure]
    measures_new: list[SafetyMeasure]

    @property
    def counts(self) -> dict[str, int]:
        result = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        for row in self.goals:
            result[row.state] += 1
        return result


COMPARED_FIELDS = (
    "life_domain_id",
    "description",
    "about_person_id",
    "responsible_organisation_id",
    "responsible_professional_id",
    "due_on",
    "progress",
)


def _lineage(goal: Goal, by_id: dict[int, Goal]) -> set[int]:
    """The goal and every goal it was copied from, through the versions."""
    seen = set()
    current: Goal | None = goal
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        current = by_id.get(current.copied_from_id) if current.copied_from_id else None
    return seen


def plan_compare(*, user, case: Case, old_number: int, new_number: int) -> PlanComparison:
    """Two versions side by side: goals added, removed or changed, matched through
    ``copied_from`` (also across versions in between)."""
    _require_view(user, case)
    if old_number > new_number:
        old_number, new_number = new_number, old_number
    old = plan_with_content(user=user, case=case, number=old_number)
    new = plan_with_content(user=user, case=case, number=new_number)
    # Every goal of the case, to follow copies across the versions in between.
    by_id = {g.pk: g for g in Goal.objects.filter(plan_version__case=case).only("pk", "copied_from_id")}
    old_goals = list(old.goals.all())
    new_goals = list(new.goals.all())
    old_ids = {g.pk for g in old_goals}
    matched_old: set[int] = set()
    rows: list[GoalComparison] = []
    old_by_id = {g.pk: g for g in old_goals}
    for goal in new_goals:
        ancestors = _lineage(goal, by_id) & old_ids
        source = old_by_id[min(ancestors)] if ancestors else None
        if source is None:
            rows.append(GoalComparison("added", None, goal))
            continue
        matched_old.add(source.pk)
        changed = [f for f in COMPARED_FIELDS if getattr(source, f) != getattr(goal, f)]
        rows.append(GoalComparison("changed" if changed else "unchanged", source, goal, changed))
    rows.extend(GoalComparison("removed", g, None) for g in old_goals if g.pk not in matched_old)
    return PlanComparison(
        old=old,
        new=new,
        goals=rows,
        measures_old=list(old.safety_measures.all()),
        measures_new=list(new.safety_measures.all()),
    )


# --- choices for forms ------------------------------------------------------------------


def participating_organisations(*, user, case: Case) -> QuerySet:
    _require_view(user, case)
    from ketenplan.accounts.models import Organisation

    return Organisation.objects.filter(
        participations__case=case, participations__until__isnull=True
    ).order_by("name")


def case_professionals(*, user, case: Case) -> QuerySet:
    """Active professionals of the organisations that take part in the case."""
    _require_view(user, case)
    return (
        Professional.objects.filter(
            is_active=True,
            organisation__participations__case=case,
            organisation__participations__until__isnull=True,
        )
        .select_related("organisation")
        .order_by("organisation__name", "full_name")
    )


def case_persons(*, user, case: Case) -> QuerySet:
    """The persons of the family (for "with whom", "for whom")."""
    _require_view(user, case)
    from ketenplan.persons.models import Person

    return Person.objects.filter(case_memberships__case=case).order_by("given_names", "pk")


def region_organisations(*, user, case: Case) -> QuerySet:
    _require_view(user, case)
    from ketenplan.accounts.models import Organisation

    return Organisation.objects.filter(region_id=case.region_id).order_by("name")


def current_goals(*, user, case: Case) -> QuerySet:
    """The goals of the approved plan version in force (what an evaluation answers)."""
    _require_view(user, case)
    return _goal_queryset().filter(plan_version__case=case, plan_version__status=PlanVersion.Status.APPROVED)


def action_goal_choices(*, user, case: Case) -> QuerySet:
    """Goals an action can be put under: those of the plan in force and of the draft."""
    _require_view(user, case)
    return (
        Goal.objects.filter(
            plan_version__case=case,
            plan_version__status__in=[PlanVersion.Status.APPROVED, PlanVersion.Status.DRAFT],
        )
        .select_related("plan_version", "life_domain")
        .order_by("plan_version__number", "order", "pk")
    )


# --- execution --------------------------------------------------------------------------


def _action_queryset() -> QuerySet:
    return Action.objects.select_related("owner", "owner_organisation", "goal__plan_version", "updated_by")


def case_actions(*, user, case: Case) -> list[Action]:
    """The case's action list: open ones first by due date, then finished ones."""
    _require_view(user, case)
    actions = list(
        _action_queryset()
        .filter(case=case)
        .annotate(
            finished=Conditional(
                When(status__in=Action.OPEN_STATUSES, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .order_by("finished", "due_on", "pk")
    )
    for action in actions:
        action.case = case  # the case as the user may see it: per-row rules need no query
    return actions


def action_get(*, user, pk: int) -> Action:
    """An action of a case the user may see, or 404."""
    try:
        return _action_queryset().select_related("case").filter(_visible_case(user)).get(pk=pk)
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_contacts(*, user, case: Case, limit: int | None = None) -> list[Contact]:
    _require_view(user, case)
    qs = (
        Contact.objects.filter(case=case)
        .select_related("professional", "organisation")
        .prefetch_related("with_persons")
        .order_by("-at", "-pk")
    )
    return list(qs[:limit] if limit else qs)


def case_referrals(*, user, case: Case, today: date | None = None) -> list[Referral]:
    """The case's referrals; each has ``waiting_days`` (None unless on a waiting list)."""
    _require_view(user, case)
    today = today or timezone.localdate()
    referrals = list(
        Referral.objects.filter(case=case)
        .select_related("person", "organisation", "updated_by")
        .order_by("requested_on", "pk")
    )
    for referral in referrals:
        waiting = referral.status == Referral.Status.WAITING and referral.waiting_since
        referral.waiting_days = (today - referral.waiting_since).days if waiting else None
    return referrals


def referral_get(*, user, pk: int) -> Referral:
    try:
        return Referral.objects.select_related("case", "updated_by").filter(_visible_case(user)).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_trauma_screenings(*, user, case: Case) -> list[TraumaScreening]:
    _require_view(user, case)
    return list(
        TraumaScreening.objects.filter(case=case)
        .select_related("person", "recorded_by")
        .order_by("person__given_names", "pk")
    )


def case_police_interventions(*, user, case: Case) -> list[PoliceIntervention]:
    _require_view(user, case)
    return list(
        PoliceIntervention.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-occurred_on", "-pk")
    )


def _milestone_names(case: Case) -> dict[str, str]:
    """Milestone names in the active language, from the region's method profile."""
    try:
        profile = profile_for_region(case.region)
    except MethodProfile.DoesNotExist:  # the stored names are a good enough fallback
        return {}
    return {m["key"]: localized(m["name"]) for m in profile.definition.get("milestones", [])}


def case_evaluations(*, user, case: Case, today: date | None = None) -> list[Evaluation]:
    """The case's evaluations with ``status`` (methods.schedule.milestone_status) and
    ``display_name`` in the active language; held ones with their goal progress."""
    _require_view(user, case)
    today = today or timezone.localdate()
    evaluations = list(
        Evaluation.objects.filter(case=case)
        .select_related("held_by", "plan_version")
        .prefetch_related(
            Prefetch(
                "goal_progress",
                queryset=GoalProgress.objects.select_related("goal").order_by("goal__order", "pk"),
            ),
            Prefetch(
                "self_reliance_scores",
                queryset=SelfRelianceScore.objects.select_related("life_domain"),
            ),
        )
        .order_by("due_on", "pk")
    )
    names = _milestone_names(case) if evaluations else {}
    for ev in evaluations:
        ev.status = milestone_status(ev.due_on, ev.held_on, today, DUE_SOON_DAYS)
        ev.display_name = names.get(ev.milestone_key, ev.name)
    return evaluations


def next_open_evaluation(evaluations: list[Evaluation]) -> Evaluation | None:
    return next((e for e in evaluations if e.held_on is None), None)


def evaluation_get(*, user, pk: int) -> Evaluation:
    try:
        return Evaluation.objects.select_related("case").filter(_visible_case(user)).get(pk=pk)
    except (Evaluation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def start_self_reliance(*, user, case: Case) -> list[SelfRelianceScore]:
    """The ZRM scores recorded at the start of the plan, latest per life domain."""
    _require_view(user, case)
    latest: dict[int, SelfRelianceScore] = {}
    for score in (
        SelfRelianceScore.objects.filter(case=case, evaluation__isnull=True)
        .select_related("life_domain", "recorded_by")
        .order_by("recorded_at", "pk")
    ):
        latest[score.life_domain_id] = score
    return sorted(latest.values(), key=lambda s: (s.life_domain.order, s.life_domain.key))


# --- overviews (used by "My work" and the coordinator's board) -------------------------


# What work lists ("My work") show of each row: read only these (a wide row of every
# related table costs more to build than the query costs to run).
ACTION_LIST_FIELDS = (
    "due_on",
    "description",
    "status",
    "case__reference",
    "owner__full_name",
    "owner__email",
    "owner_organisation__name",
)
EVALUATION_LIST_FIELDS = ("due_on", "name", "case__reference", "case__family_label")
REFERRAL_LIST_FIELDS = ("service", "waiting_since", "case__reference")


def _open_actions_due(user, due_within_days: int | None, today: date) -> QuerySet:
    """Open actions in open cases the user may see, overdue or due within
    ``due_within_days`` days (all of them with None), whoever owns them."""
    due = Q(status__in=Action.OPEN_STATUSES)
    if due_within_days is not None:
        due &= Q(due_on__lte=today + timedelta(days=due_within_days))
    return Action.objects.filter(due, _visible_case(user, open_only=True))


def _my_owners(user) -> list[Q]:
    """Owned by the user personally, or by the user's organisation."""
    owners = [Q(owner_id=user.pk)]
    if user.organisation_id:
        owners.append(Q(owner_organisation_id=user.organisation_id))
    return owners


def _work_list(actions: QuerySet, user) -> QuerySet:
    """Read for a work list (``ACTION_LIST_FIELDS``), with ``is_mine``, in due order."""
    return (
        actions.select_related("case", "owner", "owner_organisation")
        .only(*ACTION_LIST_FIELDS)
        .annotate(
            is_mine=Conditional(
                When(owner_id=user.pk, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("due_on", "pk")
    )


def my_actions(*, user, due_within_days: int | None = DUE_SOON_DAYS, today: date | None = None) -> QuerySet:
    """Open actions owned by the user or by the user's organisation in cases the user
    may see; by default only those overdue or due within ``due_within_days`` days.
    Each row has ``is_mine`` (owned by the user personally); read for a work list
    (``ACTION_LIST_FIELDS``). For the first few (a work list such as "My work"), use
    ``my_first_actions``: sorting all of them costs a large organisation dearly."""
    if user is None or not user.is_authenticated:
        return Action.objects.none()
    due = _open_actions_due(user, due_within_days, today or timezone.localdate())
    return _work_list(due.filter(reduce(operator.or_, _my_owners(user))), user)


def my_first_actions(
    *, user, limit: int, due_within_days: int | None = DUE_SOON_DAYS, today: date | None = None
) -> list[Action]:
    """The first ``limit`` of ``my_actions``, in the same order: the first ``limit`` of
    the user's own and of the organisation's, each read in due order from its index
    (``action_owner_open_idx``, ``action_org_open_idx``) so that the database stops after
    a few rows, then merged. (As one query with "owner or organisation", PostgreSQL read
    and sorted every open action of a coordination point, thousands of them, for the ten
    it shows.)"""
    if user is None or not user.is_authenticated or limit <= 0:
        return []
    due = _open_actions_due(user, due_within_days, today or timezone.localdate())
    first = {}
    for owner in _my_owners(user):  # an action both mine and my organisation's: once
        first.update((a.pk, a) for a in _work_list(due.filter(owner), user)[:limit])
    return sorted(first.values(), key=lambda a: (a.due_on, a.pk))[:limit]


def due_evaluations(*, user, before: date) -> QuerySet:
    """Evaluations not yet held, due before ``before`` (late ones included), in open
    cases the user may see, earliest first; read for a work list."""
    return (
        Evaluation.objects.filter(
            _visible_case(user, open_only=True),
            held_on__isnull=True,
            due_on__lt=before,
        )
        .select_related("case")
        .only(*EVALUATION_LIST_FIELDS)
        .order_by("due_on", "pk")
    )


def waiting_referrals(*, user) -> QuerySet:
    """Referrals on a waiting list in open cases the user may see, longest waiting
    first: the families waiting for help; read for a work list."""
    return (
        Referral.objects.filter(
            _visible_case(user, open_only=True),
            status=Referral.Status.WAITING,
        )
        .select_related("case")
        .only(*REFERRAL_LIST_FIELDS)
        .order_by("waiting_since", "pk")
    )
