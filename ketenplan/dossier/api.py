"""The dossier in the JSON API: contributions with their corrections and documents, and
information requests. The same selectors, services and access rules as the dossier
pages, with explicit input and output schemas.

Reads that the pages record in the audit trail (opening the dossier, a contribution, a
request, downloading a document) are recorded here too, through the same services.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ketenplan.accounts.models import Organisation
from ketenplan.api.base import EnumField, name_of, valid
from ketenplan.cases.selectors import case_get
from ketenplan.core import policy

from . import selectors, services
from . import views as pages
from .models import InformationRequest

# --- Output ---------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField(help_text="The type found by content, not the uploader's word.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment) -> str:
        return reverse("api:attachment_download", args=[attachment.case_id, attachment.pk])


class ContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    life_domain = serializers.CharField(source="life_domain.key")
    life_domain_name = serializers.CharField(source="life_domain.name")
    about_person_id = serializers.IntegerField(allow_null=True)
    about_person = name_of()
    organisation_id = serializers.IntegerField()
    organisation = name_of()
    author = name_of()
    text = serializers.CharField()
    occurred_on = serializers.DateField()
    source = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    supersedes_id = serializers.IntegerField(allow_null=True, help_text="The earlier version this corrects.")
    correction_reason = serializers.CharField()
    attachments = AttachmentSerializer(many=True)


class ContributionEntrySerializer(serializers.Serializer):
    """A current contribution, its earlier versions (newest first) and whether you may
    correct it."""

    contribution = ContributionSerializer()
    history = ContributionSerializer(many=True)
    can_correct = serializers.BooleanField()


class ContributionVersionsSerializer(serializers.Serializer):
    """Every readable version of a contribution, newest (current) first."""

    versions = ContributionSerializer(many=True)
    can_correct = serializers.BooleanField()


class InformationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_reference = serializers.CharField(source="case.reference")
    family_label = serializers.CharField(source="case.family_label")
    to_organisation_id = serializers.IntegerField()
    to_organisation = name_of()
    about_person_id = serializers.IntegerField(allow_null=True)
    about_person = name_of()
    question = serializers.CharField()
    due_on = serializers.DateField()
    status = EnumField(InformationRequest.Status, name="InformationRequestStatus")
    is_overdue = serializers.BooleanField()
    requested_by = name_of()
    requesting_organisation = name_of(source="requested_by.organisation")
    requested_at = serializers.DateTimeField()
    answer = serializers.SerializerMethodField(
        help_text="Empty when answer_withheld: an answer about a person whose consent (or a legal basis) "
        "does not cover your organisation."
    )
    answer_withheld = serializers.SerializerMethodField(
        help_text="There is an answer, but only the organisation that answered may read it."
    )
    answered_by = name_of()
    answered_at = serializers.DateTimeField(allow_null=True)
    status_reason = serializers.CharField()
    updated_at = serializers.DateTimeField()
    updated_by = name_of()
    version = serializers.IntegerField(help_text="Send it back as expected_version when you answer.")

    def get_answer(self, request_obj) -> str:
        return "" if getattr(request_obj, "answer_withheld", False) else request_obj.answer

    def get_answer_withheld(self, request_obj) -> bool:
        return bool(getattr(request_obj, "answer_withheld", False))


class InformationRequestDetailSerializer(InformationRequestSerializer):
    can_answer = serializers.SerializerMethodField(help_text="You may answer or decline it.")
    can_withdraw = serializers.SerializerMethodField()

    def get_can_answer(self, request_obj) -> bool:
        return policy.can(self.context["request"].user, "dossier.answer_request", request_obj)

    def get_can_withdraw(self, request_obj) -> bool:
        return policy.can(self.context["request"].user, "dossier.withdraw_request", request_obj)


# --- Input ----------------------------------------------------------------------------


class _CaseChoices(serializers.Serializer):
    """Input whose choices (life domains, persons, organisations) come from the
    selectors for the case and user in the context, like the forms of the pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case, request = self.context.get("case"), self.context.get("request")
        if case is None or request is None:
            return  # the schema generator: no choices needed
        user = request.user
        for field_name, field in self.fields.items():
            source = self.choices_for(field_name, user, case)
            if source is not None:
                getattr(field, "child_relation", field).queryset = source

    def choices_for(self, field_name, user, case):
        if field_name == "life_domain":
            return selectors.life_domain_choices()
        if field_name == "about_person":
            return selectors.case_persons(user=user, case=case)
        if field_name == "to_organisation":
            return selectors.request_recipients(user=user, case=case)
        return None


def _life_domain(**kwargs):
    from ketenplan.methods.models import LifeDomain

    return serializers.SlugRelatedField(
        slug_field="key",
        queryset=LifeDomain.objects.none(),
        help_text="The key of an active life domain of the method.",
        **kwargs,
    )


def _person(**kwargs):
    from ketenplan.persons.models import Person

    return serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(),
        allow_null=True,
        help_text="A family member of the case (person id); null or absent: the family as a whole.",
        **kwargs,
    )


class ContributionInputSerializer(_CaseChoices):
    life_domain = _life_domain()
    about_person = _person(required=False, default=None)
    occurred_on = serializers.DateField(help_text="The date of the information.")
    source = serializers.CharField(max_length=300, help_text="Where the information comes from.")
    text = serializers.CharField()


class CorrectionInputSerializer(_CaseChoices):
    """A new version of the contribution; fields left out keep their value."""

    text = serializers.CharField()
    reason = serializers.CharField(help_text="Why the information is corrected; stays readable.")
    life_domain = _life_domain(required=False)
    about_person = _person(required=False)
    occurred_on = serializers.DateField(required=False)
    source = serializers.CharField(max_length=300, required=False)
    drop_attachments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of documents left out of the new version (the earlier version keeps them).",
    )


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        help_text="PDF, images or office documents; the content is checked, other files are refused.",
    )
    reason = serializers.CharField(
        help_text="Documents are added as a new version of the contribution; say why."
    )


class InformationRequestInputSerializer(_CaseChoices):
    to_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        help_text="The organisation you ask (id): of the region, with a signed agreement, not yours.",
    )
    question = serializers.CharField()
    due_on = serializers.DateField(help_text="The date by which you need the answer.")
    about_person = _person(required=False, default=None)


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField()
    expected_version = serializers.IntegerField(
        help_text="The request version you read; a newer one gives 409."
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    expected_version = serializers.IntegerField(
        help_text="The request version you read; a newer one gives 409."
    )


# --- Views: contributions -------------------------------------------------------------


def _dossier_case(request, pk):
    """The case, when the user may open its dossier; "not found" otherwise."""
    case = case_get(user=request.user, pk=pk)
    policy.require(request.user, "dossier.view", case)
    return case


class ContributionsView(GenericAPIView):
    """The dossier's contributions as the dossier page shows them to you, and adding one."""

    access_policy = "dossier.use"
    serializer_class = ContributionEntrySerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("life_domain", str, description="Only this life domain (key)."),
            OpenApiParameter("about_person", int, description="Only about this person (id)."),
            OpenApiParameter("organisation", int, description="Only of this organisation (id)."),
        ],
        responses=ContributionEntrySerializer(many=True),
    )
    def get(self, request, pk):
        case = _dossier_case(request, pk)
        contributions = selectors.dossier_contributions(user=request.user, case=case)
        filters = _filters(request)
        services.dossier_view_record(actor=request.user, case=case, request=request)
        entries = [e for group in contributions.groups(**filters) for e in group.entries]
        return Response(ContributionEntrySerializer(entries, many=True).data)

    @extend_schema(request=ContributionInputSerializer, responses={201: ContributionSerializer})
    def post(self, request, pk):
        case = _dossier_case(request, pk)
        data = valid(ContributionInputSerializer, request, case=case)
        contribution = services.contribution_add(actor=request.user, case=case, request=request, **data)
        contribution = selectors.contribution_get(user=request.user, case=case, pk=contribution.pk)
        return Response(ContributionSerializer(contribution).data, status=status.HTTP_201_CREATED)


def _filters(request) -> dict:
    """The page's filters: unknown or malformed values are ignored, as on the page."""
    params, filters = request.query_params, {}
    key = params.get("life_domain")
    if key:
        domain = selectors.life_domain_choices().filter(key=key).first()
        filters["life_domain"] = domain.pk if domain else -1
    for param in ("about_person", "organisation"):
        if params.get(param, "").isdigit():
            filters[param] = int(params[param])
    return filters


class ContributionDetailView(GenericAPIView):
    """One contribution with every readable version, newest first."""

    access_policy = "dossier.use"
    serializer_class = ContributionVersionsSerializer

    def get(self, request, pk, contribution_pk):
        case = _dossier_case(request, pk)
        contribution = selectors.contribution_get(user=request.user, case=case, pk=contribution_pk)
        versions = selectors.contribution_versions(user=request.user, contribution=contribution)
        services.contribution_view_record(actor=request.user, contribution=contribution, request=request)
        return Response(
            ContributionVersionsSerializer(
                {
                    "versions": versions,
                    "can_correct": policy.can(request.user, "dossier.correct_contribution", versions[0]),
                }
            ).data
        )


def _correct(request, case, original, **changes):
    correction = services.contribution_correct(
        actor=request.user, original=original, request=request, **changes
    )
    correction = selectors.contribution_get(user=request.user, case=case, pk=correction.pk)
    return Response(ContributionSerializer(correction).data, status=status.HTTP_201_CREATED)


class ContributionCorrectView(GenericAPIView):
    """Correct a contribution of your organisation: a new version that supersedes the
    one in the URL, which stays readable. When that is no longer the current version,
    someone corrected it meanwhile: 409."""

    access_policy = "dossier.use"
    serializer_class = CorrectionInputSerializer

    @extend_schema(request=CorrectionInputSerializer, responses={201: ContributionSerializer})
    def post(self, request, pk, contribution_pk):
        case = _dossier_case(request, pk)
        original = selectors.contribution_get(user=request.user, case=case, pk=contribution_pk)
        data = valid(CorrectionInputSerializer, request, case=case)
        return _correct(request, case, original, **data)


class ContributionAttachmentsView(GenericAPIView):
    """Add documents (multipart upload) to a contribution of your organisation. Like on
    the dossier page, this makes a new version of the contribution with the documents
    added; the content of every file is checked first and a refused file leaves nothing
    behind."""

    access_policy = "dossier.use"
    serializer_class = AttachmentUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: ContributionSerializer},
    )
    def post(self, request, pk, contribution_pk):
        case = _dossier_case(request, pk)
        original = selectors.contribution_get(user=request.user, case=case, pk=contribution_pk)
        data = valid(AttachmentUploadSerializer, request)
        return _correct(
            request, case, original, text=original.text, reason=data["reason"], files=data["files"]
        )


class AttachmentDownloadView(GenericAPIView):
    """Download a document: through the same view as the dossier page (access policy,
    audit, served as a download with the type found by content)."""

    access_policy = "dossier.use"

    def perform_content_negotiation(self, request, force=False):
        # The document is served as it is, whatever type the client says it accepts;
        # only refusals are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk, attachment_pk):
        return pages.attachment_download(request._request, pk=pk, attachment_pk=attachment_pk)


# --- Views: information requests --------------------------------------------------------


class CaseInformationRequestsView(GenericAPIView):
    """The information requests of a case (open ones first), and asking one."""

    access_policy = "dossier.use"
    serializer_class = InformationRequestSerializer
    pagination_class = None

    @extend_schema(responses=InformationRequestSerializer(many=True))
    def get(self, request, pk):
        case = _dossier_case(request, pk)
        rows = selectors.case_information_requests(user=request.user, case=case)
        return Response(InformationRequestSerializer(rows, many=True).data)

    @extend_schema(
        request=InformationRequestInputSerializer, responses={201: InformationRequestDetailSerializer}
    )
    def post(self, request, pk):
        case = _dossier_case(request, pk)
        data = valid(InformationRequestInputSerializer, request, case=case)
        request_obj = services.information_request_create(
            actor=request.user, case=case, request=request, **data
        )
        return _request_detail(request, request_obj.pk, status.HTTP_201_CREATED)


def _request_detail(request, request_pk, code=status.HTTP_200_OK):
    request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
    return Response(
        InformationRequestDetailSerializer(request_obj, context={"request": request}).data, status=code
    )


class InboxView(GenericAPIView):
    """Information requests to my organisation: the open ones by due date, or all."""

    access_policy = "dossier.view_inbox"
    serializer_class = InformationRequestSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[selectors.INBOX_OPEN, selectors.INBOX_ALL],
                description="open (default): open requests of open cases; all: every request.",
            )
        ],
        responses=InformationRequestSerializer(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status")
        inbox_status = selectors.INBOX_ALL if wanted == selectors.INBOX_ALL else selectors.INBOX_OPEN
        rows = selectors.requests_to_my_organisation(user=request.user, status=inbox_status)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(InformationRequestSerializer(page, many=True).data)


class InformationRequestDetailView(GenericAPIView):
    """One request: for the participants of its case and for the organisation asked."""

    access_policy = "dossier.use"
    serializer_class = InformationRequestDetailSerializer

    def get(self, request, request_pk):
        request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
        services.information_request_view_record(actor=request.user, request_obj=request_obj, request=request)
        return Response(InformationRequestDetailSerializer(request_obj, context={"request": request}).data)


class _RequestStepView(GenericAPIView):
    """Answer, decline or withdraw a request; answers with the request afterwards."""

    access_policy = "dossier.use"
    input_serializer: type[serializers.Serializer]
    service = None
    text_field = ""

    def get_serializer_class(self):
        return self.input_serializer

    def post(self, request, request_pk):
        request_obj = selectors.information_request_get(user=request.user, pk=request_pk)
        data = valid(self.input_serializer, request)
        self.service(
            actor=request.user,
            request_obj=request_obj,
            expected_version=data["expected_version"],
            request=request,
            **{self.text_field: data[self.text_field]},
        )
        return _request_detail(request, request_pk)


def _request_step(name_, serializer, service, text_field, doc):
    view = type(
        name_,
        (_RequestStepView,),
        {
            "input_serializer": serializer,
            "service": staticmethod(service),
            "text_field": text_field,
            "__doc__": doc,
        },
    )
    return extend_schema(request=serializer, responses=InformationRequestDetailSerializer, summary=doc)(view)


AnswerView = _request_step(
    "AnswerView",
    AnswerInputSerializer,
    services.information_request_answer,
    "answer",
    "Answer a request to your organisation.",
)
DeclineView = _request_step(
    "DeclineView",
    ReasonInputSerializer,
    services.information_request_decline,
    "reason",
    "Decline a request to your organisation, saying why.",
)
WithdrawView = _request_step(
    "WithdrawView",
    ReasonInputSerializer,
    services.information_request_withdraw,
    "reason",
    "Withdraw a request your organisation asked.",
)
