"""The preparation packet: per attendee, for each agenda item, what that attendee's
organisation may see — never more.

Everything about a case is read through the policy *with the viewer's user*: the case
from ``visible_cases``, contributions as the ``dossier.view_contribution`` scope allows
(``readable_contributions``: the cases the viewer's organisation takes part in, narrowed
by ``withhold_unshared``, the consent rules of METHOD.md §4, bounded to the agenda's
cases). An item about a case the viewer may not see shows only "a case of another
organisation" and the time it takes. A fixed number of queries, whatever the number of
items or cases in the region: one per part (``agenda_rows``, ``visible_case_rows``,
``member_rows``, ``latest_readable_contributions`` two, ``late_action_rows``,
``evaluation_rows``, ``draft_plans`` two, ``escalations_by_key``), none for a part the
packet does not show.

Each packet is built on its own, for one viewer, from the database: nothing read for
one attendee is kept for another or for a later request (only the translated choice
labels are kept, per language). Its cost is mostly the fixed cost of each query (the
ORM building and compiling it, the database planning it), so the parts are plain rows
(``values_list``), not model instances, and each part is one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.apps import apps
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import translation

from ketenplan.audit.models import AuditEvent
from ketenplan.audit.services import audit_record, audit_record_many
from ketenplan.cases.models import CaseMember, MemberRole, RiskLevel, Stage, ViolenceKind
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
    "case_director_id",
    "case_director__full_name",
    "case_director__organisation__name",
)
#: What the packet shows of an agenda item.
ITEM_FIELDS = (
    "pk",
    "kind",
    "case_id",
    "title",
    "minutes",
    "urgent",
    "plan_version_id",
    "evaluation_id",
    "escalation_id",
)
PERSON_NAME_FIELDS = ("given_names", "name_prefix", "family_name")
#: The packet shows the latest contributions of each case; the dossier holds them all.
CONTRIBUTIONS_PER_CASE = 5


# What the packet shows — agenda items, cases, members, contributions, late actions,
# evaluations — are plain rows with the attributes the packet's template reads, not model
# instances: a coordinator's packet lists thousands of them, and building models with
# their related objects was most of its cost (issue 6). Choice labels are translated once
# per packet (``Labels``), not once per row.


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


class NamedOnce(dict):
    """One ``Named`` per name: the rows of a packet name the same organisations again and
    again."""

    def __missing__(self, name: str) -> Named:
        named = self[name] = Named(name)
        return named


@dataclass(frozen=True, slots=True)
class Staff:
    """A professional with their organisation (a case director)."""

    name: str
    organisation: Named

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


class Labels:
    """The choice labels the packet shows, translated once per language (``current_labels``)."""

    def __init__(self):
        self.kind = {value: str(label) for value, label in AgendaItem.Kind.choices}
        self.stage = {value: str(label) for value, label in Stage.choices}
        self.risk_level = {value: str(label) for value, label in RiskLevel.choices}
        self.violence = {value: str(label) for value, label in ViolenceKind.choices}
        self.member_role = {value: str(label) for value, label in MemberRole.choices}
        self.explanation = {kind: str(text) for kind, text in EXPLANATIONS.items()}


@lru_cache(maxsize=8)
def _labels_in(language: str | None) -> Labels:
    return Labels()


def current_labels() -> Labels:
    """The labels in the active language (translations only: nothing about a case)."""
    return _labels_in(translation.get_language())


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An agenda item as the packet shows it."""

    pk: int
    kind: str
    case_id: int | None
    title: str
    minutes: int
    urgent: bool
    plan_version_id: int | None
    evaluation_id: int | None
    escalation_id: int | None
    kind_label: str

    def get_kind_display(self) -> str:
        return self.kind_label


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as the packet shows it; ``viewer_participates`` as ``visible_cases`` says."""

    pk: int
    region_id: int
    reference: str
    family_label: str
    stage: str
    registered_at: datetime
    reason: str
    crisis_measures: str
    violence_kinds: list
    is_repeat: bool
    risk_level: str
    referring_organisation: Named
    case_director: Staff | None
    viewer_participates: bool
    labels: Labels

    def get_stage_display(self) -> str:
        return self.labels.stage.get(self.stage, self.stage)

    def get_risk_level_display(self) -> str:
        return self.labels.risk_level.get(self.risk_level, self.risk_level)

    def get_violence_kinds_display(self) -> list[str]:
        """As ``cases.Case.get_violence_kinds_display``."""
        return [self.labels.violence.get(k, k) for k in self.violence_kinds]


@dataclass(frozen=True, slots=True)
class MemberRow:
    case_id: int
    person_id: int
    person: Named
    roles: list
    labels: Labels

    def get_roles_display(self) -> list[str]:
        """As ``cases.CaseMember.get_roles_display``."""
        return [self.labels.member_role.get(r, r) for r in self.roles]


@dataclass(frozen=True, slots=True)
class ContributionRow:
    pk: int
    case_id: int
    text: str
    occurred_on: date
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


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    pk: int
    case_id: int
    name: str
    due_on: date


@dataclass
class PacketItem:
    item: ItemRow
    visible: bool
    explanation: str = ""
    case: CaseRow | None = None
    members: list = field(default_factory=list)
    contributions: list = field(default_factory=list)  # the latest CONTRIBUTIONS_PER_CASE
    contribution_count: int = 0  # all the viewer may read in the dossier
    late_actions: list = field(default_factory=list)
    evaluation: EvaluationRow | None = None
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


# --- The parts of a packet ----------------------------------------------------------------
#
# What does not depend on the viewer (the agenda, and of the cases the viewer may see:
# members, late actions, evaluations, plans, escalations) is read by the helpers below
# from keys alone; what does — which cases, whether the viewer's organisation takes part,
# which contributions — only through the policy with the viewer's user. Each is one query
# (plans two) whatever the number of items, and none when it has nothing to read.


def agenda_rows(meeting: Meeting, labels: Labels) -> list[ItemRow]:
    """The meeting's agenda items in their order (removed ones left out)."""
    return [
        ItemRow(*row, labels.kind.get(row[1], row[1]))
        for row in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        .order_by("position", "pk")
        .values_list(*ITEM_FIELDS)
    ]


def visible_case_rows(user, case_ids, labels: Labels) -> dict[int, CaseRow]:
    """Of ``case_ids``, the cases ``user`` may see (``visible_cases``), by key."""
    if not case_ids:
        return {}
    organisations = NamedOnce()

    cases = {}
    for row in (
        visible_cases(user=user)
        .filter(pk__in=sorted(case_ids))
        .order_by()
        .values_list(*CASE_FIELDS, "viewer_participates")
    ):
        *fields, referrer, director_id, director, director_organisation, participates = row
        cases[fields[0]] = CaseRow(
            *fields,
            referring_organisation=organisations[referrer],
            case_director=(
                Staff(director, organisations[director_organisation]) if director_id is not None else None
            ),
            viewer_participates=bool(participates),
            labels=labels,
        )
    return cases


def member_rows(case_ids, labels: Labels) -> dict[int, list[MemberRow]]:
    """The members of each case, oldest first."""
    members = defaultdict(list)
    if case_ids:
        for case_id, roles, person_id, given, prefix, family in (
            CaseMember.objects.filter(case_id__in=sorted(case_ids))
            .order_by("added_at", "pk")
            .values_list("case_id", "roles", "person_id", *(f"person__{f}" for f in PERSON_NAME_FIELDS))
        ):
            members[case_id].append(
                MemberRow(case_id, person_id, Named(_full_name(given, prefix, family)), roles, labels)
            )
    return members


def person_names(members: dict[int, list[MemberRow]]) -> dict[int, Named]:
    """The name of every member of the packet's cases, by person key."""
    return {m.person_id: m.person for rows in members.values() for m in rows}


def latest_readable_contributions(
    user, case_ids, names: dict[int, Named]
) -> tuple[dict[int, list], dict[int, int]]:
    """Of each of ``case_ids`` (cases the viewer's organisation takes part in), the latest
    ``CONTRIBUTIONS_PER_CASE`` contributions ``user`` may read, and how many they may read
    in all: the keys of every readable contribution (small rows), then the few shown in
    full. The person a contribution is about is a member of its case (the dossier
    allows no other), named from ``names`` (``person_names``): joining the persons
    table here let PostgreSQL hash all of a region's persons for a few hundred rows."""
    contributions = defaultdict(list)
    counts: dict[int, int] = {}
    if not case_ids:
        return contributions, counts
    Contribution = apps.get_model("dossier", "Contribution")
    readable = readable_contributions(viewer=user, case_ids=sorted(case_ids))
    newest_first = ("-occurred_on", "-created_at", "-pk")
    latest = []
    for pk, case_id in readable.order_by("case_id", *newest_first).values_list("pk", "case_id"):
        count = counts[case_id] = counts.get(case_id, 0) + 1
        if count <= CONTRIBUTIONS_PER_CASE:
            latest.append(pk)
    if not latest:
        return contributions, counts
    rows = list(
        Contribution.objects.filter(pk__in=latest)
        .order_by("case_id", *newest_first)
        .values_list(
            "pk",
            "case_id",
            "text",
            "occurred_on",
            "life_domain__name_nl",
            "life_domain__name_en",
            "organisation__name",
            "about_person_id",
        )
    )
    missing = {row[-1] for row in rows if row[-1] is not None} - set(names)
    if missing:  # no member (any more): named from the persons table after all
        Person = apps.get_model("persons", "Person")
        found = Person.objects.filter(pk__in=sorted(missing)).values_list("pk", *PERSON_NAME_FIELDS)
        names = names | {pk: Named(_full_name(*name)) for pk, *name in found}
    organisations = NamedOnce()
    domains: dict[tuple, LifeDomainName] = {}
    for pk, case_id, text, occurred_on, nl, en, org, about in rows:
        domain = domains.get((nl, en)) or domains.setdefault((nl, en), LifeDomainName(nl, en))
        contributions[case_id].append(
            ContributionRow(
                pk=pk,
                case_id=case_id,
                text=text,
                occurred_on=occurred_on,
                life_domain=domain,
                organisation=organisations[org],
                about_person=names[about] if about is not None else None,
            )
        )
    return contributions, counts


def late_action_rows(meeting: Meeting, case_ids) -> dict[int, list[ActionRow]]:
    """The open actions of each case past their due date on the day of the meeting."""
    late = defaultdict(list)
    if not case_ids:
        return late
    Action = apps.get_model("plans", "Action")
    organisations = NamedOnce()
    for case_id, description, due_on, status, owner_id, owner, organisation in (
        Action.objects.filter(
            case_id__in=sorted(case_ids),
            status__in=Action.OPEN_STATUSES,
            due_on__lt=meeting.local_start.date(),
        )
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
                owner_organisation=organisations[organisation],
            )
        )
    return late


def evaluation_rows(evaluation_ids) -> dict[int, EvaluationRow]:
    if not evaluation_ids:
        return {}
    Evaluation = apps.get_model("plans", "Evaluation")
    return {
        row[0]: EvaluationRow(*row)
        for row in Evaluation.objects.filter(pk__in=sorted(evaluation_ids))
        .order_by()
        .values_list("pk", "case_id", "name", "due_on")
    }


def draft_plans(plan_ids) -> dict:
    """The plan versions with their goals (the goals' life domain and who is responsible)."""
    if not plan_ids:
        return {}
    PlanVersion = apps.get_model("plans", "PlanVersion")
    Goal = apps.get_model("plans", "Goal")
    goals = Goal.objects.select_related("life_domain", "responsible_organisation", "responsible_professional")
    return {
        p.pk: p
        for p in PlanVersion.objects.filter(pk__in=sorted(plan_ids)).prefetch_related(
            Prefetch("goals", queryset=goals.order_by("order", "pk"))
        )
    }


def escalations_by_key(escalation_ids) -> dict:
    if not escalation_ids:
        return {}
    return {
        e.pk: e
        for e in Escalation.objects.filter(pk__in=sorted(escalation_ids)).select_related(
            "raised_by", "organisation", "action__owner_organisation"
        )
    }


def packet_for(*, user, meeting: Meeting) -> Packet:
    """Build the packet as ``user`` may see it (no audit: see ``packet_open``)."""
    policy.require(user, "meetings.read_packet", meeting)
    labels = current_labels()
    items = agenda_rows(meeting, labels)
    cases = visible_case_rows(user, {i.case_id for i in items if i.case_id is not None}, labels)
    # The dossier is read only where the viewer's organisation takes part in the case
    # (``viewer_participates``, the condition of the ``dossier.view_contribution`` scope);
    # a case seen through emergency access shows no contributions.
    members = member_rows(cases, labels)
    contributions, contribution_counts = latest_readable_contributions(
        user, [pk for pk, case in cases.items() if case.viewer_participates], person_names(members)
    )
    shown = [i for i in items if i.case_id in cases]

    def wanted(kind, attribute):
        return {getattr(i, attribute) for i in shown if i.kind == kind and getattr(i, attribute)}

    late = late_action_rows(meeting, {i.case_id for i in shown if i.kind == AgendaItem.Kind.LATE_ACTIONS})
    evaluations = evaluation_rows(wanted(AgendaItem.Kind.EVALUATION, "evaluation_id"))
    plans = draft_plans(wanted(AgendaItem.Kind.PLAN, "plan_version_id"))
    escalations = escalations_by_key(wanted(AgendaItem.Kind.ESCALATION, "escalation_id"))

    entries = []
    for item in items:
        visible = item.case_id is None or item.case_id in cases
        entry = PacketItem(item=item, visible=visible, explanation=labels.explanation.get(item.kind, ""))
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
