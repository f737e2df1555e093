"""Who may see and do what with a case (registered into ``ketenplan.core.policy``).

First form of the rules of METHOD.md §4: an organisation sees a case only when it takes
part in it (an active ``Participation``). Consent per person narrows this further in the
consent module. Outsiders get "not found".
"""

from django.db.models import Exists, OuterRef, Q

from ketenplan.accounts.models import Role
from ketenplan.core.policy import NOTHING, condition_rule, rule

from .models import Participation, Stage

WORKS_ON_CASES = (
    Role.COORDINATOR,
    Role.TEAM_MEMBER,
    Role.CASE_DIRECTOR,
    Role.REFERRER,
    Role.PARTNER,
)


def _works_on_cases(user) -> bool:
    return user.organisation_id is not None and user.has_role(*WORKS_ON_CASES)


def participates(user, case) -> bool:
    """Whether the user's organisation takes part in the case right now.

    Selectors annotate ``viewer_participates`` so that list pages do not ask per row.
    """
    if not _works_on_cases(user) or case is None:
        return False
    cached = getattr(case, "viewer_participates", None)
    if cached is not None:
        return bool(cached)
    return Participation.objects.filter(
        case=case, organisation_id=user.organisation_id, until__isnull=True
    ).exists()


def participation_exists(user, ref: str = "pk"):
    """Subquery: the case (``ref``: the path to its key) has an active participation of
    the user's organisation."""
    return Exists(
        Participation.objects.filter(
            case=OuterRef(ref), organisation_id=user.organisation_id, until__isnull=True
        )
    )


@condition_rule("case.view")
def visible_cases(user, ref: str) -> Q:
    """The cases ``user`` may see, as a condition on the case key ``ref`` ("pk" on cases,
    "case" on a case's rows): those their organisation takes part in, and those they hold
    emergency access to. Checked per row the query reads, next to the row's own case key,
    with no subquery on cases in between."""
    if not _works_on_cases(user):
        return NOTHING
    # A professional who used emergency access ("break the glass") sees the case for the
    # duration of that access; it makes them no participant (see consent.policy).
    from ketenplan.consent.policy import emergency_case_ids

    return Q(participation_exists(user, ref)) | Q(**{f"{ref}__in": emergency_case_ids(user)})


@rule("case.register")
def can_register(user, obj) -> bool:
    return _works_on_cases(user) and user.organisation.has_signed_agreement


@rule("case.list")
def can_list(user, obj) -> bool:
    return _works_on_cases(user)


@rule("case.view")
def can_view(user, case) -> bool:
    if participates(user, case):
        return True
    from ketenplan.consent.policy import has_emergency_access

    return _works_on_cases(user) and has_emergency_access(user, case)


@rule("case.decide_admissibility")
def can_decide_admissibility(user, case) -> bool:
    return user.has_role(Role.COORDINATOR) and participates(user, case)


@rule("case.weigh")
def can_weigh(user, case) -> bool:
    return user.has_role(Role.COORDINATOR, Role.TEAM_MEMBER) and participates(user, case)


@rule("case.coordinate")
def can_coordinate(user, case) -> bool:
    """Steps the coordination point takes: intake, appointing the case director, partners."""
    return user.has_role(Role.COORDINATOR) and participates(user, case)


def is_case_director(user, case) -> bool:
    return case is not None and case.case_director_id == user.pk


@rule("case.direct")
def can_direct(user, case) -> bool:
    """Steps of the case director (or the coordinator standing in): execution, closure."""
    if not participates(user, case):
        return False
    return is_case_director(user, case) or user.has_role(Role.COORDINATOR)


@rule("case.contribute")
def can_contribute(user, case) -> bool:
    return participates(user, case) and case.stage != Stage.CLOSED


@rule("case.add_member")
def can_add_member(user, case) -> bool:
    return participates(user, case) and case.stage != Stage.CLOSED
