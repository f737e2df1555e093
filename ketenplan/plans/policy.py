"""Who may do what with a case's plan and its execution (registered into
``ketenplan.core.policy``; imported from ``PlansConfig.ready``).

Seeing the plan follows seeing the case (``case.view``). The rules here only add what
the case rules do not say already:

* ``plan.edit`` — draft a plan version and edit its goals and safety measures: the
  operational team (coordinator, team members) and the case director (the services
  add: only while the case is in planning). Approval is the coordinator's (``case.coordinate``).
* ``plan.action_status`` — change an action's status: its owner, a colleague of the
  owner's organisation, the case director or the coordinator.
* ``plan.police_record`` — record a police intervention: the police or the coordinator.
  Also after closure: interventions after closure are the follow-up's outcome measure.
"""

from ketenplan.accounts.models import Organisation, Role
from ketenplan.cases.models import Stage
from ketenplan.cases.policy import is_case_director, participates
from ketenplan.core.policy import rule

DRAFTS_PLANS = (Role.COORDINATOR, Role.TEAM_MEMBER)


@rule("plan.edit")
def can_edit_plan(user, case) -> bool:
    if case is None or case.stage == Stage.CLOSED or not participates(user, case):
        return False
    return user.has_role(*DRAFTS_PLANS) or is_case_director(user, case)


@rule("plan.action_status")
def can_set_action_status(user, action) -> bool:
    if action is None:
        return False
    case = action.case
    if not participates(user, case):
        return False
    if action.owner_id == user.pk or action.owner_organisation_id == user.organisation_id:
        return True
    return is_case_director(user, case) or user.has_role(Role.COORDINATOR)


@rule("plan.police_record")
def can_record_police(user, case) -> bool:
    if not participates(user, case):
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    organisation = user.organisation
    return organisation is not None and organisation.type == Organisation.Type.POLICE
