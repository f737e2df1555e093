"""Reads for the consent pages, always starting from the access policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ketenplan.accounts.models import Organisation
from ketenplan.cases.models import Case, CaseMember
from ketenplan.cases.selectors import case_get
from ketenplan.core import policy

from . import policy as consent_policy
from .models import Consent, ConsentStatus, EmergencyAccess, LegalBasis


@dataclass
class PersonState:
    """What the team needs to know about sharing information on one family member."""

    member: CaseMember
    current: Consent | None = None
    history: list[Consent] = field(default_factory=list)
    legal_bases: list[LegalBasis] = field(default_factory=list)
    active_legal_basis: LegalBasis | None = None
    shared_with_viewer: bool = False
    age: int | None = None

    @property
    def person(self):
        return self.member.person

    @property
    def status(self) -> str:
        return self.current.status if self.current else ConsentStatus.NOT_ASKED

    @property
    def status_label(self) -> str:
        return str(ConsentStatus(self.status).label)

    @property
    def deliberately_not_asked(self) -> Consent | None:
        if self.current is not None and self.current.status == ConsentStatus.NOT_ASKED:
            return self.current
        return None

    @property
    def consent_given(self) -> bool:
        return self.current is not None and self.current.status == ConsentStatus.GIVEN


def age_on(birth_date, day) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def consent_case_get(*, user, pk: int) -> Case:
    """The case, when the user may see its consent records; "not found" otherwise."""
    policy.require(user, "consent.use")
    case = case_get(user=user, pk=pk)
    policy.require(user, "consent.view", case)
    return case


def member_get(*, user, case: Case, member_pk: int) -> CaseMember:
    policy.require(user, "consent.view", case)
    try:
        return case.members.select_related("person").get(pk=member_pk)
    except (CaseMember.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_states(*, user, case: Case, at: datetime | None = None) -> list[PersonState]:
    """Per family member: the current consent, its history, legal bases, and whether
    information about them reaches the viewer's organisation. A fixed number of queries,
    whatever the size of the family or the length of the history."""
    policy.require(user, "consent.view", case)
    members = list(case.members.select_related("person").order_by("added_at", "pk"))
    consents = list(
        policy.scope(user, "consent.view", Consent.objects.filter(case=case))
        .select_related(
            "recorded_by",
            "recorded_by_organisation",
            "given_by__person",
            "protects__person",
            "evidence_attachment",
        )
        .prefetch_related("organisations")
        .order_by("-recorded_at", "-pk")
    )
    bases = list(
        LegalBasis.objects.filter(case=case)
        .select_related("recorded_by", "ended_by")
        .order_by("-recorded_at", "-pk")
    )
    shared = consent_policy.sharing_map(case, user.organisation_id, at)
    by_person: dict[int, list[Consent]] = defaultdict(list)
    for row in consents:
        by_person[row.person_id].append(row)
    bases_by_person: dict[int, list[LegalBasis]] = defaultdict(list)
    for basis in bases:
        bases_by_person[basis.person_id].append(basis)
    today = timezone.localdate()
    states = []
    for member in members:
        history = by_person.get(member.person_id, [])
        person_bases = bases_by_person.get(member.person_id, [])
        states.append(
            PersonState(
                member=member,
                current=history[0] if history else None,
                history=history,
                legal_bases=person_bases,
                active_legal_basis=next((b for b in person_bases if b.is_active(at)), None),
                shared_with_viewer=shared.get(member.person_id, False),
                age=age_on(member.person.birth_date, today),
            )
        )
    return states


def person_state(*, user, case: Case, member: CaseMember) -> PersonState:
    for state in person_states(user=user, case=case):
        if state.member.pk == member.pk:
            return state
    raise Http404


def legal_basis_get(*, user, case: Case, pk: int) -> LegalBasis:
    policy.require(user, "consent.view", case)
    try:
        return LegalBasis.objects.select_related("case", "person").get(pk=pk, case=case)
    except (LegalBasis.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_organisations(*, user, case: Case) -> QuerySet:
    """Organisations a consent may be limited to: of the case's region, with a signed
    cooperation agreement."""
    policy.require(user, "consent.view", case)
    today = timezone.localdate()
    return Organisation.objects.filter(
        region_id=case.region_id, agreement_signed_on__isnull=False, agreement_signed_on__lte=today
    ).order_by("name")


def evidence_attachments(*, user, case: Case) -> QuerySet:
    """Documents that may serve as evidence of consent: those of this case uploaded by
    the user's own organisation (which always sees its own documents)."""
    policy.require(user, "consent.view", case)
    attachment = apps.get_model("dossier", "Attachment")
    return attachment.objects.filter(case=case, organisation_id=user.organisation_id).order_by("-uploaded_at")


# --- Emergency access -------------------------------------------------------------------


def emergency_reviews(*, user, pending_only: bool = False) -> QuerySet:
    """Emergency accesses to the cases the user coordinates, unreviewed first."""
    policy.require(user, "consent.emergency_review_list")
    qs = policy.scope(user, "consent.emergency_review", EmergencyAccess.objects.all())
    if pending_only:
        qs = qs.filter(reviewed_at__isnull=True)
    return qs.select_related("case", "professional", "organisation", "reviewed_by").order_by(
        "reviewed_at", "-opened_at", "-pk"
    )


def emergency_review_get(*, user, pk: int) -> EmergencyAccess:
    policy.require(user, "consent.emergency_review_list")
    try:
        access = emergency_reviews(user=user).get(pk=pk)
    except (EmergencyAccess.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, "consent.emergency_review", access)
    return access


def my_emergency_access_get(*, user, pk: int) -> EmergencyAccess:
    """One of the user's own emergency accesses (the page shown after opening)."""
    policy.require(user, "consent.emergency_open")
    try:
        return EmergencyAccess.objects.select_related("case").get(pk=pk, professional_id=user.pk)
    except (EmergencyAccess.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
