"""URLs of /municipalities/. The staff pages (``<slug>/staff/``…) are in members/urls.py."""

from django.urls import path

from municipalities import views

app_name = "municipalities"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("places/", views.place_options, name="place_options"),
    path("<slug:slug>/", views.municipality_detail, name="detail"),
    path("<slug:slug>/contacts/", views.municipality_contacts_edit, name="contacts_edit"),
]
