"""Dossier pages, mounted under /cases/."""

from django.urls import path

from . import views

app_name = "dossier"
urlpatterns = [
    path("<int:pk>/dossier/", views.case_dossier, name="case_dossier"),
    path("<int:pk>/dossier/contributions/new/", views.contribution_add, name="contribution_add"),
    path(
        "<int:pk>/dossier/contributions/<int:contribution_pk>/",
        views.contribution_detail,
        name="contribution_detail",
    ),
    path(
        "<int:pk>/dossier/contributions/<int:contribution_pk>/correct/",
        views.contribution_correct,
        name="contribution_correct",
    ),
    path(
        "<int:pk>/dossier/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/dossier/requests/new/",
        views.information_request_create,
        name="request_create",
    ),
    path("information-requests/", views.inbox, name="inbox"),
    path("information-requests/<int:request_pk>/", views.information_request_detail, name="request_detail"),
    path(
        "information-requests/<int:request_pk>/answer/",
        views.information_request_answer,
        name="request_answer",
    ),
    path(
        "information-requests/<int:request_pk>/decline/",
        views.information_request_decline,
        name="request_decline",
    ),
    path(
        "information-requests/<int:request_pk>/withdraw/",
        views.information_request_withdraw,
        name="request_withdraw",
    ),
]
