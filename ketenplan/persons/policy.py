"""Access rules for persons (registered into core.policy when the app is ready).

A first form: every professional who works on cases (not an analyst or an administrator
only) may register persons, look for possible duplicates and correct persons. Once case
membership exists, ``persons.change`` narrows to organisations that take part in a case
of the person, and visibility of confidential contact details is decided here too.
"""

from ketenplan.accounts.models import Role
from ketenplan.core.policy import rule

CASE_WORK_ROLES = frozenset(
    {Role.COORDINATOR, Role.TEAM_MEMBER, Role.CASE_DIRECTOR, Role.REFERRER, Role.PARTNER}
)


def works_on_cases(user) -> bool:
    return user.organisation_id is not None and bool(user.roles & CASE_WORK_ROLES)


@rule("persons.register")
def can_register_persons(user, obj) -> bool:
    return works_on_cases(user)


@rule("persons.find_matches")
def can_find_matches(user, obj) -> bool:
    return works_on_cases(user)


@rule("persons.change")
def can_change_person(user, obj) -> bool:
    return works_on_cases(user)


# --- Privacy tools: "who has seen this person", the access-request export -----------------

PRIVACY_ROLES = (Role.COORDINATOR, Role.DATA_PROTECTION_OFFICER)


@rule("persons.privacy")
def can_use_privacy_tools(user, obj) -> bool:
    """Coordinators and the data-protection officer, for persons in a case of their own
    region (``obj``: a person, or None for the question whether the tools open at all)."""
    if user.organisation_id is None or not user.has_role(*PRIVACY_ROLES):
        return False
    if obj is None:
        return True
    from ketenplan.cases.models import CaseMember

    return CaseMember.objects.filter(
        person_id=obj.pk, case__region_id=user.organisation.region_id
    ).exists()
