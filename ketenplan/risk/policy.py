"""Who may see and do what with risk assessments and reporting-code guides (registered
into ``ketenplan.core.policy``; imported from ``RiskConfig.ready``).

* Assessments belong to a case: seeing them follows seeing the case (the organisation
  takes part in it). Any professional of a taking-part organisation may assess a member
  (assessments are made "by different partners"); a draft is edited only by the
  assessor's organisation; professional judgement on a final assessment is the assessor's
  organisation's or the weighing team's (``case.weigh``). Nothing changes once the case
  is closed. Confirming the weighing is ``case.weigh``.
* A reporting-code guide belongs to the organisation of the professional who started it,
  not to a case: only colleagues of that organisation see it; it is read-only once the
  decision is taken.
"""

from django.db.models import Exists, OuterRef

from ketenplan.cases.models import Participation, Stage
from ketenplan.cases.policy import participates
from ketenplan.core import policy
from ketenplan.core.policy import rule, scope_rule


def _works_on_cases(user) -> bool:
    return policy.can(user, "case.list")


@rule("risk.view")
def can_view(user, case) -> bool:
    if case is None:
        return _works_on_cases(user)
    return participates(user, case)


@scope_rule("risk.view")
def visible_assessments(user, queryset):
    if not _works_on_cases(user):
        return queryset.none()
    return queryset.filter(
        Exists(
            Participation.objects.filter(
                case=OuterRef("case_id"), organisation_id=user.organisation_id, until__isnull=True
            )
        )
    )


@rule("risk.assess")
def can_assess(user, case) -> bool:
    return case is not None and case.stage != Stage.CLOSED and participates(user, case)


@rule("risk.edit")
def can_edit(user, assessment) -> bool:
    if assessment is None or assessment.status != "draft":
        return False
    case = assessment.case
    return (
        case.stage != Stage.CLOSED
        and assessment.organisation_id == user.organisation_id
        and participates(user, case)
    )


@rule("risk.judge")
def can_judge(user, assessment) -> bool:
    if assessment is None or assessment.status != "final":
        return False
    case = assessment.case
    if case.stage == Stage.CLOSED or not participates(user, case):
        return False
    return assessment.organisation_id == user.organisation_id or policy.can(user, "case.weigh", case)


@rule("reporting.use")
def can_use_reporting_code(user, guide) -> bool:
    if not _works_on_cases(user):
        return False
    return guide is None or guide.organisation_id == user.organisation_id


@scope_rule("reporting.use")
def visible_guides(user, queryset):
    if not _works_on_cases(user):
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


@rule("reporting.edit")
def can_edit_guide(user, guide) -> bool:
    return guide is not None and not guide.is_decided and can_use_reporting_code(user, guide)
