"""Protocols and the emergency contact sheet (under /cooperation/protocols/)."""

from django.urls import path

from cooperation.views import contacts, protocols

urlpatterns = [
    path("", protocols.protocol_list, name="protocol_list"),
    path("new/", protocols.protocol_create, name="protocol_create"),
    path(
        "municipality/<slug:slug>/",
        protocols.municipality_protocols,
        name="municipality_protocols",
    ),
    path("ngo/<slug:slug>/", protocols.ngo_protocols, name="ngo_protocols"),
    path("<int:pk>/", protocols.protocol_detail, name="protocol_detail"),
    path("<int:pk>/edit/", protocols.protocol_edit, name="protocol_edit"),
    path("<int:pk>/document/", protocols.protocol_document, name="protocol_document"),
    path("<int:pk>/parties/", protocols.protocol_party_add, name="protocol_party_add"),
    path(
        "<int:pk>/parties/<int:party_pk>/remove/",
        protocols.protocol_party_remove,
        name="protocol_party_remove",
    ),
    path(
        "<int:pk>/parties/<int:party_pk>/commitments/",
        protocols.protocol_commitment_add,
        name="protocol_commitment_add",
    ),
    path(
        "<int:pk>/commitments/<int:commitment_pk>/remove/",
        protocols.protocol_commitment_remove,
        name="protocol_commitment_remove",
    ),
    path("<int:pk>/propose/", protocols.protocol_propose, name="protocol_propose"),
    path("<int:pk>/withdraw/", protocols.protocol_withdraw, name="protocol_withdraw"),
    path("<int:pk>/accept/", protocols.protocol_accept, name="protocol_accept"),
    path("<int:pk>/decline/", protocols.protocol_decline, name="protocol_decline"),
    path("<int:pk>/terminate/", protocols.protocol_terminate, name="protocol_terminate"),
    path("contacts/", contacts.contact_sheet, name="contact_sheet"),
    path("contacts/<str:fmt>/", contacts.contact_sheet_export, name="contact_sheet_export"),
]
