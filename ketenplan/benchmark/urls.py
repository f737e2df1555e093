from django.urls import path

from . import views

app_name = "benchmark"
urlpatterns = [path("floor/", views.floor, name="floor")]
