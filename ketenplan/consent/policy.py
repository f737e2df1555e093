"""Who may see information about a person, and the rules of the consent pages
(registered into ``ketenplan.core.policy``; imported from ``ConsentConfig.ready``).

The one central rule (METHOD.md §4) is ``shares_about(person, case, organisation)``:
information *about a person* in a case — their contributions, contact details,
assessments, attachments — reaches an organisation other than the one that contributed
it only while

* that organisation takes part in the case, **and**
* the person's current consent is "given" with a scope that covers the organisation
  (all participating partners, or a chosen set that includes it), **or** a legal basis
  for that person is active.

No consent, a refusal, a withdrawal, "asked" without an answer and the deliberate choice
not to ask all mean: not shared. The contributing organisation always sees its own.
Confidential addresses are narrower still: only the organisation that recorded them and
the current case director (when the person's consent or legal basis covers the
director's organisation) see them. Analysts hold no case-work role, so no rule here
lets them read a case or a person.

Every rule comes in two shapes that must agree (a property-based test checks it):

* per object, in Python: ``shares_about``, ``may_see_about``, ``contribution_visible``,
  ``contact_detail_visible`` — for one page about one thing;
* in bulk, as SQL: ``sharing_map`` (one query for every member of a case),
  ``visible_about_q`` / ``visible_contributions_q`` / ``visible_contact_details_q``
  (conditions for querysets) — for lists, search, exports and the API, with no query
  per row.

Nothing is cached: every call reads the current rows, so a withdrawal hides the person's
information on the very next request.

Emergency access ("break the glass") grants ``case.view`` for its duration, through
``has_emergency_access`` and ``emergency_case_ids``, which the case rules consult. It
does *not* widen what is shared about persons: the professional's organisation does not
take part in the case, so consent and legal basis do not cover it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ketenplan.accounts.models import Role
from ketenplan.audit.models import AuditEvent
from ketenplan.cases.models import Case, CaseMember, Participation, Stage
from ketenplan.cases.policy import WORKS_ON_CASES, is_case_director, participates
from ketenplan.core.policy import NOTHING, rule, scope_rule

from .models import Consent, ConsentOrganisation, ConsentScope, ConsentStatus, EmergencyAccess, LegalBasis


def _pk(obj) -> int | None:
    """An object or its primary key → the primary key."""
    if obj is None:
        return None
    return getattr(obj, "pk", obj)


def works_on_cases(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.organisation_id is not None
        and user.has_role(*WORKS_ON_CASES)
    )


# --- The central rule, per object -------------------------------------------------------


def organisation_participates(case, organisation, at: datetime | None = None) -> bool:
    """Whether the organisation takes part in the case now (or at ``at``)."""
    rows = Participation.objects.filter(case_id=_pk(case), organisation_id=_pk(organisation))
    if at is None:
        rows = rows.filter(until__isnull=True)
    else:
        rows = rows.filter(since__lte=at).filter(Q(until__isnull=True) | Q(until__gt=at))
    return rows.exists()


def current_consent(case, person, at: datetime | None = None) -> Consent | None:
    """The person's current consent row in the case (the latest one), or None."""
    rows = Consent.objects.filter(case_id=_pk(case), person_id=_pk(person))
    if at is not None:
        rows = rows.filter(recorded_at__lte=at)
    return rows.order_by("-recorded_at", "-pk").first()


def consent_covers(consent: Consent | None, organisation) -> bool:
    """Whether this consent row lets information reach the organisation (which must take
    part in the case; ``shares_about`` checks that)."""
    if consent is None or consent.status != ConsentStatus.GIVEN:
        return False
    if consent.scope == ConsentScope.ALL_PARTNERS:
        return True
    return consent.covered.filter(organisation_id=_pk(organisation)).exists()


def active_legal_basis(case, person, at: datetime | None = None) -> LegalBasis | None:
    """A legal basis for the person that is active now (or at ``at``), or None."""
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    rows = LegalBasis.objects.filter(
        case_id=_pk(case), person_id=_pk(person), valid_from__lte=day, valid_until__gte=day
    ).order_by("-recorded_at", "-pk")
    for basis in rows:
        if basis.is_active(at):
            return basis
    return None


def shares_about(person, case, organisation, at: datetime | None = None) -> bool:
    """Whether information about ``person`` in ``case`` may reach ``organisation`` (other
    than the organisation that contributed it) now, or at the moment ``at``.

    ``person``, ``case`` and ``organisation`` may be objects or primary keys.
    """
    if person is None or case is None or organisation is None:
        return False
    if not organisation_participates(case, organisation, at):
        return False
    if consent_covers(current_consent(case, person, at), organisation):
        return True
    return active_legal_basis(case, person, at) is not None


def may_see_about(user, *, case, person, contributed_by, at: datetime | None = None) -> bool:
    """Whether ``user`` may read one item about ``person`` (None: about the family as a
    whole) that ``contributed_by`` (an organisation or its key) recorded in ``case``.

    This is the consent part only: callers have already decided that the user sees the
    case (``case.view``). Family-level items follow the case.
    """
    if not works_on_cases(user):
        return False
    if _pk(contributed_by) == user.organisation_id:
        return True
    if person is None:
        return True
    return shares_about(person, case, user.organisation_id, at)


def contribution_visible(user, contribution, at: datetime | None = None) -> bool:
    """The consent rule for one dossier contribution (or anything with ``case``,
    ``about_person`` and ``organisation``: assessments, attachments of a contribution)."""
    if contribution is None:
        return False
    return may_see_about(
        user,
        case=contribution.case_id,
        person=contribution.about_person_id,
        contributed_by=contribution.organisation_id,
        at=at,
    )


def is_member(case, person) -> bool:
    return CaseMember.objects.filter(case_id=_pk(case), person_id=_pk(person)).exists()


def contact_detail_visible(user, detail, case, at: datetime | None = None) -> bool:
    """Whether ``user`` may read a contact detail of a member of ``case``.

    The recording organisation always; others only when the person's information is
    shared with them; a confidential one (a shelter address) besides the recording
    organisation only to the case's current director — and only when the person's
    information is shared with the director's organisation.
    """
    if detail is None or case is None or not works_on_cases(user):
        return False
    if not is_member(case, detail.person_id):
        return False
    if detail.recorded_by_organisation_id == user.organisation_id:
        return True
    if not shares_about(detail.person_id, case, user.organisation_id, at):
        return False
    if detail.is_confidential:
        return is_case_director(user, case)
    return True


# --- The same rule in bulk, as SQL ------------------------------------------------------


def shared_about_condition(
    organisation, *, case_ref, person_ref, at: datetime | None = None, within=None
) -> Q:
    """The condition of ``shares_about`` for a queryset: ``case_ref`` and ``person_ref``
    are ``OuterRef``s (or values) naming the row's case and person.

    ``within`` (case keys), when the caller reads rows of those cases only (a meeting's
    packet): the same condition, its subqueries limited to those cases, so that the
    database's work follows the number of cases read rather than the size of the region
    (without it, PostgreSQL may hash every consent row of the database for each query).
    """
    org_id = _pk(organisation)
    if org_id is None:
        return NOTHING
    bound = {} if within is None else {"case_id__in": sorted({_pk(c) for c in within})}
    moment = at or timezone.now()
    day = timezone.localdate(moment)

    participation = Participation.objects.filter(case=case_ref, organisation_id=org_id, **bound)
    if at is None:
        participation = participation.filter(until__isnull=True)
    else:
        participation = participation.filter(since__lte=at).filter(Q(until__isnull=True) | Q(until__gt=at))

    later = Consent.objects.filter(case=OuterRef("case"), person=OuterRef("person"), **bound).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    consents = Consent.objects.filter(case=case_ref, person=person_ref, status=ConsentStatus.GIVEN, **bound)
    if at is not None:
        later = later.filter(recorded_at__lte=at)
        consents = consents.filter(recorded_at__lte=at)
    chosen = ConsentOrganisation.objects.filter(consent=OuterRef("pk"), organisation_id=org_id)
    consents = consents.filter(Q(scope=ConsentScope.ALL_PARTNERS) | Q(Exists(chosen))).filter(~Exists(later))

    bases = LegalBasis.objects.filter(
        case=case_ref, person=person_ref, valid_from__lte=day, valid_until__gte=day, **bound
    )
    if at is None:
        bases = bases.filter(ended_at__isnull=True)
    else:
        bases = bases.filter(recorded_at__lte=at).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))

    return Q(Exists(participation)) & (Q(Exists(consents)) | Q(Exists(bases)))


def sharing_map(case, organisation, at: datetime | None = None) -> dict[int, bool]:
    """``{person_id: shared}`` for every member of the case, in one query: whether
    information about that person reaches ``organisation``."""
    condition = shared_about_condition(
        organisation, case_ref=OuterRef("case"), person_ref=OuterRef("person"), at=at
    )
    rows = (
        CaseMember.objects.filter(case_id=_pk(case))
        .annotate(shared=Exists(CaseMember.objects.filter(pk=OuterRef("pk")).filter(condition)))
        .values_list("person_id", "shared")
    )
    return {person_id: bool(shared) for person_id, shared in rows}


def shared_person_ids(case, organisation, at: datetime | None = None) -> set[int]:
    return {pid for pid, shared in sharing_map(case, organisation, at).items() if shared}


def visible_about_q(
    user,
    *,
    case=None,
    person_field: str = "about_person",
    organisation_field: str = "organisation",
    case_field: str = "case",
    at: datetime | None = None,
    within=None,
) -> Q:
    """The rows about persons that ``user`` may read, as a condition on any model with a
    case, a person it is about (null: the family) and a contributing organisation.

    With ``case``: limited to that case, the sharing decided once (one query) and the
    condition a plain ``IN`` list. Without: a correlated condition, for querysets across
    cases; ``within`` (case keys) bounds its subqueries to the cases the caller reads
    (see ``shared_about_condition``). Combine with the case scope (``case.view``); withheld
    rows stay countable with ``.exclude(condition)``.
    """
    if not works_on_cases(user):
        return NOTHING
    own = Q(**{f"{organisation_field}_id": user.organisation_id})
    family = Q(**{f"{person_field}__isnull": True})
    if case is not None:
        shared = shared_person_ids(case, user.organisation_id, at)
        return Q(**{f"{case_field}_id": _pk(case)}) & (
            own | family | Q(**{f"{person_field}_id__in": sorted(shared)})
        )
    return (
        own
        | family
        | shared_about_condition(
            user.organisation_id,
            case_ref=OuterRef(case_field),
            person_ref=OuterRef(person_field),
            at=at,
            within=within,
        )
    )


def visible_contributions_q(user, case=None, at: datetime | None = None, within=None) -> Q:
    """``visible_about_q`` for ``dossier.Contribution`` (and models shaped like it)."""
    return visible_about_q(user, case=case, at=at, within=within)


def visible_contact_details_q(user, case, at: datetime | None = None) -> Q:
    """The contact details (``persons.ContactDetail``) of the members of ``case`` that
    ``user`` may read, as a condition; per row the same as ``contact_detail_visible``."""
    if case is None or not works_on_cases(user):
        return NOTHING
    shares = sharing_map(case, user.organisation_id, at)
    members = sorted(shares)
    shared = sorted(pid for pid, ok in shares.items() if ok)
    allowed = Q(recorded_by_organisation_id=user.organisation_id) | Q(
        is_confidential=False, person_id__in=shared
    )
    if is_case_director(user, case):
        allowed |= Q(is_confidential=True, person_id__in=shared)
    return Q(person_id__in=members) & allowed


# --- Emergency access -------------------------------------------------------------------


def _active_emergency(user, at: datetime | None = None) -> QuerySet:
    moment = at or timezone.now()
    return EmergencyAccess.objects.filter(
        professional_id=user.pk,
        organisation_id=user.organisation_id,
        opened_at__lte=moment,
        expires_at__gt=moment,
    )


def has_emergency_access(user, case, at: datetime | None = None) -> bool:
    """Whether ``user`` holds active emergency access to ``case`` (now, or at ``at``)."""
    if case is None or not works_on_cases(user):
        return False
    return _active_emergency(user, at).filter(case_id=_pk(case)).exists()


def emergency_case_ids(user, at: datetime | None = None) -> QuerySet:
    """The ids of the cases ``user`` holds active emergency access to, as a subquery:
    ``Case.objects.filter(pk__in=emergency_case_ids(user))``."""
    if not works_on_cases(user):
        return EmergencyAccess.objects.none().values("case_id")
    return _active_emergency(user, at).values("case_id")


def access_purpose(user, case) -> str:
    """The audit purpose of a read of ``case`` by ``user``: "emergency" when the user sees
    the case only through emergency access."""
    if not participates(user, case) and has_emergency_access(user, case):
        return AuditEvent.Purpose.EMERGENCY
    return AuditEvent.Purpose.NORMAL


# --- Rules of the consent pages ---------------------------------------------------------


def _participates_in(user, case_field: str = "case"):
    return Exists(
        Participation.objects.filter(
            case=OuterRef(case_field), organisation_id=user.organisation_id, until__isnull=True
        )
    )


def decides_on_sharing(user, case) -> bool:
    """The coordinator or the case director: legal basis and "not asked"."""
    if case is None or not participates(user, case):
        return False
    return user.has_role(Role.COORDINATOR) or is_case_director(user, case)


@rule("consent.use")
def can_use(user, obj) -> bool:
    """View-level gate of the consent pages; object checks happen in selectors."""
    return works_on_cases(user)


@rule("consent.view")
def can_view(user, case) -> bool:
    """The consent state of a case's members: every professional whose organisation
    takes part (they must know what they may share). Not through emergency access."""
    return case is not None and works_on_cases(user) and participates(user, case)


@scope_rule("consent.view")
def visible_consents(user, queryset):
    if not works_on_cases(user):
        return queryset.none()
    return queryset.filter(_participates_in(user))


@rule("consent.record")
def can_record(user, case) -> bool:
    """Record consent asked, given or refused: any professional of a participating
    organisation, while the case is open."""
    return can_view(user, case) and case.stage != Stage.CLOSED


@rule("consent.withdraw")
def can_withdraw(user, case) -> bool:
    """Record a withdrawal: any professional of a participating organisation, at any
    time — also after closure."""
    return can_view(user, case)


@rule("consent.decide")
def can_decide(user, case) -> bool:
    """Record a legal basis or the choice not to ask: the coordinator or the case
    director, while the case is open."""
    return works_on_cases(user) and decides_on_sharing(user, case) and case.stage != Stage.CLOSED


@rule("consent.end_legal_basis")
def can_end_legal_basis(user, legal_basis) -> bool:
    """End (revoke) a legal basis: the coordinator or the case director, at any time."""
    return legal_basis is not None and works_on_cases(user) and decides_on_sharing(user, legal_basis.case)


@rule("consent.emergency_open")
def can_open_emergency(user, obj) -> bool:
    """Break the glass: a case-work professional of an organisation that signed the
    cooperation agreement."""
    return works_on_cases(user) and user.organisation.has_signed_agreement


@rule("consent.emergency_review_list")
def can_list_emergency(user, obj) -> bool:
    return works_on_cases(user) and user.has_role(Role.COORDINATOR)


@rule("consent.emergency_review")
def can_review_emergency(user, access) -> bool:
    """A coordinator whose organisation takes part in the case; never one's own."""
    if access is None or not can_list_emergency(user, None):
        return False
    return access.professional_id != user.pk and participates(user, access.case)


@scope_rule("consent.emergency_review")
def reviewable_emergency_accesses(user, queryset):
    if not can_list_emergency(user, None):
        return queryset.none()
    return queryset.filter(_participates_in(user)).exclude(professional_id=user.pk)


def case_in_region(user, case: Case) -> bool:
    return user.organisation_id is not None and case.region_id == user.organisation.region_id
