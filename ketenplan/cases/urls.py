from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("register/", views.register, name="register"),
    path("register/proposals/", views.person_proposals, name="person_proposals"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/roles/", views.member_roles, name="member_roles"),
    path("<int:pk>/partners/add/", views.partner_add, name="partner_add"),
    path("<int:pk>/case-director/", views.director, name="director"),
    path("<int:pk>/steps/admissibility/", views.admissibility, name="admissibility"),
    path("<int:pk>/steps/intake-done/", views.intake_done, name="intake_done"),
    path("<int:pk>/steps/dossier-ready/", views.dossier_ready, name="dossier_ready"),
    path("<int:pk>/steps/start-execution/", views.start_execution, name="start_execution"),
    path("<int:pk>/steps/close/", views.close, name="close"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]
