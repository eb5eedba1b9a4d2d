from django.urls import path

from municipalities import views

app_name = "municipalities"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("places/", views.place_options, name="place_options"),
    path("<slug:slug>/staff/", views.staff_list, name="staff"),
    path("<slug:slug>/staff/invite/", views.staff_invite, name="staff_invite"),
    path("<slug:slug>/staff/<int:pk>/role/", views.staff_role, name="staff_role"),
    path("<slug:slug>/staff/<int:pk>/remove/", views.staff_remove, name="staff_remove"),
    path(
        "<slug:slug>/staff/invitations/<int:pk>/revoke/",
        views.staff_invitation_revoke,
        name="staff_invitation_revoke",
    ),
    path("<slug:slug>/", views.municipality_detail, name="detail"),
]
