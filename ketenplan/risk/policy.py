"""Who may see and do what with risk assessments and reporting-code guides (registered
into ``ketenplan.core.policy``; imported from ``RiskConfig.ready``).

* Assessments belong to a case and are about a person: an organisation sees them while it
  takes part in the case, and — for another organisation's assessment — only while the
  person's consent or a legal basis covers it (``consent.policy.visible_about_q``, the
  one sharing rule of METHOD.md §4). The assessing organisation always sees its own.
* Any professional of a taking-part organisation may assess a member (assessments are
  made "by different partners"); a draft is edited only by the assessor's organisation;
  professional judgement on a final assessment is the assessor's organisation's, or the
  weighing team's (``case.weigh``) when the assessment is shared with it. Nothing changes
  once the case is closed. Confirming the weighing is ``case.weigh``.
* A reporting-code guide belongs to the organisation of the professional who started it,
  not to a case: only colleagues of that organisation see it; it is read-only once the
  decision is taken.
"""

from django.db.models import Exists, OuterRef

from ketenplan.cases.models import Participation, Stage
from ketenplan.cases.policy import participates
from ketenplan.consent.policy import may_see_about, visible_about_q
from ketenplan.core import policy
from ketenplan.core.policy import rule, scope_rule


def _works_on_cases(user) -> bool:
    return policy.can(user, "case.list")


@rule("risk.view")
def can_view(user, case) -> bool:
    if case is None:
        return _works_on_cases(user)
    return participates(user, case)


def visible_assessments_q(user, case=None):
    """The consent part of the scope: own assessments, or about a person whose consent or
    legal basis covers the user's organisation (with ``case``: decided in one query)."""
    return visible_about_q(user, case=case, person_field="person")


@scope_rule("risk.view")
def visible_assessments(user, queryset):
    """Assessments of cases the user's organisation takes part in, as consent allows."""
    if not _works_on_cases(user):
        return queryset.none()
    return queryset.filter(
        Exists(
            Participation.objects.filter(
                case=OuterRef("case_id"), organisation_id=user.organisation_id, until__isnull=True
            )
        )
    ).filter(visible_assessments_q(user))


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
    if assessment.organisation_id == user.organisation_id:
        return True
    return policy.can(user, "case.weigh", case) and may_see_about(
        user, case=case, person=assessment.person_id, contributed_by=assessment.organisation_id
    )


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
