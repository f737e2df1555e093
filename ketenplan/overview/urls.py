from django.urls import path

from . import views

app_name = "overview"
urlpatterns = [
    path("board/", views.board, name="board"),
]
