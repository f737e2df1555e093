from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invite/", views.invite, name="invite"),
    path("professionals/", views.directory, name="directory"),
    path("organisations/", views.organisations, name="organisations"),
]
