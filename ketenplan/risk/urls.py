from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("<int:case_id>/risk/", views.case_risk, name="case_risk"),
    path("<int:case_id>/risk/new/", views.assessment_new, name="assessment_new"),
    path("<int:case_id>/risk/confirm/", views.weighing_confirm, name="weighing_confirm"),
    path("<int:case_id>/risk/assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("<int:case_id>/risk/assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(
        "<int:case_id>/risk/assessments/<int:pk>/autosave/",
        views.assessment_autosave,
        name="assessment_autosave",
    ),
    path(
        "<int:case_id>/risk/assessments/<int:pk>/judgement/",
        views.assessment_judge,
        name="assessment_judge",
    ),
]
