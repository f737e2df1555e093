"""Consent and emergency-access pages, mounted under /cases/."""

from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("<int:pk>/consent/", views.overview, name="overview"),
    path("<int:pk>/consent/<int:member_pk>/record/", views.consent_record, name="record"),
    path("<int:pk>/consent/<int:member_pk>/withdraw/", views.consent_withdraw, name="withdraw"),
    path("<int:pk>/consent/<int:member_pk>/legal-basis/", views.legal_basis_record, name="legal_basis"),
    path(
        "<int:pk>/consent/legal-basis/<int:basis_pk>/end/",
        views.legal_basis_end,
        name="legal_basis_end",
    ),
    path("<int:pk>/consent/<int:member_pk>/not-asked/", views.not_asked_record, name="not_asked"),
    path("emergency/", views.emergency_open, name="emergency"),
    path("emergency/review/", views.emergency_review_list, name="emergency_review_list"),
    path("emergency/review/<int:access_pk>/", views.emergency_review, name="emergency_review"),
    path("emergency/<int:access_pk>/", views.emergency_opened, name="emergency_opened"),
]
