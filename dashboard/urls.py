"""The front page, the dashboard and the account's own data (names without a namespace)."""

from django.urls import path

from dashboard.views import account, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("accounts/my-data.json", account.my_data, name="my_data"),
    path("accounts/delete/", account.account_delete_view, name="account_delete"),
]
