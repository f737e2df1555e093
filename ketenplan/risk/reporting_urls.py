from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.guide_list, name="guides"),
    path("<int:pk>/", views.guide_detail, name="guide"),
    path("<int:pk>/consultations/", views.consultation_add, name="consultation_add"),
    path("<int:pk>/decision/", views.guide_decide, name="decide"),
    path("<int:pk>/summary/", views.guide_summary, name="summary"),
]
