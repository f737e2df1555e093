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
