"""The plan and execution pages of a case; mounted under ``/cases/``."""

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    # The plan
    path("<int:pk>/plan/", views.case_plan, name="case_plan"),
    path("<int:pk>/plan/start/", views.plan_start, name="plan_start"),
    path("<int:pk>/plan/revise/", views.plan_revise, name="plan_revise"),
    path("<int:pk>/plan/discard/", views.plan_discard, name="plan_discard"),
    path("<int:pk>/plan/approve/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/plan/goals/add/", views.goal_add, name="goal_add"),
    path("<int:pk>/plan/goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/plan/goals/<int:goal_pk>/remove/", views.goal_remove, name="goal_remove"),
    path("<int:pk>/plan/safety/add/", views.measure_add, name="measure_add"),
    path("<int:pk>/plan/safety/<int:measure_pk>/", views.measure_edit, name="measure_edit"),
    path(
        "<int:pk>/plan/safety/<int:measure_pk>/remove/",
        views.measure_remove,
        name="measure_remove",
    ),
    path("<int:pk>/plan/self-reliance/", views.self_reliance_start, name="self_reliance"),
    path("<int:pk>/plan/versions/<int:number>/", views.plan_version, name="plan_version"),
    path("<int:pk>/plan/compare/", views.plan_compare, name="plan_compare"),
    # Execution and monitoring
    path("<int:pk>/execution/", views.case_execution, name="case_execution"),
    path("<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("<int:pk>/referrals/add/", views.referral_add, name="referral_add"),
    path(
        "<int:pk>/referrals/<int:referral_pk>/status/",
        views.referral_status,
        name="referral_status",
    ),
    path("<int:pk>/trauma-screening/", views.trauma_screening, name="trauma_screening"),
    path("<int:pk>/police-interventions/add/", views.police_add, name="police_add"),
    path(
        "<int:pk>/evaluations/<int:evaluation_pk>/hold/",
        views.evaluation_hold,
        name="evaluation_hold",
    ),
]
