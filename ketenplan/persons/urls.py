from django.urls import path

from . import views

app_name = "persons"
urlpatterns = [
    path("<int:pk>/who-has-seen/", views.who_has_seen, name="who_has_seen"),
    path("<int:pk>/access-export/", views.access_export, name="access_export"),
]
