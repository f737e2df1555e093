"""Reads of cases, always starting from the access policy's scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ketenplan.accounts.models import Organisation, Professional, Role, RoleGrant
from ketenplan.audit import reads
from ketenplan.core import policy

from .models import Case, CaseMember, Closure, Participation, Stage
from .policy import participation_exists


def visible_cases(*, user) -> QuerySet:
    """Every case the user may see: those their organisation takes part in, and those
    opened with emergency access. ``viewer_participates`` marks the former, so that
    per-object rules need no extra query."""
    return policy.scope(user, "case.view", Case.objects.all()).annotate(
        viewer_participates=participation_exists(user)
    )


def case_visible_q(*, user, ref: str = "case", open_only: bool = False) -> Q:
    """The condition "the row's case is one ``user`` may see" for a queryset of another
    model: ``ref`` is the path from that model to its case key ("case",
    "plan_version__case"); ``open_only`` leaves closed cases out.

    The policy's ``case.view`` rule as a condition on the row's own case key, checked per
    row the query reads, instead of ``case__in=visible_cases``: SQLite computes such an
    ``IN`` list in full before it reads a row, which for the coordination point means
    every case of the region, for one action or one person.
    """
    visible = policy.condition(user, "case.view", ref)
    if open_only:
        visible &= ~Q(**{f"{ref}__stage": Stage.CLOSED})
    return visible


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
    """The case as this user may see it, or "not found". ``repeat_source_visible`` says
    whether the user may see the earlier case this one repeats (``case.view`` on it, the
    policy's condition on the ``repeat_of`` key), so the page asks no more per case."""
    qs = visible_cases(user=user).annotate(
        repeat_source_visible=ExpressionWrapper(
            policy.condition(user, "case.view", "repeat_of"), output_field=BooleanField()
        )
    ).select_related(
        "region",
        "registered_by",
        "referring_organisation",
        "case_director__organisation",
        "repeat_of",
        "updated_by",
    )
    try:
        case = qs.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    case.repeat_source_checked = (user.pk, case.repeat_of_id)  # for whom, on which key
    reads.note_case(case)
    return case


def visible_repeat_source(*, user, case: Case) -> Case | None:
    """The earlier case ``case`` repeats, when ``user`` may see it; otherwise None.
    Decided by ``case_get``'s annotation when the case came from there for this user
    and still repeats the same case; otherwise asked of the policy."""
    if case.repeat_of_id is None:
        return None
    visible = getattr(case, "repeat_source_visible", None)
    if visible is None or getattr(case, "repeat_source_checked", None) != (user.pk, case.repeat_of_id):
        visible = policy.can(user, "case.view", case.repeat_of)
    return case.repeat_of if visible else None


def case_members(*, user, case: Case) -> list[CaseMember]:
    policy.require(user, "case.view", case)
    members = list(case.members.select_related("person").order_by("added_at", "pk"))
    reads.note_persons(m.person_id for m in members)
    return members


def open_stages() -> list[str]:
    return [s for s in Stage.values if s != Stage.CLOSED]


# --- The case page ----------------------------------------------------------------------


def case_participations(*, user, case: Case) -> list[Participation]:
    """The organisations taking part in the case now, oldest first."""
    policy.require(user, "case.view", case)
    return list(
        case.participations.filter(until__isnull=True)
        .select_related("organisation", "added_by")
        .order_by("since", "pk")
    )


def case_decisions(*, user, case: Case) -> dict:
    """Every decision so far: admissibility, risk weighings, case directors, closure."""
    policy.require(user, "case.view", case)
    closure = Closure.objects.filter(case=case).select_related("closed_by").first()
    return {
        "admissibility": list(case.admissibility_decisions.select_related("decided_by")),
        "weighings": list(case.risk_weighings.select_related("decided_by")),
        "directors": list(
            case.director_assignments.select_related(
                "professional__organisation", "assigned_by"
            ).order_by("started_at", "pk")
        ),
        "closure": closure,
    }


def member_get(*, user, case: Case, pk: int) -> CaseMember:
    policy.require(user, "case.view", case)
    try:
        return case.members.select_related("person").get(pk=pk)
    except (CaseMember.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def partner_candidates(*, user, case: Case) -> QuerySet:
    """Organisations that may join the case: of its region, with a signed cooperation
    agreement, not taking part already."""
    policy.require(user, "case.view", case)
    taking_part = Participation.objects.filter(
        case=case, organisation=OuterRef("pk"), until__isnull=True
    )
    return (
        Organisation.objects.filter(region_id=case.region_id, agreement_signed_on__isnull=False)
        .filter(agreement_signed_on__lte=timezone.localdate())
        .exclude(Exists(taking_part))
        .order_by("ring", "name")
    )


DIRECTOR_ROLES = (Role.CASE_DIRECTOR, Role.TEAM_MEMBER, Role.COORDINATOR)


def director_candidates(*, user, case: Case) -> QuerySet:
    """Professionals who can direct the case: active, with a suitable role, of an
    organisation that takes part in it."""
    policy.require(user, "case.view", case)
    taking_part = Participation.objects.filter(
        case=case, organisation=OuterRef("organisation_id"), until__isnull=True
    )
    suitable = RoleGrant.objects.filter(professional=OuterRef("pk"), role__in=DIRECTOR_ROLES)
    qs = (
        Professional.objects.filter(Exists(taking_part), Exists(suitable), is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "full_name")
    )
    if case.case_director_id:
        qs = qs.exclude(pk=case.case_director_id)
    return qs


def open_information_requests(*, user, case: Case) -> int:
    """How many information requests of the case are still open (the closure guard)."""
    policy.require(user, "case.view", case)
    model = _optional_model("dossier", "InformationRequest")
    if model is None:
        return 0
    return model.objects.filter(case=case, status__in=model.OPEN_STATUSES).count()


def _optional_model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


# --- The timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened in a case; templates show it by ``kind``."""

    at: datetime
    kind: str
    obj: Any
    order: int = 0


def _at_start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_timeline(*, user, case: Case) -> list[TimelineEvent]:
    """Every step, decision and document of the case in order, oldest first.

    One query per kind of event, whatever the number of events. Of contributions, contacts
    and documents only when, what kind and who: their content is read on the dossier and
    plan pages, under their own rules.
    """
    policy.require(user, "case.view", case)
    events: list[TimelineEvent] = []

    def add(kind: str, rows, at: Callable[[Any], datetime | None], order: int = 0) -> None:
        for row in rows:
            moment = at(row)
            if moment is not None:
                events.append(TimelineEvent(at=moment, kind=kind, obj=row, order=order))

    add("transition", case.transitions.select_related("actor"), lambda t: t.at, 5)
    add("member", case.members.select_related("person", "added_by"), lambda m: m.added_at, 1)
    add(
        "participation",
        case.participations.select_related("organisation", "added_by"),
        lambda p: p.since,
        2,
    )
    add("admissibility", case.admissibility_decisions.select_related("decided_by"), lambda d: d.decided_at, 4)
    add("weighing", case.risk_weighings.select_related("decided_by"), lambda w: w.decided_at, 4)
    add(
        "director",
        case.director_assignments.select_related("professional__organisation", "assigned_by"),
        lambda a: a.started_at,
        3,
    )
    closure = list(Closure.objects.filter(case=case).select_related("closed_by"))
    add("closure", closure, lambda c: c.closed_at, 6)
    add("follow_up", closure, lambda c: c.follow_up_done_at, 7)

    contribution = _optional_model("dossier", "Contribution")
    if contribution is not None:
        add(
            "contribution",
            contribution.objects.filter(case=case)
            .select_related("life_domain", "organisation")
            .only(
                "pk", "case_id", "created_at", "occurred_on", "supersedes_id",
                "life_domain__name_nl", "life_domain__name_en", "life_domain__key",
                "organisation__name",
            ),
            lambda c: c.created_at,
        )
    attachment = _optional_model("dossier", "Attachment")
    if attachment is not None:
        add(
            "attachment",
            attachment.objects.filter(case=case)
            .select_related("organisation")
            .only("pk", "case_id", "uploaded_at", "organisation__name"),
            lambda a: a.uploaded_at,
        )
    request_model = _optional_model("dossier", "InformationRequest")
    if request_model is not None:
        requests = list(
            request_model.objects.filter(case=case)
            .select_related("to_organisation", "requested_by")
            .defer("question", "answer")
        )
        add("information_request", requests, lambda r: r.requested_at)
        add("information_answer", requests, lambda r: r.answered_at)
    plan_version = _optional_model("plans", "PlanVersion")
    if plan_version is not None:
        versions = list(plan_version.objects.filter(case=case).select_related("created_by", "approved_by"))
        add("plan_version", versions, lambda v: v.created_at)
        add("plan_approved", versions, lambda v: v.approved_at, 1)
    action = _optional_model("plans", "Action")
    if action is not None:
        add(
            "action",
            action.objects.filter(case=case).select_related("owner", "owner_organisation"),
            lambda a: a.created_at,
        )
    contact = _optional_model("plans", "Contact")
    if contact is not None:
        add(
            "contact",
            contact.objects.filter(case=case)
            .select_related("professional", "organisation")
            .defer("summary"),
            lambda c: c.at,
        )
    referral = _optional_model("plans", "Referral")
    if referral is not None:
        add(
            "referral",
            referral.objects.filter(case=case).select_related("organisation").defer("note"),
            lambda r: _at_start_of(r.requested_on),
        )
    police = _optional_model("plans", "PoliceIntervention")
    if police is not None:
        add(
            "police_intervention",
            police.objects.filter(case=case).defer("summary"),
            lambda p: _at_start_of(p.occurred_on),
        )
    evaluation = _optional_model("plans", "Evaluation")
    if evaluation is not None:
        add(
            "evaluation",
            evaluation.objects.filter(case=case, held_on__isnull=False).select_related("held_by"),
            lambda e: _at_start_of(e.held_on),
        )
    meeting = _optional_model("meetings", "Meeting")
    if meeting is not None:
        # When a crisis consultation was called and its outcome recorded; why and what
        # was decided are on the case page and, for the invitees, the consultation's page.
        consultations = list(
            meeting.objects.filter(case=case, kind="crisis")
            .select_related("called_by", "outcome_recorded_by")
            .only(
                "pk", "case_id", "created_at", "starts_at", "status", "outcome_recorded_at",
                "called_by__full_name", "outcome_recorded_by__full_name",
            )
        )  # fmt: skip
        add("crisis_called", consultations, lambda m: m.created_at)
        add("crisis_outcome", consultations, lambda m: m.outcome_recorded_at, 1)
    escalation = _optional_model("meetings", "Escalation")
    if escalation is not None:
        # Escalations only by kind and who: the reason is for the escalation's audience.
        escalations = list(
            escalation.objects.filter(case=case)
            .select_related("raised_by", "organisation")
            .only(
                "pk", "case_id", "kind", "raised_at", "handled_at",
                "raised_by__full_name", "organisation__name",
            )
        )  # fmt: skip
        add("escalation_raised", escalations, lambda e: e.raised_at)
        add("escalation_handled", escalations, lambda e: e.handled_at, 1)
    events.sort(key=lambda e: (e.at, e.order))
    return events
