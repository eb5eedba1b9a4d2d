"""URLs of /ngos/. Fixed paths come before ``<slug>/``: the directory's routes are last.
The members pages (``<slug>/members/``…) are in members/urls.py. Every page of an NGO follows
its former addresses after a rename (``follow_former_address``)."""

from django.urls import path

from ngos.views import capabilities, directory, documents, imports, onboarding, verification
from ngos.views.addresses import follow_former_address

app_name = "ngos"
urlpatterns = [
    # Verification queue (coordinators)
    path("verification/", verification.verification_queue, name="verification_queue"),
    path(
        "verification/<slug:slug>/",
        follow_former_address(verification.verification_detail),
        name="verification_detail",
    ),
    path(
        "verification/<slug:slug>/decide/",
        follow_former_address(verification.verification_decide),
        name="verification_decide",
    ),
    path(
        "verification/<slug:slug>/identity-change/<int:pk>/decide/",
        follow_former_address(verification.verification_identity_change_decide),
        name="identity_change_decide",
    ),
    # Disaster capabilities
    path("capabilities/", capabilities.capability_search, name="capability_search"),
    path("capabilities/export.csv", capabilities.capability_export, name="capability_export"),
    path(
        "<slug:slug>/capabilities/",
        follow_former_address(capabilities.capability_list),
        name="capabilities",
    ),
    path(
        "<slug:slug>/capabilities/confirm/",
        follow_former_address(capabilities.capabilities_confirm_view),
        name="capabilities_confirm",
    ),
    path(
        "<slug:slug>/capabilities/<int:pk>/edit/",
        follow_former_address(capabilities.capability_edit),
        name="capability_edit",
    ),
    path(
        "<slug:slug>/capabilities/<int:pk>/delete/",
        follow_former_address(capabilities.capability_delete_view),
        name="capability_delete",
    ),
    # Bulk import (coordinators)
    path("import/", imports.import_upload, name="import_upload"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/cancel/", imports.import_cancel, name="import_cancel"),
    # Registration, profile and join requests
    path("register/", onboarding.ngo_register, name="register"),
    path("<slug:slug>/edit/", follow_former_address(onboarding.ngo_edit), name="edit"),
    path(
        "<slug:slug>/documents/",
        follow_former_address(documents.ngo_documents),
        name="documents",
    ),
    path(
        "<slug:slug>/documents/<uuid:pk>/remove/",
        follow_former_address(documents.ngo_document_remove_view),
        name="document_remove",
    ),
    path(
        "<slug:slug>/identity-change/withdraw/",
        follow_former_address(onboarding.identity_change_withdraw_view),
        name="identity_change_withdraw",
    ),
    path("<slug:slug>/join/", follow_former_address(onboarding.join_request), name="join_request"),
    path(
        "<slug:slug>/join/withdraw/",
        follow_former_address(onboarding.join_request_withdraw_view),
        name="join_request_withdraw",
    ),
    path(
        "<slug:slug>/join-requests/",
        follow_former_address(onboarding.join_request_list),
        name="join_requests",
    ),
    path(
        "<slug:slug>/join-requests/<int:pk>/decide/",
        follow_former_address(onboarding.join_request_decide_view),
        name="join_request_decide",
    ),
    # The public directory: "" and "<slug>/" last
    path("", directory.ngo_list, name="list"),
    path("<slug:slug>/", follow_former_address(directory.ngo_detail), name="detail"),
]
