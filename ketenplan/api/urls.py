from django.urls import path

from ketenplan.cases import api as cases_api

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
]
