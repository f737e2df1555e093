"""The case path in the JSON API: the same selectors, services and access rules as the
web pages, with explicit input and output schemas."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ketenplan.accounts.models import Organisation, Professional
from ketenplan.api.base import may
from ketenplan.audit import reads
from ketenplan.core import policy
from ketenplan.risk import services as risk_services

from . import selectors, services, workflow
from .models import (
    AdmissibilityDecision,
    Case,
    CaseMember,
    ClosureOutcome,
    MemberRole,
    Participation,
    RiskLevel,
    Stage,
    Transition,
    ViolenceKind,
)

# --- Output ---------------------------------------------------------------------------


class CaseListSerializer(serializers.ModelSerializer):
    case_director = serializers.StringRelatedField()
    referring_organisation = serializers.StringRelatedField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "family_label",
            "stage",
            "stage_changed_at",
            "registered_at",
            "is_repeat",
            "risk_level",
            "case_director",
            "referring_organisation",
            "closure_kind",
            "version",
        ]


class MemberSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    birth_date = serializers.DateField(source="person.birth_date", read_only=True)

    class Meta:
        model = CaseMember
        fields = ["id", "person_id", "name", "birth_date", "roles"]

    def get_name(self, member) -> str:
        return str(member.person)


class ParticipationSerializer(serializers.ModelSerializer):
    organisation = serializers.StringRelatedField()
    organisation_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Participation
        fields = ["organisation_id", "organisation", "kind", "since"]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = Transition
        fields = ["name", "from_stage", "to_stage", "actor", "reason", "at"]


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    possible = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True)


class CaseDetailSerializer(CaseListSerializer):
    repeat_of = serializers.SerializerMethodField(
        help_text="The earlier case this registration repeats, when the caller may see it; "
        "otherwise null (is_repeat still says that it is a repeat)."
    )
    members = serializers.SerializerMethodField()
    participations = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "reason",
            "violence_kinds",
            "crisis_measures",
            "repeat_of",
            "plan_approved_on",
            "closed_at",
            "members",
            "participations",
            "steps",
        ]

    def get_repeat_of(self, case) -> int | None:
        # Another organisation's earlier case: not even its id for those outside it.
        source = selectors.visible_repeat_source(user=self.context["request"].user, case=case)
        return source.pk if source is not None else None

    @extend_schema(responses=MemberSerializer(many=True))
    def get_members(self, case) -> list:
        user = self.context["request"].user
        return MemberSerializer(selectors.case_members(user=user, case=case), many=True).data

    def get_participations(self, case) -> list:
        active = case.participations.filter(until__isnull=True).select_related("organisation")
        return ParticipationSerializer(active, many=True).data

    def get_steps(self, case) -> list:
        steps = workflow.available_steps(case)
        refusals = workflow.refusals(case, steps)
        return [
            {
                "name": s.name,
                "label": str(s.label),
                "possible": refusals[s.name] is None,
                "refusal": refusals[s.name],
            }
            for s in steps
        ]


# --- Input ----------------------------------------------------------------------------


class NewPersonSerializer(serializers.Serializer):
    given_names = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200)
    name_prefix = serializers.CharField(max_length=50, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    national_number = serializers.CharField(max_length=20, required=False, allow_blank=True)


class MemberInputSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=MemberRole.choices), min_length=1)
    person_id = serializers.IntegerField(
        required=False, help_text="An existing person (from /api/persons/matches/)."
    )
    new_person = NewPersonSerializer(required=False)

    def validate(self, data):
        if bool(data.get("person_id")) == bool(data.get("new_person")):
            raise serializers.ValidationError("Give either person_id or new_person.")
        return data


class RegisterSerializer(serializers.Serializer):
    family_label = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    violence_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ViolenceKind.choices), min_length=1
    )
    crisis_measures = serializers.CharField(required=False, allow_blank=True, default="")
    members = MemberInputSerializer(many=True, min_length=1)


class VersionedSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(help_text="The case version you read; a newer one gives 409.")


class AdmissibilitySerializer(VersionedSerializer):
    answers = serializers.DictField(
        child=serializers.DictField(),
        help_text="{criterion: {met: bool, note: str}} for every criterion: "
        + ", ".join(AdmissibilityDecision.Criterion.values),
    )
    advice = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WeighingSerializer(VersionedSerializer):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    reasoning = serializers.CharField()
    advice = serializers.CharField(required=False, allow_blank=True, default="")


class OptionalVersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The case version you read; when given, a newer one gives 409.",
    )


class DirectorSerializer(OptionalVersionSerializer):
    professional_id = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(VersionedSerializer):
    outcome = serializers.ChoiceField(choices=ClosureOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    confirm_open_requests = serializers.BooleanField(default=False)


class PartnerSerializer(OptionalVersionSerializer):
    organisation_id = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MemberAddSerializer(MemberInputSerializer):
    expected_version = serializers.IntegerField(help_text="The case version you read; a newer one gives 409.")


class MemberRolesSerializer(VersionedSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=MemberRole.choices), min_length=1)


class FollowUpSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=10000, help_text="Was the family registered again? Did the police have to come back?"
    )


# --- Views ----------------------------------------------------------------------------


class CaseListView(GenericAPIView):
    access_policy = "case.list"
    serializer_class = CaseListSerializer

    def get_queryset(self):
        return selectors.case_list(
            user=self.request.user,
            stage=self.request.query_params.get("stage", ""),
            q=self.request.query_params.get("q", ""),
            # The selector's allow-list: an unknown key gives the default order, no error.
            ordering=self.request.query_params.get("ordering", ""),
        )

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("stage", str, description="Only cases at this stage."),
            OpenApiParameter("q", str, description="Part of the reference or the family label."),
            OpenApiParameter(
                "ordering",
                str,
                enum=[
                    f"{sign}{key}"
                    for key in ("reference", "family_label", "stage_changed_at", "registered_at")
                    for sign in ("", "-")
                ],
                description="Sort order; '-' for descending. Default: -registered_at.",
            ),
        ],
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        reads.note_objects("cases.case", [case.pk for case in page])
        return self.get_paginated_response(CaseListSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_register", request=RegisterSerializer, responses={201: CaseDetailSerializer}
    )
    def post(self, request):
        policy.require(request.user, "case.register")
        data = _valid(RegisterSerializer, request)
        case = services.case_register(
            actor=request.user,
            request=request,
            members=[_member_spec(request, m) for m in data["members"]],
            **{k: data[k] for k in ("family_label", "reason", "violence_kinds", "crisis_measures")},
        )
        return _detail(request, case.pk, status.HTTP_201_CREATED)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _person(user, person_id):
    """A person to link into the case by id: only one the user already knows from a case
    their organisation may see, so ids cannot be used to fish for other people. (A person
    known elsewhere is linked through the web registration, which re-checks the duplicate
    proposal.)"""
    from ketenplan.persons.selectors import persons_known_to

    policy.require(user, "persons.find_matches")
    return get_object_or_404(persons_known_to(user=user), pk=person_id)


def _detail(request, pk, code=status.HTTP_200_OK):
    case = selectors.case_get(user=request.user, pk=pk)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=code)


class CaseDetailView(GenericAPIView):
    access_policy = "case.list"
    serializer_class = CaseDetailSerializer

    def get(self, request, pk):
        return _detail(request, pk)


class CaseTransitionsView(GenericAPIView):
    access_policy = "case.list"
    serializer_class = TransitionSerializer
    pagination_class = None

    def get(self, request, pk):
        case = selectors.case_get(user=request.user, pk=pk)
        return Response(TransitionSerializer(case.transitions.select_related("actor"), many=True).data)


class _StepView(GenericAPIView):
    """POST one step of the case path; answers with the case as it is afterwards.

    Outsiders get "not found" (``case_get``); a participant without the step's rule
    (``object_rule``) gets "forbidden", as on the web pages."""

    access_policy = "case.list"
    input_serializer: type[serializers.Serializer]
    object_rule: str | tuple[str, ...] = ()
    perform = None  # set by _step_view: (view, request, case, data) -> None

    def get_serializer_class(self):
        return self.input_serializer

    def post(self, request, pk, **kwargs):
        case = selectors.case_get(user=request.user, pk=pk)
        if self.object_rule:
            may(request.user, self.object_rule, case)
        self.perform(request, case, _valid(self.input_serializer, request))
        return _detail(request, pk)


def _step_view(name, serializer, perform_fn, doc, rule=()):
    view = type(
        name,
        (_StepView,),
        {
            "input_serializer": serializer,
            "object_rule": rule,
            "perform": lambda self, request, case, data: perform_fn(request, case, data),
            "__doc__": doc,
        },
    )
    return extend_schema(request=serializer, responses=CaseDetailSerializer, summary=doc)(view)


AdmissibilityView = _step_view(
    "AdmissibilityView",
    AdmissibilitySerializer,
    lambda r, c, d: services.admissibility_decide(
        actor=r.user,
        case=c,
        request=r,
        answers=d["answers"],
        advice=d["advice"],
        expected_version=d["expected_version"],
    ),
    "Record the admissibility decision (coordinator).",
    "case.decide_admissibility",
)
IntakeCompleteView = _step_view(
    "IntakeCompleteView",
    NoteSerializer,
    lambda r, c, d: services.intake_complete(
        actor=r.user, case=c, request=r, note=d["note"], expected_version=d["expected_version"]
    ),
    "Intake done: the dossier is built next.",
    "case.coordinate",
)
DossierReadyView = _step_view(
    "DossierReadyView",
    NoteSerializer,
    lambda r, c, d: services.dossier_ready(
        actor=r.user, case=c, request=r, note=d["note"], expected_version=d["expected_version"]
    ),
    "The dossier is ready for risk weighing.",
    "case.weigh",
)
WeighingView = _step_view(
    "WeighingView",
    WeighingSerializer,
    lambda r, c, d: risk_services.weighing_confirm(
        actor=r.user,
        case=c,
        request=r,
        level=d["level"],
        reasoning=d["reasoning"],
        advice=d["advice"],
        expected_version=d["expected_version"],
    ),
    "The team confirms the risk weighing on the case's final assessments (at least one; the "
    "level may be raised above the proposal, never lowered): high goes on to a plan, low or "
    "medium closes with advice.",
    "case.weigh",
)
StartExecutionView = _step_view(
    "StartExecutionView",
    VersionedSerializer,
    lambda r, c, d: services.execution_start(
        actor=r.user, case=c, request=r, expected_version=d["expected_version"]
    ),
    "Start execution (needs an approved plan and a case director).",
    "case.direct",
)
CloseView = _step_view(
    "CloseView",
    CloseSerializer,
    lambda r, c, d: services.case_close(actor=r.user, case=c, request=r, **d),
    "Close the case with its outcome and a follow-up date.",
    "case.direct",
)


def _appoint(request, case, data):
    professional = get_object_or_404(
        Professional.objects.filter(organisation__region_id=case.region_id, is_active=True),
        pk=data["professional_id"],
    )
    services.case_director_appoint(
        actor=request.user,
        case=case,
        professional=professional,
        reason=data["reason"],
        expected_version=data["expected_version"],
        request=request,
    )


def _add_partner(request, case, data):
    organisation = get_object_or_404(
        Organisation.objects.filter(region_id=case.region_id), pk=data["organisation_id"]
    )
    services.participation_add(
        actor=request.user,
        case=case,
        organisation=organisation,
        reason=data["reason"],
        expected_version=data["expected_version"],
        request=request,
    )


CaseDirectorView = _step_view(
    "CaseDirectorView",
    DirectorSerializer,
    _appoint,
    "Appoint or replace the case director (coordinator).",
    "case.coordinate",
)
PartnerView = _step_view(
    "PartnerView",
    PartnerSerializer,
    _add_partner,
    "Add a partner organisation (with a signed cooperation agreement).",
    ("case.coordinate", "case.direct"),
)
MemberRolesView = _step_view(
    "MemberRolesView",
    MemberRolesSerializer,
    lambda r, c, d: services.case_member_set_roles(
        actor=r.user,
        member=_member(r, c),
        roles=d["roles"],
        expected_version=d["expected_version"],
        request=r,
    ),
    "Change the roles of a family member in the case.",
    "case.add_member",
)
FollowUpView = _step_view(
    "FollowUpView",
    FollowUpSerializer,
    lambda r, c, d: services.closure_follow_up_record(actor=r.user, case=c, note=d["note"], request=r),
    "Record the follow-up check some time after closure.",
    "case.direct",
)


def _member(request, case):
    member = selectors.member_get(
        user=request.user, case=case, pk=request.parser_context["kwargs"]["member_pk"]
    )
    member.case = case
    return member


def _member_spec(request, data) -> services.MemberSpec:
    if data.get("person_id"):
        return services.MemberSpec(roles=data["roles"], person=_person(request.user, data["person_id"]))
    return services.MemberSpec(roles=data["roles"], new_person=dict(data["new_person"]))


class MembersView(GenericAPIView):
    """The family members of a case, and adding one (an existing person or a new one)."""

    access_policy = "case.list"
    serializer_class = MemberSerializer
    pagination_class = None

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request, pk):
        case = selectors.case_get(user=request.user, pk=pk)
        return Response(
            MemberSerializer(selectors.case_members(user=request.user, case=case), many=True).data
        )

    @extend_schema(request=MemberAddSerializer, responses={201: CaseDetailSerializer})
    def post(self, request, pk):
        case = selectors.case_get(user=request.user, pk=pk)
        may(request.user, "case.add_member", case)
        data = _valid(MemberAddSerializer, request)
        services.case_member_add(
            actor=request.user,
            case=case,
            spec=_member_spec(request, data),
            expected_version=data["expected_version"],
            request=request,
        )
        return _detail(request, pk, status.HTTP_201_CREATED)


__all__ = ["Stage"]
