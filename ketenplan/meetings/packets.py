"""The preparation packet: per attendee, for each agenda item, what that attendee's
organisation may see — never more.

Everything about a case is read from the policy's scopes *with the viewer's user*: the
case from ``visible_cases``, contributions from the ``dossier.view_contribution`` scope,
narrowed once more by ``withhold_unshared`` (the consent rules of METHOD.md §4). An item
about a case the viewer may not see shows only "a case of another organisation" and the
time it takes. A fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record
from ketenplan.cases.models import Case, CaseMember
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
    "repeat_of__reference",
)
PERSON_NAME_FIELDS = ("given_names", "name_prefix", "family_name")
#: The packet shows the latest contributions of each case; the dossier holds them all.
CONTRIBUTIONS_PER_CASE = 5


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


def withhold_unshared(*, viewer, contributions: QuerySet) -> QuerySet:
    """THE consent filter of the packet: information about a person reaches the viewer's
    organisation only under that person's consent or a legal basis (METHOD.md §4).

    Uses the consent module's bulk condition when that module is installed; the
    dossier scope the contributions come from may already apply it, which is harmless.
    """
    if not apps.is_installed("ketenplan.consent"):
        return contributions
    from ketenplan.consent.policy import visible_contributions_q

    return contributions.filter(visible_contributions_q(viewer))


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
            .select_related("referring_organisation", "case_director__organisation", "repeat_of")
            .only(*CASE_FIELDS)
        }
    seen = list(cases)

    members = defaultdict(list)
    contributions = defaultdict(list)
    contribution_counts: dict[int, int] = {}
    if seen:
        for member in (
            CaseMember.objects.filter(case_id__in=seen)
            .select_related("person")
            .only("case_id", "roles", *(f"person__{f}" for f in PERSON_NAME_FIELDS))
            .order_by("added_at", "pk")
        ):
            members[member.case_id].append(member)
        readable = policy.scope(
            user, "dossier.view_contribution", Contribution.objects.filter(case_id__in=seen, is_current=True)
        )
        readable = withhold_unshared(viewer=user, contributions=readable)
        # The latest few per case, and how many the viewer may read in all (one query).
        newest_first = [F("occurred_on").desc(), F("created_at").desc(), F("pk").desc()]
        latest = (
            readable.annotate(
                rank=Window(RowNumber(), partition_by=[F("case_id")], order_by=newest_first),
                readable_count=Window(Count("pk"), partition_by=[F("case_id")]),
            )
            .filter(rank__lte=CONTRIBUTIONS_PER_CASE)
            .select_related("life_domain", "organisation", "about_person")
            .only(
                "case_id",
                "text",
                "occurred_on",
                "created_at",
                "life_domain__key",
                "life_domain__name_nl",
                "life_domain__name_en",
                "organisation__name",
                *(f"about_person__{f}" for f in PERSON_NAME_FIELDS),
            )
            .order_by("case_id", "rank")
        )
        for contribution in latest:
            contributions[contribution.case_id].append(contribution)
            contribution_counts[contribution.case_id] = contribution.readable_count

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
        for action in (
            Action.objects.filter(case_id__in=late_case_ids, status__in=Action.OPEN_STATUSES, due_on__lt=day)
            .select_related("owner", "owner_organisation")
            .only(
                "case_id", "description", "due_on", "status", "owner__full_name", "owner_organisation__name"
            )
            .order_by("due_on", "pk")
        ):
            late[action.case_id].append(action)
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
    for case_id in packet.case_ids:
        audit_record(
            action="meetings.packet_read",
            actor=user,
            request=request,
            object_type="cases.case",
            object_id=case_id,
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
