"""The plan and its execution in the JSON API: plan versions (draft, goals, safety
measures, approval, revision, comparison), actions, contacts, referrals, trauma
screenings, police interventions and evaluations.

The same selectors, services and access rules as the plan and execution pages: outsiders
get "not found" (``case_get``), a participant without the right gets "forbidden"; a
refused write answers 400 naming the field, 409 when someone else saved first (send the
``expected_version`` you read) or when the case's path does not allow the step.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.api.base import EnumField, PersonRef, may, name_of, valid
from ketenplan.cases.models import Case
from ketenplan.cases.selectors import case_get
from ketenplan.methods.models import LifeDomain
from ketenplan.methods.schedule import MilestoneStatus
from ketenplan.methods.selectors import active_life_domains
from ketenplan.persons.models import Person

from . import selectors, services
from .forms import CLOSING_OUTCOMES
from .models import (
    Action,
    Contact,
    Evaluation,
    Goal,
    PlanVersion,
    Referral,
    SafetyMeasure,
)

VIEW_RULE = "case.list"  # works on cases; the case itself is checked by case_get

# --- Output ---------------------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    goal_id = serializers.IntegerField(allow_null=True, help_text="Null: on the case's action list.")
    description = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner = name_of()
    owner_organisation_id = serializers.IntegerField()
    owner_organisation = name_of()
    due_on = serializers.DateField()
    status = EnumField(Action.Status, name="ActionStatus")
    status_reason = serializers.CharField()
    is_overdue = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(
        help_text="Send it back as expected_version when you change the status."
    )


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    life_domain = serializers.CharField(source="life_domain.key")
    life_domain_name = serializers.CharField(source="life_domain.name")
    description = serializers.CharField()
    about_person_id = serializers.IntegerField(allow_null=True)
    about_person = name_of()
    responsible_organisation_id = serializers.IntegerField()
    responsible_organisation = name_of()
    responsible_professional_id = serializers.IntegerField(allow_null=True)
    responsible_professional = name_of()
    due_on = serializers.DateField()
    progress = EnumField(Goal.Progress, name="GoalProgress")
    order = serializers.IntegerField()
    copied_from_id = serializers.IntegerField(allow_null=True, help_text="The goal of the earlier version.")
    actions = ActionSerializer(many=True)


class SafetyMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField(SafetyMeasure.Kind, name="SafetyMeasureKind")
    description = serializers.CharField()
    responsible_organisation_id = serializers.IntegerField()
    responsible_organisation = name_of()
    due_on = serializers.DateField(allow_null=True)
    order = serializers.IntegerField()


class PlanVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = EnumField(PlanVersion.Status, name="PlanVersionStatus")
    reason = serializers.CharField()
    created_by = name_of()
    created_at = serializers.DateTimeField()
    approved_by = name_of()
    approved_at = serializers.DateTimeField(allow_null=True)
    approval_route = EnumField(PlanVersion.ApprovedBy, name="ApprovalRoute", allow_blank=True)
    meeting_date = serializers.DateField(allow_null=True)
    superseded_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(
        help_text="Of a draft: send it back as expected_version with every change and the approval."
    )


class PlanVersionDetailSerializer(PlanVersionSerializer):
    goals = GoalSerializer(many=True)
    safety_measures = SafetyMeasureSerializer(many=True, help_text="Direct safety measures first.")
    approval_problems = serializers.SerializerMethodField(
        help_text="Of a draft: why it cannot be approved yet (empty when it can)."
    )

    def get_approval_problems(self, plan) -> list[str]:
        if plan.status != PlanVersion.Status.DRAFT:
            return []
        return [str(p) for p in selectors.approval_problems(plan)]


class GoalComparisonSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["added", "removed", "changed", "unchanged"])
    old = GoalSerializer(allow_null=True)
    new = GoalSerializer(allow_null=True)
    changed_fields = serializers.SerializerMethodField()

    def get_changed_fields(self, row) -> list[str]:
        return [f.removesuffix("_id") for f in row.changed_fields]


class PlanComparisonSerializer(serializers.Serializer):
    old = PlanVersionSerializer()
    new = PlanVersionSerializer()
    counts = serializers.DictField(child=serializers.IntegerField())
    goals = GoalComparisonSerializer(many=True)
    measures_old = SafetyMeasureSerializer(many=True)
    measures_new = SafetyMeasureSerializer(many=True)


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField(Contact.Kind, name="ContactKind")
    at = serializers.DateTimeField()
    professional_id = serializers.IntegerField()
    professional = name_of()
    organisation_id = serializers.IntegerField()
    organisation = name_of()
    with_persons = PersonRef(many=True)
    summary = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField()
    person_id = serializers.IntegerField(allow_null=True)
    person = name_of()
    organisation_id = serializers.IntegerField(allow_null=True)
    organisation = name_of()
    status = EnumField(Referral.Status, name="ReferralStatus")
    requested_on = serializers.DateField()
    waiting_since = serializers.DateField(allow_null=True)
    waiting_days = serializers.IntegerField(allow_null=True, help_text="Days on the waiting list so far.")
    started_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(
        help_text="Send it back as expected_version when you change the status."
    )


class TraumaScreeningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    person = name_of()
    offered_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    declined = serializers.BooleanField()
    treatment_started_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    recorded_by = name_of()


class PoliceInterventionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_on = serializers.DateField()
    summary = serializers.CharField()
    recorded_by = name_of()
    recorded_at = serializers.DateTimeField()


class GoalProgressSerializer(serializers.Serializer):
    goal_id = serializers.IntegerField()
    goal = serializers.CharField(source="goal.description")
    progress = EnumField(Goal.Progress, name="GoalProgress")
    note = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    life_domain = serializers.CharField(source="life_domain.key")
    life_domain_name = serializers.CharField(source="life_domain.name")
    score = serializers.IntegerField(min_value=1, max_value=5)
    recorded_at = serializers.DateTimeField()


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone_key = serializers.CharField()
    name = serializers.CharField(source="display_name")
    due_on = serializers.DateField()
    due_status = EnumField(
        MilestoneStatus,
        name="MilestoneStatus",
        source="status",
        help_text="How it stands against its due date.",
    )
    held_on = serializers.DateField(allow_null=True)
    held_by = name_of()
    plan_version = serializers.IntegerField(
        source="plan_version.number", allow_null=True, help_text="The plan version evaluated."
    )
    summary = serializers.CharField()
    decision = EnumField(Evaluation.Decision, name="EvaluationDecision", allow_blank=True)
    goal_progress = GoalProgressSerializer(many=True)
    self_reliance_scores = ScoreSerializer(many=True)


# --- Input ----------------------------------------------------------------------------


def _related(model, *, help_text: str, **kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=model.objects.none(), help_text=help_text, **kwargs)


class _CaseChoices(serializers.Serializer):
    """Input whose choices (organisations, professionals, persons, goals, life domains)
    come from the selectors for the case and user in the context, like the page forms."""

    choices: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case, request = self.context.get("case"), self.context.get("request")
        if case is None or request is None:
            return  # the schema generator: no choices needed
        for field_name, source in self.choices.items():
            field = self.fields[field_name]
            queryset = active_life_domains() if source is None else source(user=request.user, case=case)
            getattr(field, "child_relation", field).queryset = queryset


class CompareParams(serializers.Serializer):
    old = serializers.IntegerField(min_value=1, help_text="A version number.")
    new = serializers.IntegerField(min_value=1, help_text="Another version number.")

    def validate(self, data):
        if data["old"] == data["new"]:
            raise serializers.ValidationError({"new": _("Choose two different versions.")})
        return data


class DraftStartInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when a plan is in force."
    )


class ReviseInput(serializers.Serializer):
    reason = serializers.CharField(help_text="What changed. The case goes back to planning.")
    expected_version = serializers.IntegerField(help_text="The case version you read; a newer one gives 409.")


class GoalInput(_CaseChoices):
    choices = {
        "life_domain": None,
        "about_person": selectors.case_persons,
        "responsible_organisation": selectors.participating_organisations,
        "responsible_professional": selectors.case_professionals,
    }

    life_domain = serializers.SlugRelatedField(
        slug_field="key", queryset=LifeDomain.objects.none(), help_text="The key of an active life domain."
    )
    description = serializers.CharField()
    about_person = _related(
        Person, required=False, allow_null=True, default=None, help_text="A family member; null: the family."
    )
    responsible_organisation = _related(Organisation, help_text="An organisation taking part in the case.")
    responsible_professional = _related(
        Professional,
        required=False,
        allow_null=True,
        default=None,
        help_text="Needed before approval; must work for the responsible organisation.",
    )
    due_on = serializers.DateField()
    expected_version = serializers.IntegerField(
        help_text="The draft's version you read; a newer one gives 409."
    )


class SafetyMeasureInput(_CaseChoices):
    choices = {"responsible_organisation": selectors.participating_organisations}

    kind = EnumField(SafetyMeasure.Kind, name="SafetyMeasureKind", help_text="Direct safety first.")
    description = serializers.CharField()
    responsible_organisation = _related(Organisation, help_text="An organisation taking part in the case.")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    expected_version = serializers.IntegerField(
        help_text="The draft's version you read; a newer one gives 409."
    )


class DraftVersionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(
        help_text="The draft's version you read; a newer one gives 409."
    )


class ApproveInput(serializers.Serializer):
    route = EnumField(PlanVersion.ApprovedBy, name="ApprovalRoute")
    meeting_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required when the team meeting approved it."
    )
    expected_version = serializers.IntegerField(
        help_text="The draft's version you read; a newer one gives 409."
    )


class ScoresField(serializers.DictField):
    """ZRM scores per life domain key; the services take them per life domain id."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.IntegerField(min_value=1, max_value=5),
            help_text="{life domain key: score from 1 (acute) to 5 (fully self-reliant)}",
            **kwargs,
        )

    def to_internal_value(self, data):
        scores = super().to_internal_value(data)
        ids = dict(active_life_domains().filter(key__in=list(scores)).values_list("key", "pk"))
        unknown = sorted(set(scores) - set(ids))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown life domain(s): %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        return {ids[key]: score for key, score in scores.items()}


class SelfRelianceInput(serializers.Serializer):
    scores = ScoresField()


class ActionInput(_CaseChoices):
    choices = {
        "goal": selectors.action_goal_choices,
        "owner_organisation": selectors.participating_organisations,
        "owner": selectors.case_professionals,
    }

    description = serializers.CharField()
    goal = _related(
        Goal,
        required=False,
        allow_null=True,
        default=None,
        help_text="A goal of the plan in force or of the draft; null: the case's action list.",
    )
    owner_organisation = _related(Organisation, help_text="An organisation taking part in the case.")
    owner = _related(
        Professional,
        required=False,
        allow_null=True,
        default=None,
        help_text="A professional of that organisation; null: the organisation as a whole.",
    )
    due_on = serializers.DateField()


class ActionStatusInput(serializers.Serializer):
    status = EnumField(Action.Status, name="ActionStatus")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Required for cannot_be_done.",
    )
    expected_version = serializers.IntegerField(
        help_text="The action's version you read; a newer one gives 409."
    )


class ContactInput(_CaseChoices):
    choices = {"with_persons": selectors.case_persons}

    kind = EnumField(Contact.Kind, name="ContactKind")
    at = serializers.DateTimeField()
    with_persons = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), many=True, help_text="Family members who took part (person ids)."
    )
    summary = serializers.CharField()


class ReferralInput(_CaseChoices):
    choices = {"organisation": selectors.region_organisations, "person": selectors.case_persons}

    service = serializers.CharField(max_length=300)
    organisation = _related(
        Organisation,
        required=False,
        allow_null=True,
        default=None,
        help_text="An organisation of the region; null: not a partner organisation.",
    )
    person = _related(
        Person, required=False, allow_null=True, default=None, help_text="A family member; null: the family."
    )
    status = EnumField(
        (Referral.Status.REQUESTED, Referral.Status.WAITING),
        name="ReferralStartStatus",
        required=False,
        default=Referral.Status.REQUESTED,
    )
    requested_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralStatusInput(serializers.Serializer):
    status = EnumField(Referral.Status, name="ReferralStatus")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")
    expected_version = serializers.IntegerField(
        help_text="The referral's version you read; a newer one gives 409."
    )


class TraumaScreeningInput(_CaseChoices):
    choices = {"person": selectors.case_persons}

    person = _related(Person, help_text="A family member (person id).")
    offered_on = serializers.DateField()
    done_on = serializers.DateField(required=False, allow_null=True, default=None)
    declined = serializers.BooleanField(required=False, default=False)
    treatment_started_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PoliceInterventionInput(serializers.Serializer):
    occurred_on = serializers.DateField()
    summary = serializers.CharField()


class GoalProgressInput(serializers.Serializer):
    goal = serializers.IntegerField(help_text="A goal of the plan in force (id).")
    progress = EnumField(Goal.Progress, name="GoalProgress")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class EvaluationHoldInput(serializers.Serializer):
    held_on = serializers.DateField()
    summary = serializers.CharField(help_text="How is it going.")
    goal_progress = GoalProgressInput(many=True, help_text="The progress of every goal of the plan in force.")
    zrm_scores = ScoresField(required=False, default=dict)
    decision = EnumField(Evaluation.Decision, name="EvaluationDecision")
    revise_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="With new_plan_version: what changes."
    )
    close_outcome = serializers.ChoiceField(
        choices=CLOSING_OUTCOMES, required=False, allow_blank=True, default="", help_text="With close."
    )
    close_note = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    confirm_open_requests = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if data["decision"] == Evaluation.Decision.CLOSE and not data["close_outcome"]:
            raise serializers.ValidationError(
                {"close_outcome": _("Choose the outcome when the case closes.")}
            )
        data["goal_progress"] = {row["goal"]: (row["progress"], row["note"]) for row in data["goal_progress"]}
        return data


# --- Views: the plan --------------------------------------------------------------------


def _case(request, pk) -> Case:
    return case_get(user=request.user, pk=pk)


def _plan(request, case: Case, number: int, code=status.HTTP_200_OK) -> Response:
    plan = selectors.plan_with_content(user=request.user, case=case, number=number)
    return Response(PlanVersionDetailSerializer(plan).data, status=code)


def _draft_of(request, case: Case) -> PlanVersion:
    """The draft being made, or "not found" (start one first)."""
    _current, draft = selectors.current_and_draft(user=request.user, case=case)
    if draft is None:
        raise Http404
    draft.case = case
    return draft


class PlanVersionsView(GenericAPIView):
    """Every version of the case's plan (newest first), and starting a draft: version 1,
    or the next version as a copy of the plan in force."""

    access_policy = VIEW_RULE
    serializer_class = PlanVersionSerializer
    pagination_class = None

    @extend_schema(responses=PlanVersionSerializer(many=True))
    def get(self, request, pk):
        case = _case(request, pk)
        return Response(
            PlanVersionSerializer(selectors.plan_versions(user=request.user, case=case), many=True).data
        )

    @extend_schema(request=DraftStartInput, responses={201: PlanVersionDetailSerializer})
    def post(self, request, pk):
        case = _case(request, pk)
        may(request.user, "plan.edit", case)
        data = valid(DraftStartInput, request)
        plan = services.plan_draft_start(
            actor=request.user, case=case, reason=data["reason"], request=request
        )
        return _plan(request, case, plan.number, status.HTTP_201_CREATED)


class PlanVersionDetailView(GenericAPIView):
    """One version with its goals (and their actions) and safety measures."""

    access_policy = VIEW_RULE
    serializer_class = PlanVersionDetailSerializer

    def get(self, request, pk, number):
        return _plan(request, _case(request, pk), number)


class PlanCompareView(GenericAPIView):
    """Two versions side by side: goals added, removed or changed (followed through the
    versions in between) and both safety plans."""

    access_policy = VIEW_RULE
    serializer_class = PlanComparisonSerializer

    @extend_schema(parameters=[CompareParams])
    def get(self, request, pk):
        case = _case(request, pk)
        params = CompareParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        comparison = selectors.plan_compare(
            user=request.user,
            case=case,
            old_number=params.validated_data["old"],
            new_number=params.validated_data["new"],
        )
        return Response(PlanComparisonSerializer(comparison).data)


class _PlanStepView(GenericAPIView):
    """POST one change of the plan; answers with the plan version it changed. Outsiders
    get "not found", a participant without ``object_rule`` "forbidden"."""

    access_policy = VIEW_RULE
    input_serializer: type[serializers.Serializer]
    object_rule = "plan.edit"
    created = False

    def get_serializer_class(self):
        return self.input_serializer

    def post(self, request, pk, **kwargs):
        case = _case(request, pk)
        may(request.user, self.object_rule, case)
        number = self.perform(request, case, **kwargs)
        code = status.HTTP_201_CREATED if self.created else status.HTTP_200_OK
        return _plan(request, case, number, code)

    def perform(self, request, case: Case, **kwargs) -> int:
        """Make the change through the service; returns the number of the version."""
        raise NotImplementedError


def _draft_goal(request, case: Case, goal_pk: int) -> Goal:
    goal = selectors.goal_get(user=request.user, pk=goal_pk)
    if goal.plan_version.case_id != case.pk or goal.plan_version.status != PlanVersion.Status.DRAFT:
        raise Http404
    goal.plan_version.case = case
    return goal


def _draft_measure(request, case: Case, measure_pk: int) -> SafetyMeasure:
    measure = selectors.safety_measure_get(user=request.user, pk=measure_pk)
    if measure.plan_version.case_id != case.pk or measure.plan_version.status != PlanVersion.Status.DRAFT:
        raise Http404
    measure.plan_version.case = case
    return measure


@extend_schema(request=DraftVersionInput, responses={204: None})
class DraftDiscardView(GenericAPIView):
    """Discard the draft (it was never in force); actions go back to their earlier goals."""

    access_policy = VIEW_RULE
    serializer_class = DraftVersionInput

    def post(self, request, pk):
        case = _case(request, pk)
        may(request.user, "plan.edit", case)
        draft = _draft_of(request, case)
        data = valid(DraftVersionInput, request)
        services.plan_draft_discard(
            actor=request.user, plan=draft, expected_version=data["expected_version"], request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=GoalInput, responses={201: PlanVersionDetailSerializer})
class GoalAddView(_PlanStepView):
    """Add a goal to the draft."""

    input_serializer = GoalInput
    created = True

    def perform(self, request, case, **kwargs):
        draft = _draft_of(request, case)
        data = valid(GoalInput, request, case=case)
        services.goal_add(actor=request.user, plan=draft, request=request, **data)
        return draft.number


class GoalChangeView(_PlanStepView):
    """Change a goal of the draft."""

    input_serializer = GoalInput

    @extend_schema(
        operation_id="cases_plan_draft_goals_change", request=GoalInput, responses=PlanVersionDetailSerializer
    )
    def post(self, request, pk, goal_pk):
        return super().post(request, pk, goal_pk=goal_pk)

    def perform(self, request, case, goal_pk):
        goal = _draft_goal(request, case, goal_pk)
        data = valid(GoalInput, request, case=case)
        services.goal_update(actor=request.user, goal=goal, request=request, **data)
        return goal.plan_version.number


@extend_schema(request=DraftVersionInput, responses=PlanVersionDetailSerializer)
class GoalRemoveView(_PlanStepView):
    """Remove a goal from the draft; its actions go back to the goal it was copied from."""

    input_serializer = DraftVersionInput

    def perform(self, request, case, goal_pk):
        goal = _draft_goal(request, case, goal_pk)
        data = valid(DraftVersionInput, request)
        services.goal_remove(
            actor=request.user, goal=goal, expected_version=data["expected_version"], request=request
        )
        return goal.plan_version.number


@extend_schema(request=SafetyMeasureInput, responses={201: PlanVersionDetailSerializer})
class SafetyMeasureAddView(_PlanStepView):
    """Add a safety measure to the draft (direct safety measures come first)."""

    input_serializer = SafetyMeasureInput
    created = True

    def perform(self, request, case, **kwargs):
        draft = _draft_of(request, case)
        data = valid(SafetyMeasureInput, request, case=case)
        services.safety_measure_add(actor=request.user, plan=draft, request=request, **data)
        return draft.number


class SafetyMeasureChangeView(_PlanStepView):
    """Change a safety measure of the draft."""

    input_serializer = SafetyMeasureInput

    @extend_schema(
        operation_id="cases_plan_draft_safety_measures_change",
        request=SafetyMeasureInput,
        responses=PlanVersionDetailSerializer,
    )
    def post(self, request, pk, measure_pk):
        return super().post(request, pk, measure_pk=measure_pk)

    def perform(self, request, case, measure_pk):
        measure = _draft_measure(request, case, measure_pk)
        data = valid(SafetyMeasureInput, request, case=case)
        services.safety_measure_update(actor=request.user, measure=measure, request=request, **data)
        return measure.plan_version.number


@extend_schema(request=DraftVersionInput, responses=PlanVersionDetailSerializer)
class SafetyMeasureRemoveView(_PlanStepView):
    """Remove a safety measure from the draft."""

    input_serializer = DraftVersionInput

    def perform(self, request, case, measure_pk):
        measure = _draft_measure(request, case, measure_pk)
        data = valid(DraftVersionInput, request)
        services.safety_measure_remove(
            actor=request.user, measure=measure, expected_version=data["expected_version"], request=request
        )
        return measure.plan_version.number


@extend_schema(request=ApproveInput, responses=PlanVersionDetailSerializer)
class PlanApproveView(_PlanStepView):
    """Approve the draft (coordinator): as coordinator, or recording the approval of the
    operational team in its meeting. The first approval schedules the evaluations."""

    input_serializer = ApproveInput
    object_rule = "case.coordinate"

    def perform(self, request, case, **kwargs):
        draft = _draft_of(request, case)
        data = valid(ApproveInput, request)
        services.plan_approve(actor=request.user, plan=draft, request=request, **data)
        return draft.number


@extend_schema(request=ReviseInput, responses={201: PlanVersionDetailSerializer})
class PlanReviseView(_PlanStepView):
    """The situation changed (case director or coordinator): back to planning with a new
    draft copied from the plan in force, which stays readable."""

    input_serializer = ReviseInput
    object_rule = "case.direct"
    created = True

    def perform(self, request, case, **kwargs):
        data = valid(ReviseInput, request)
        plan = services.plan_revise(
            actor=request.user,
            case=case,
            reason=data["reason"],
            expected_version=data["expected_version"],
            request=request,
        )
        return plan.number


class SelfRelianceView(GenericAPIView):
    """Self-reliance (ZRM) scores at the start of the plan: the latest per life domain,
    and recording them."""

    access_policy = VIEW_RULE
    serializer_class = ScoreSerializer
    pagination_class = None

    @extend_schema(responses=ScoreSerializer(many=True))
    def get(self, request, pk):
        case = _case(request, pk)
        return Response(
            ScoreSerializer(selectors.start_self_reliance(user=request.user, case=case), many=True).data
        )

    @extend_schema(request=SelfRelianceInput, responses={201: ScoreSerializer(many=True)})
    def post(self, request, pk):
        case = _case(request, pk)
        may(request.user, ("plan.edit", "case.direct"), case)
        data = valid(SelfRelianceInput, request)
        services.self_reliance_record(actor=request.user, case=case, scores=data["scores"], request=request)
        scores = selectors.start_self_reliance(user=request.user, case=case)
        return Response(ScoreSerializer(scores, many=True).data, status=status.HTTP_201_CREATED)


# --- Views: execution ---------------------------------------------------------------------


class _CaseCollectionView(GenericAPIView):
    """A list of the case (``rows``) and adding to it (``create``, under ``rule``)."""

    access_policy = VIEW_RULE
    pagination_class = None
    output: type[serializers.Serializer]
    input_serializer: type[serializers.Serializer]
    rule = "case.contribute"

    def get_serializer_class(self):
        return self.output

    def rows(self, user, case: Case) -> list:
        raise NotImplementedError

    def create(self, request, case: Case, data: dict):
        """Write through the service; returns the new row as the list shows it."""
        raise NotImplementedError

    def list_rows(self, request, pk):
        case = _case(request, pk)
        return Response(self.output(self.rows(request.user, case), many=True).data)

    def create_row(self, request, pk):
        case = _case(request, pk)
        may(request.user, self.rule, case)
        data = valid(self.input_serializer, request, case=case)
        row = self.create(request, case, data)
        return Response(self.output(row).data, status=status.HTTP_201_CREATED)


def _pick(rows, pk):
    return next(r for r in rows if r.pk == pk)


class ActionsView(_CaseCollectionView):
    """The case's actions (open ones first, by due date), and adding one: under a goal of
    the plan, or on the case's action list."""

    output, input_serializer = ActionSerializer, ActionInput

    def rows(self, user, case):
        return selectors.case_actions(user=user, case=case)

    def create(self, request, case, data):
        action = services.action_create(actor=request.user, case=case, request=request, **data)
        return selectors.action_get(user=request.user, pk=action.pk)

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request, pk):
        return self.list_rows(request, pk)

    @extend_schema(request=ActionInput, responses={201: ActionSerializer})
    def post(self, request, pk):
        return self.create_row(request, pk)


class ContactsView(_CaseCollectionView):
    """Contacts with the family (newest first), and logging one."""

    output, input_serializer = ContactSerializer, ContactInput

    def rows(self, user, case):
        return selectors.case_contacts(user=user, case=case)

    def create(self, request, case, data):
        contact = services.contact_log(actor=request.user, case=case, request=request, **data)
        return _pick(selectors.case_contacts(user=request.user, case=case), contact.pk)

    @extend_schema(responses=ContactSerializer(many=True))
    def get(self, request, pk):
        return self.list_rows(request, pk)

    @extend_schema(request=ContactInput, responses={201: ContactSerializer})
    def post(self, request, pk):
        return self.create_row(request, pk)


class ReferralsView(_CaseCollectionView):
    """Referrals to services (those on a waiting list say for how long), and recording one."""

    output, input_serializer = ReferralSerializer, ReferralInput

    def rows(self, user, case):
        return selectors.case_referrals(user=user, case=case)

    def create(self, request, case, data):
        referral = services.referral_create(actor=request.user, case=case, request=request, **data)
        return _pick(selectors.case_referrals(user=request.user, case=case), referral.pk)

    @extend_schema(responses=ReferralSerializer(many=True))
    def get(self, request, pk):
        return self.list_rows(request, pk)

    @extend_schema(request=ReferralInput, responses={201: ReferralSerializer})
    def post(self, request, pk):
        return self.create_row(request, pk)


class TraumaScreeningsView(_CaseCollectionView):
    """Trauma screening per person, and recording it (again for the same person: updated)."""

    output, input_serializer = TraumaScreeningSerializer, TraumaScreeningInput

    def rows(self, user, case):
        return selectors.case_trauma_screenings(user=user, case=case)

    def create(self, request, case, data):
        screening = services.trauma_screening_record(actor=request.user, case=case, request=request, **data)
        return _pick(selectors.case_trauma_screenings(user=request.user, case=case), screening.pk)

    @extend_schema(responses=TraumaScreeningSerializer(many=True))
    def get(self, request, pk):
        return self.list_rows(request, pk)

    @extend_schema(request=TraumaScreeningInput, responses={201: TraumaScreeningSerializer})
    def post(self, request, pk):
        return self.create_row(request, pk)


class PoliceInterventionsView(_CaseCollectionView):
    """Police interventions at the family (newest first), and recording one: police or
    coordinator, also after closure (the follow-up's before/after measure)."""

    output, input_serializer = PoliceInterventionSerializer, PoliceInterventionInput
    rule = "plan.police_record"

    def rows(self, user, case):
        return selectors.case_police_interventions(user=user, case=case)

    def create(self, request, case, data):
        intervention = services.police_intervention_record(
            actor=request.user, case=case, request=request, **data
        )
        return _pick(selectors.case_police_interventions(user=request.user, case=case), intervention.pk)

    @extend_schema(responses=PoliceInterventionSerializer(many=True))
    def get(self, request, pk):
        return self.list_rows(request, pk)

    @extend_schema(request=PoliceInterventionInput, responses={201: PoliceInterventionSerializer})
    def post(self, request, pk):
        return self.create_row(request, pk)


def _case_object(request, case: Case, get, pk):
    """An object of this case (through its selector), else "not found"."""
    obj = get(user=request.user, pk=pk)
    if obj.case_id != case.pk:
        raise Http404
    obj.case = case
    return obj


@extend_schema(request=ActionStatusInput, responses=ActionSerializer)
class ActionStatusView(GenericAPIView):
    """Change an action's status: open, in progress, done, or cannot be done (with the reason)."""

    access_policy = VIEW_RULE
    serializer_class = ActionStatusInput

    def post(self, request, pk, action_pk):
        case = _case(request, pk)
        action = _case_object(request, case, selectors.action_get, action_pk)
        may(request.user, "plan.action_status", action)
        data = valid(ActionStatusInput, request)
        services.action_set_status(actor=request.user, action=action, request=request, **data)
        return Response(ActionSerializer(selectors.action_get(user=request.user, pk=action_pk)).data)


@extend_schema(request=ReferralStatusInput, responses=ReferralSerializer)
class ReferralStatusView(GenericAPIView):
    """Change a referral's status: waiting dates the waiting list, started the start."""

    access_policy = VIEW_RULE
    serializer_class = ReferralStatusInput

    def post(self, request, pk, referral_pk):
        case = _case(request, pk)
        referral = _case_object(request, case, selectors.referral_get, referral_pk)
        may(request.user, "case.contribute", case)
        data = valid(ReferralStatusInput, request)
        services.referral_set_status(actor=request.user, referral=referral, request=request, **data)
        return Response(
            ReferralSerializer(
                _pick(selectors.case_referrals(user=request.user, case=case), referral.pk)
            ).data
        )


class EvaluationsView(GenericAPIView):
    """The case's evaluations from the method profile, each with how it stands against
    its due date; held ones with their progress per goal and ZRM scores."""

    access_policy = VIEW_RULE
    serializer_class = EvaluationSerializer
    pagination_class = None

    @extend_schema(responses=EvaluationSerializer(many=True))
    def get(self, request, pk):
        case = _case(request, pk)
        return Response(
            EvaluationSerializer(selectors.case_evaluations(user=request.user, case=case), many=True).data
        )


@extend_schema(request=EvaluationHoldInput, responses=EvaluationSerializer)
class EvaluationHoldView(GenericAPIView):
    """Hold an evaluation (case director or coordinator): progress of every goal of the
    plan in force, optional ZRM scores, and the decision — continue, a new plan version
    (the case goes back to planning) or close (the closure's guards apply)."""

    access_policy = VIEW_RULE
    serializer_class = EvaluationHoldInput

    def post(self, request, pk, evaluation_pk):
        case = _case(request, pk)
        evaluation = _case_object(request, case, selectors.evaluation_get, evaluation_pk)
        may(request.user, "case.direct", case)
        data = valid(EvaluationHoldInput, request)
        services.evaluation_hold(actor=request.user, evaluation=evaluation, request=request, **data)
        evaluations = selectors.case_evaluations(user=request.user, case=_case(request, pk))
        return Response(EvaluationSerializer(_pick(evaluations, evaluation.pk)).data)
