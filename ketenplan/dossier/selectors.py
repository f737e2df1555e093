"""Reads of the dossier, always starting from the access policy's scope.

``case_contributions`` is the one way to list contributions (pages, API, exports, meeting
packets): it starts from the ``dossier.view_contribution`` scope, so the consent rules
that narrow who sees information about a person apply everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case as DbCase
from django.db.models import Prefetch, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ketenplan.accounts.models import Organisation
from ketenplan.cases.models import Case, Stage
from ketenplan.core import policy
from ketenplan.methods.models import LifeDomain
from ketenplan.methods.selectors import active_life_domains
from ketenplan.persons.models import Person

from .models import Attachment, Contribution, InformationRequest

# --- Contributions ----------------------------------------------------------------------


def _with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("life_domain", "organisation", "author", "about_person").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk"))
    )


def case_contributions(
    *,
    user,
    case: Case,
    include_history: bool = False,
    life_domain: LifeDomain | int | None = None,
    about_person: Person | int | None = None,
    organisation: Organisation | int | None = None,
) -> QuerySet[Contribution]:
    """The contributions of ``case`` that ``user`` may read: the current versions, or
    every version with ``include_history``; optionally filtered."""
    policy.require(user, "dossier.view", case)
    qs = policy.scope(user, "dossier.view_contribution", Contribution.objects.filter(case=case))
    if not include_history:
        qs = qs.filter(is_current=True)
    if life_domain:
        qs = qs.filter(life_domain=life_domain)
    if about_person:
        qs = qs.filter(about_person=about_person)
    if organisation:
        qs = qs.filter(organisation=organisation)
    return _with_related(qs).order_by("-occurred_on", "-created_at", "-pk")


@dataclass
class ContributionEntry:
    """A current contribution with its earlier versions (newest first)."""

    contribution: Contribution
    history: list[Contribution] = field(default_factory=list)
    can_correct: bool = False


@dataclass
class DomainGroup:
    life_domain: LifeDomain
    entries: list[ContributionEntry]


@dataclass
class DossierContributions:
    """Every current contribution the user may read, with its history."""

    entries: list[ContributionEntry]
    organisations: list[Organisation]  # every organisation that contributed (for the filter)
    withheld: int = 0  # current contributions about persons whose consent does not cover us

    @property
    def total(self) -> int:
        return len(self.entries)

    def groups(
        self,
        *,
        life_domain: int | None = None,
        about_person: int | None = None,
        organisation: int | None = None,
    ) -> list[DomainGroup]:
        """The entries matching the filters, grouped per life domain in the method's order."""
        groups: dict[int, DomainGroup] = {}
        for entry in self.entries:
            c = entry.contribution
            if (
                (life_domain and c.life_domain_id != life_domain)
                or (about_person and c.about_person_id != about_person)
                or (organisation and c.organisation_id != organisation)
            ):
                continue
            groups.setdefault(c.life_domain_id, DomainGroup(c.life_domain, [])).entries.append(entry)
        return sorted(groups.values(), key=lambda g: (g.life_domain.order, g.life_domain.key))


def _history(contribution: Contribution, by_id: dict[int, Contribution]) -> list[Contribution]:
    history, seen = [], {contribution.pk}
    earlier_id = contribution.supersedes_id
    while earlier_id is not None and earlier_id in by_id and earlier_id not in seen:
        earlier = by_id[earlier_id]
        history.append(earlier)
        seen.add(earlier_id)
        earlier_id = earlier.supersedes_id
    return history


def dossier_contributions(*, user, case: Case) -> DossierContributions:
    """The dossier page's contributions, each with its earlier versions and whether
    ``user`` may correct it. Two queries, however many contributions there are."""
    rows = list(case_contributions(user=user, case=case, include_history=True))
    by_id = {c.pk: c for c in rows}
    organisations: dict[int, Organisation] = {}
    entries = []
    for contribution in rows:
        contribution.case = case  # the policy's per-object rules need no query
        organisations[contribution.organisation_id] = contribution.organisation
        if contribution.is_current:
            entries.append(
                ContributionEntry(
                    contribution=contribution,
                    history=_history(contribution, by_id),
                    can_correct=policy.can(user, "dossier.correct_contribution", contribution),
                )
            )
    withheld = (
        Contribution.objects.filter(case=case, is_current=True)
        .exclude(pk__in=[e.contribution.pk for e in entries])
        .count()
    )
    return DossierContributions(
        entries=entries,
        organisations=sorted(organisations.values(), key=lambda o: o.name),
        withheld=withheld,
    )


def contribution_get(*, user, case: Case, pk: int) -> Contribution:
    """One version of a contribution of ``case`` as ``user`` may read it, or "not found"."""
    try:
        contribution = case_contributions(user=user, case=case, include_history=True).get(pk=pk)
    except (Contribution.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    contribution.case = case
    return contribution


def contribution_versions(*, user, contribution: Contribution) -> list[Contribution]:
    """Every readable version of the contribution's thread, newest first."""
    rows = list(case_contributions(user=user, case=contribution.case, include_history=True))
    by_id = {c.pk: c for c in rows}
    newer = {c.supersedes_id: c for c in rows if c.supersedes_id is not None}
    newest = by_id.get(contribution.pk, contribution)
    while newest.pk in newer:
        newest = newer[newest.pk]
    versions = [newest, *_history(newest, by_id)]
    for version in versions:
        version.case = contribution.case
    return versions


def life_domain_choices() -> QuerySet[LifeDomain]:
    """The life domains a contribution can be filed under (reference data)."""
    return active_life_domains().order_by("order", "key")


def case_persons(*, user, case: Case) -> QuerySet[Person]:
    """The family members of the case, for the "about" choices."""
    policy.require(user, "dossier.view", case)
    return Person.objects.filter(case_memberships__case=case).order_by("family_name", "given_names", "pk")


def contribution_attachments(*, user, contribution: Contribution) -> QuerySet[Attachment]:
    policy.require(user, "dossier.view_contribution", contribution)
    return contribution.attachments.order_by("uploaded_at", "pk")


# --- Attachments ------------------------------------------------------------------------


def attachment_get(*, user, case: Case, pk: int) -> Attachment:
    """A document of ``case`` that ``user`` may download, or "not found"."""
    policy.require(user, "dossier.view", case)
    qs = policy.scope(
        user, "dossier.download_attachment", Attachment.objects.filter(case=case)
    ).select_related("contribution")
    try:
        attachment = qs.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    attachment.case = case
    if attachment.contribution is not None:
        attachment.contribution.case = case
    return attachment


# --- Information requests ---------------------------------------------------------------


def _requests(user) -> QuerySet[InformationRequest]:
    """The requests ``user`` may see, each marked ``answer_shared``: whether the answer
    may reach the user (``dossier.read_answer``)."""
    from .policy import answer_visibility_q

    return (
        policy.scope(user, "dossier.view_request", InformationRequest.objects.all())
        .annotate(
            answer_shared=DbCase(When(answer_visibility_q(user), then=Value(True)), default=Value(False))
        )
        .select_related(
            "to_organisation", "requested_by__organisation", "about_person", "answered_by", "updated_by"
        )
    )


def withhold_answer(request_obj: InformationRequest) -> InformationRequest:
    """Blank the answer the viewer may not read (``answer_shared`` from ``_requests``);
    ``answer_withheld`` says that one exists. The object is for reading only."""
    request_obj.answer_withheld = bool(request_obj.answer) and not request_obj.answer_shared
    if request_obj.answer_withheld:
        request_obj.answer = str(ANSWER_WITHHELD)
    return request_obj


ANSWER_WITHHELD = gettext_lazy(
    "The answer is about a person whose consent (or a legal basis) does not cover your "
    "organisation: only the organisation that answered can read it."
)


def case_information_requests(*, user, case: Case) -> list[InformationRequest]:
    """The requests of a case, open ones first, then by due date."""
    policy.require(user, "dossier.view", case)
    rows = list(_requests(user).filter(case=case).order_by("due_on", "pk"))
    for row in rows:
        row.case = case
        withhold_answer(row)
    return sorted(rows, key=lambda r: r.status not in InformationRequest.OPEN_STATUSES)


def information_request_get(*, user, pk: int) -> InformationRequest:
    """One request as ``user`` may see it (a participant of its case, or the addressed
    organisation), or "not found"."""
    try:
        request_obj = _requests(user).select_related("case", "case__region").get(pk=pk)
    except (InformationRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return withhold_answer(request_obj)


INBOX_OPEN = "open"
INBOX_ALL = "all"


def _still_open(requests: QuerySet[InformationRequest]) -> QuerySet[InformationRequest]:
    """The open ones of ``requests`` (of cases still open), by due date."""
    return (
        requests.filter(status__in=InformationRequest.OPEN_STATUSES)
        .exclude(case__stage=Stage.CLOSED)
        .order_by("due_on", "pk")
    )


def requests_to_my_organisation(*, user, status: str = INBOX_OPEN) -> QuerySet[InformationRequest]:
    """Requests addressed to the user's organisation: open ones (of cases still open) by
    due date, or all of them, most recent first."""
    policy.require(user, "dossier.view_inbox")
    qs = _requests(user).filter(to_organisation_id=user.organisation_id).select_related("case")
    if status == INBOX_OPEN:
        return _still_open(qs)
    return qs.order_by("-requested_at", "-pk")


def open_requests_to_my_organisation(*, user) -> QuerySet[InformationRequest]:
    """The open requests to the user's organisation, as a work list ("My work") shows
    them: due date, question and case, by due date. Not the answer (which is not
    there yet, and whose visibility ``requests_to_my_organisation`` decides)."""
    policy.require(user, "dossier.view_inbox")
    addressed = policy.scope(user, "dossier.view_request", InformationRequest.objects.all()).filter(
        to_organisation_id=user.organisation_id
    )
    return (
        _still_open(addressed)
        .select_related("case")
        .only("due_on", "status", "question", "case__reference")
    )


def request_recipients(*, user, case: Case) -> QuerySet[Organisation]:
    """Organisations the user may ask: of the case's region, with a signed agreement,
    not the user's own."""
    policy.require(user, "dossier.view", case)
    return (
        Organisation.objects.filter(
            region_id=case.region_id,
            agreement_signed_on__isnull=False,
            agreement_signed_on__lte=timezone.localdate(),
        )
        .exclude(pk=user.organisation_id)
        .order_by("name")
    )
