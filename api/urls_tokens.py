"""The personal access tokens of the signed-in person, under /accounts/tokens/."""

from django.urls import path

from api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
