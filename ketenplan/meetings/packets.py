"""The preparation packet: per attendee, for each agenda item, what that attendee's
organisation may see — never more.

Everything about a case is read through the policy *with the viewer's user*: the case
from ``visible_cases``, contributions as the ``dossier.view_contribution`` scope allows
(``readable_contributions``: the cases the viewer's organisation takes part in, narrowed
by ``withhold_unshared``, the consent rules of METHOD.md §4, bounded to the agenda's
cases). An item about a case the viewer may not see shows only "a case of another
organisation" and the time it takes. A fixed number of queries, whatever the number of
items or cases in the region.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Prefetch, QuerySet

from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record, audit_record_many
from ketenplan.cases.models import Case, CaseMember, MemberRole
from ketenplan.cases.selectors import visible_cases
from ketenplan.core import policy

from .agenda import EXPLANATIONS
from .models import AgendaItem, Escalation, Meeting

#: What the packet shows of a case (and of the organisations and people it names).
CASE_FIELDS = (
    "pk",
    "region_id",
    "reference",
    "family_label",
    "stage",
    "registered_at",
    "reason",
    "crisis_measures",
    "violence_kinds",
    "is_repeat",
    "risk_level",
    "referring_organisation__name",
    "case_director__full_name",
    "case_director__organisation__name",
)
PERSON_NAME_FIELDS = ("given_names", "name_prefix", "family_name")
#: The packet shows the latest contributions of each case; the dossier holds them all.
CONTRIBUTIONS_PER_CASE = 5


# What the packet lists of a case — members, contributions, late actions — are plain rows
# with the attributes the packet's template reads, not model instances: a coordinator's
# packet lists thousands of them, and building models with their related objects was
# most of its cost (issue 6).


def _full_name(*parts) -> str:
    """As ``persons.Person.full_name``."""
    return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Named:
    """An organisation, professional or person as the packet names it."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class LifeDomainName:
    name_nl: str
    name_en: str

    def __str__(self) -> str:
        from ketenplan.methods.language import localized

        return localized({"nl": self.name_nl, "en": self.name_en})


@dataclass(frozen=True, slots=True)
class MemberRow:
    case_id: int
    person: Named
    roles: list

    def get_roles_display(self) -> list[str]:
        """As ``cases.CaseMember.get_roles_display``."""
        labels = dict(MemberRole.choices)
        return [str(labels.get(r, r)) for r in self.roles]


@dataclass(frozen=True, slots=True)
class ContributionRow:
    pk: int
    case_id: int
    text: str
    occurred_on: date
    created_at: datetime
    life_domain: LifeDomainName
    organisation: Named
    about_person: Named | None


@dataclass(frozen=True, slots=True)
class ActionRow:
    case_id: int
    description: str
    due_on: date
    status: str
    owner: Named | None
    owner_organisation: Named


@dataclass
class PacketItem:
    item: AgendaItem
    visible: bool
    explanation: str = ""
    case: Case | None = None
    members: list = field(default_factory=list)
    contributions: list = field(default_factory=list)  # the latest CONTRIBUTIONS_PER_CASE
    contribution_count: int = 0  # all the viewer may read in the dossier
    late_actions: list = field(default_factory=list)
    evaluation: object = None
    plan: object = None
    escalation: Escalation | None = None


@dataclass
class Packet:
    meeting: Meeting
    viewer: object
    items: list[PacketItem]

    @property
    def total_minutes(self) -> int:
        return sum(i.item.minutes for i in self.items)

    @property
    def case_ids(self) -> list[int]:
        return [i.case.pk for i in self.items if i.case is not None]


def withhold_unshared(*, viewer, contributions: QuerySet, case_ids=None) -> QuerySet:
    """THE consent filter of the packet: information about a person reaches the viewer's
    organisation only under that person's consent or a legal basis (METHOD.md §4).

    Uses the consent module's bulk condition when that module is installed, its
    subqueries bounded to ``case_ids`` when given (the cases the packet reads).
    """
    if not apps.is_installed("ketenplan.consent"):
        return contributions
    from ketenplan.consent.policy import visible_contributions_q

    return contributions.filter(visible_contributions_q(viewer, within=case_ids))


def readable_contributions(*, viewer, case_ids) -> QuerySet:
    """The current contributions of ``case_ids`` that ``viewer`` may read in the dossier.

    ``case_ids`` must be cases the viewer's organisation takes part in (the packet passes
    those of ``visible_cases`` with ``viewer_participates``): with that, this is the
    ``dossier.view_contribution`` scope, whose participation condition the caller has
    already decided per case and whose consent condition is ``withhold_unshared``, bounded
    to these cases so that its cost follows the agenda, not the region (a test compares
    it with the scope).
    """
    Contribution = apps.get_model("dossier", "Contribution")
    if not policy.can(viewer, "dossier.use"):
        return Contribution.objects.none()
    rows = Contribution.objects.filter(case_id__in=list(case_ids), is_current=True)
    return withhold_unshared(viewer=viewer, contributions=rows, case_ids=case_ids)


def packet_for(*, user, meeting: Meeting) -> Packet:
    """Build the packet as ``user`` may see it (no audit: see ``packet_open``)."""
    policy.require(user, "meetings.read_packet", meeting)
    Contribution = apps.get_model("dossier", "Contribution")
    Action = apps.get_model("plans", "Action")
    Evaluation = apps.get_model("plans", "Evaluation")
    PlanVersion = apps.get_model("plans", "PlanVersion")
    Goal = apps.get_model("plans", "Goal")

    items = list(
        AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("position", "pk")
    )
    case_ids = {i.case_id for i in items if i.case_id is not None}
    cases = {}
    if case_ids:
        cases = {
            c.pk: c
            for c in visible_cases(user=user)
            .filter(pk__in=case_ids)
            .select_related("referring_organisation", "case_director__organisation")
            .only(*CASE_FIELDS)
        }
    seen = sorted(cases)
    # The dossier is read only where the viewer's organisation takes part in the case
    # (``viewer_participates``, the condition of the ``dossier.view_contribution`` scope);
    # a case seen through emergency access shows no contributions.
    participating = [pk for pk in seen if cases[pk].viewer_participates]

    members = defaultdict(list)
    contributions = defaultdict(list)
    contribution_counts: dict[int, int] = {}
    if seen:
        for case_id, roles, given, prefix, family in (
            CaseMember.objects.filter(case_id__in=seen)
            .order_by("added_at", "pk")
            .values_list("case_id", "roles", *(f"person__{f}" for f in PERSON_NAME_FIELDS))
        ):
            members[case_id].append(MemberRow(case_id, Named(_full_name(given, prefix, family)), roles))
    if participating:
        readable = readable_contributions(viewer=user, case_ids=participating)
        newest_first = ("-occurred_on", "-created_at", "-pk")
        # The latest few per case, and how many the viewer may read in all: the keys of
        # every readable contribution (small rows), then the few shown in full.
        latest = []
        for pk, case_id in readable.order_by("case_id", *newest_first).values_list("pk", "case_id"):
            count = contribution_counts[case_id] = contribution_counts.get(case_id, 0) + 1
            if count <= CONTRIBUTIONS_PER_CASE:
                latest.append(pk)
        if latest:
            organisations: dict[str, Named] = {}
            domains: dict[tuple, LifeDomainName] = {}
            for row in (
                Contribution.objects.filter(pk__in=latest)
                .order_by("case_id", *newest_first)
                .values_list(
                    "pk",
                    "case_id",
                    "text",
                    "occurred_on",
                    "created_at",
                    "life_domain__name_nl",
                    "life_domain__name_en",
                    "organisation__name",
                    "about_person_id",
                    *(f"about_person__{f}" for f in PERSON_NAME_FIELDS),
                )
            ):
                pk, case_id, text, occurred_on, created_at, nl, en, org, about, *name = row
                domain = domains.get((nl, en)) or domains.setdefault((nl, en), LifeDomainName(nl, en))
                contributions[case_id].append(
                    ContributionRow(
                        pk=pk,
                        case_id=case_id,
                        text=text,
                        occurred_on=occurred_on,
                        created_at=created_at,
                        life_domain=domain,
                        organisation=organisations.get(org) or organisations.setdefault(org, Named(org)),
                        about_person=Named(_full_name(*name)) if about is not None else None,
                    )
                )

    def wanted(kind, attribute):
        return {
            getattr(i, attribute)
            for i in items
            if i.kind == kind and i.case_id in cases and getattr(i, attribute)
        }

    late_case_ids = {
        i.case_id for i in items if i.kind == AgendaItem.Kind.LATE_ACTIONS and i.case_id in cases
    }
    late = defaultdict(list)
    if late_case_ids:
        day = meeting.local_start.date()
        for case_id, description, due_on, status, owner_id, owner, organisation in (
            Action.objects.filter(case_id__in=late_case_ids, status__in=Action.OPEN_STATUSES, due_on__lt=day)
            .order_by("due_on", "pk")
            .values_list(
                "case_id",
                "description",
                "due_on",
                "status",
                "owner_id",
                "owner__full_name",
                "owner_organisation__name",
            )
        ):
            late[case_id].append(
                ActionRow(
                    case_id=case_id,
                    description=description,
                    due_on=due_on,
                    status=status,
                    owner=Named(owner) if owner_id is not None else None,
                    owner_organisation=Named(organisation),
                )
            )
    evaluation_ids = wanted(AgendaItem.Kind.EVALUATION, "evaluation_id")
    evaluations = {}
    if evaluation_ids:
        evaluations = {
            e.pk: e
            for e in Evaluation.objects.filter(pk__in=evaluation_ids).only("case_id", "name", "due_on")
        }
    plan_ids = wanted(AgendaItem.Kind.PLAN, "plan_version_id")
    plans = {}
    if plan_ids:
        goals = Goal.objects.select_related(
            "life_domain", "responsible_organisation", "responsible_professional"
        )
        plans = {
            p.pk: p
            for p in PlanVersion.objects.filter(pk__in=plan_ids).prefetch_related(
                Prefetch("goals", queryset=goals.order_by("order", "pk"))
            )
        }
    escalation_ids = wanted(AgendaItem.Kind.ESCALATION, "escalation_id")
    escalations = (
        {
            e.pk: e
            for e in Escalation.objects.filter(pk__in=escalation_ids).select_related(
                "raised_by", "organisation", "action__owner_organisation"
            )
        }
        if escalation_ids
        else {}
    )

    explanations = {kind: str(text) for kind, text in EXPLANATIONS.items()}  # translated once
    entries = []
    for item in items:
        visible = item.case_id is None or item.case_id in cases
        entry = PacketItem(item=item, visible=visible, explanation=explanations.get(item.kind, ""))
        if visible and item.case_id is not None:
            entry.case = cases[item.case_id]
            entry.members = members.get(item.case_id, [])
            entry.contributions = contributions.get(item.case_id, [])
            entry.contribution_count = contribution_counts.get(item.case_id, 0)
            entry.late_actions = late.get(item.case_id, [])
            entry.evaluation = evaluations.get(item.evaluation_id)
            entry.plan = plans.get(item.plan_version_id)
            entry.escalation = escalations.get(item.escalation_id)
        entries.append(entry)
    return Packet(meeting=meeting, viewer=user, items=entries)


@transaction.atomic
def packet_open(*, user, meeting: Meeting, request=None) -> Packet:
    """The packet, with the reading recorded in the audit trail under the purpose
    "meeting preparation": one row per case shown, one for the meeting."""
    packet = packet_for(user=user, meeting=meeting)
    audit_record_many(
        action="meetings.packet_read",
        actor=user,
        request=request,
        object_type="cases.case",
        object_ids=packet.case_ids,
        purpose=AuditEvent.Purpose.MEETING,
        detail={"meeting": meeting.pk},
    )
    audit_record(
        action="meetings.packet_opened",
        actor=user,
        request=request,
        obj=meeting,
        purpose=AuditEvent.Purpose.MEETING,
        detail={"cases": packet.case_ids},
    )
    return packet
