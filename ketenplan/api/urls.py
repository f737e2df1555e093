from django.urls import path

from ketenplan.cases import api as cases_api
from ketenplan.dossier import api as dossier_api
from ketenplan.plans import api as plans_api

from . import docs, views

app_name = "api"
urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("persons/matches/", views.PersonMatchesView.as_view(), name="person_matches"),
    path("cases/", cases_api.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", cases_api.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/transitions/", cases_api.CaseTransitionsView.as_view(), name="case_transitions"),
    path("cases/<int:pk>/admissibility/", cases_api.AdmissibilityView.as_view(), name="case_admissibility"),
    path(
        "cases/<int:pk>/intake-complete/", cases_api.IntakeCompleteView.as_view(), name="case_intake_complete"
    ),
    path("cases/<int:pk>/dossier-ready/", cases_api.DossierReadyView.as_view(), name="case_dossier_ready"),
    path("cases/<int:pk>/risk-weighing/", cases_api.WeighingView.as_view(), name="case_weighing"),
    path("cases/<int:pk>/case-director/", cases_api.CaseDirectorView.as_view(), name="case_director"),
    path("cases/<int:pk>/partners/", cases_api.PartnerView.as_view(), name="case_partners"),
    path(
        "cases/<int:pk>/start-execution/", cases_api.StartExecutionView.as_view(), name="case_start_execution"
    ),
    path("cases/<int:pk>/close/", cases_api.CloseView.as_view(), name="case_close"),
    path("cases/<int:pk>/follow-up/", cases_api.FollowUpView.as_view(), name="case_follow_up"),
    path("cases/<int:pk>/members/", cases_api.MembersView.as_view(), name="case_members"),
    path(
        "cases/<int:pk>/members/<int:member_pk>/roles/",
        cases_api.MemberRolesView.as_view(),
        name="case_member_roles",
    ),
    # The dossier
    path("cases/<int:pk>/contributions/", dossier_api.ContributionsView.as_view(), name="contributions"),
    path(
        "cases/<int:pk>/contributions/<int:contribution_pk>/",
        dossier_api.ContributionDetailView.as_view(),
        name="contribution_detail",
    ),
    path(
        "cases/<int:pk>/contributions/<int:contribution_pk>/correct/",
        dossier_api.ContributionCorrectView.as_view(),
        name="contribution_correct",
    ),
    path(
        "cases/<int:pk>/contributions/<int:contribution_pk>/attachments/",
        dossier_api.ContributionAttachmentsView.as_view(),
        name="contribution_attachments",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_pk>/",
        dossier_api.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "cases/<int:pk>/information-requests/",
        dossier_api.CaseInformationRequestsView.as_view(),
        name="case_information_requests",
    ),
    path("information-requests/", dossier_api.InboxView.as_view(), name="information_request_inbox"),
    path(
        "information-requests/<int:request_pk>/",
        dossier_api.InformationRequestDetailView.as_view(),
        name="information_request_detail",
    ),
    path(
        "information-requests/<int:request_pk>/answer/",
        dossier_api.AnswerView.as_view(),
        name="information_request_answer",
    ),
    path(
        "information-requests/<int:request_pk>/decline/",
        dossier_api.DeclineView.as_view(),
        name="information_request_decline",
    ),
    path(
        "information-requests/<int:request_pk>/withdraw/",
        dossier_api.WithdrawView.as_view(),
        name="information_request_withdraw",
    ),
    # The plan
    path("cases/<int:pk>/plan/versions/", plans_api.PlanVersionsView.as_view(), name="plan_versions"),
    path(
        "cases/<int:pk>/plan/versions/<int:number>/",
        plans_api.PlanVersionDetailView.as_view(),
        name="plan_version",
    ),
    path("cases/<int:pk>/plan/compare/", plans_api.PlanCompareView.as_view(), name="plan_compare"),
    path("cases/<int:pk>/plan/approve/", plans_api.PlanApproveView.as_view(), name="plan_approve"),
    path("cases/<int:pk>/plan/revise/", plans_api.PlanReviseView.as_view(), name="plan_revise"),
    path(
        "cases/<int:pk>/plan/self-reliance/", plans_api.SelfRelianceView.as_view(), name="plan_self_reliance"
    ),
    path(
        "cases/<int:pk>/plan/draft/discard/", plans_api.DraftDiscardView.as_view(), name="plan_draft_discard"
    ),
    path("cases/<int:pk>/plan/draft/goals/", plans_api.GoalAddView.as_view(), name="plan_goal_add"),
    path(
        "cases/<int:pk>/plan/draft/goals/<int:goal_pk>/",
        plans_api.GoalChangeView.as_view(),
        name="plan_goal_change",
    ),
    path(
        "cases/<int:pk>/plan/draft/goals/<int:goal_pk>/remove/",
        plans_api.GoalRemoveView.as_view(),
        name="plan_goal_remove",
    ),
    path(
        "cases/<int:pk>/plan/draft/safety-measures/",
        plans_api.SafetyMeasureAddView.as_view(),
        name="plan_measure_add",
    ),
    path(
        "cases/<int:pk>/plan/draft/safety-measures/<int:measure_pk>/",
        plans_api.SafetyMeasureChangeView.as_view(),
        name="plan_measure_change",
    ),
    path(
        "cases/<int:pk>/plan/draft/safety-measures/<int:measure_pk>/remove/",
        plans_api.SafetyMeasureRemoveView.as_view(),
        name="plan_measure_remove",
    ),
    # Execution and monitoring
    path("cases/<int:pk>/actions/", plans_api.ActionsView.as_view(), name="actions"),
    path(
        "cases/<int:pk>/actions/<int:action_pk>/status/",
        plans_api.ActionStatusView.as_view(),
        name="action_status",
    ),
    path("cases/<int:pk>/contacts/", plans_api.ContactsView.as_view(), name="contacts"),
    path("cases/<int:pk>/referrals/", plans_api.ReferralsView.as_view(), name="referrals"),
    path(
        "cases/<int:pk>/referrals/<int:referral_pk>/status/",
        plans_api.ReferralStatusView.as_view(),
        name="referral_status",
    ),
    path(
        "cases/<int:pk>/trauma-screenings/",
        plans_api.TraumaScreeningsView.as_view(),
        name="trauma_screenings",
    ),
    path(
        "cases/<int:pk>/police-interventions/",
        plans_api.PoliceInterventionsView.as_view(),
        name="police_interventions",
    ),
    path("cases/<int:pk>/evaluations/", plans_api.EvaluationsView.as_view(), name="evaluations"),
    path(
        "cases/<int:pk>/evaluations/<int:evaluation_pk>/hold/",
        plans_api.EvaluationHoldView.as_view(),
        name="evaluation_hold",
    ),
]
