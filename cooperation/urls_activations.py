"""Activations, calls for support, responses, offers and the board (/cooperation/activations/)."""

from django.urls import path

from cooperation.views import activations, calls, offers

urlpatterns = [
    path("", activations.activation_list, name="activations"),
    path("new/", activations.activation_create, name="activation_create"),
    path("public/", offers.public_list, name="public_list"),
    path("public/<int:pk>/", offers.public_detail, name="public_detail"),
    path("<int:pk>/", activations.activation_detail, name="board"),
    path("<int:pk>/propose/", calls.proposal, name="propose"),
    path("<int:pk>/deliveries/retry/", calls.deliveries_retry, name="deliveries_retry"),
    path("<int:pk>/needs/new/", activations.need_create, name="need_create"),
    path("<int:pk>/edit/", activations.activation_edit, name="activation_edit"),
    path("<int:pk>/needs/<int:need>/", activations.need_edit, name="need_edit"),
    path("<int:pk>/needs/<int:need>/delete/", activations.need_delete, name="need_delete"),
    path("<int:pk>/calls/<int:call>/state/", activations.call_state, name="call_state"),
    path("<int:pk>/calls/<int:call>/respond/", calls.respond, name="respond"),
    path("<int:pk>/items/<int:item>/arrived/", activations.item_arrived, name="item_arrived"),
    path("<int:pk>/offers/<int:offer>/decide/", offers.offer_decide_view, name="offer_decide"),
    path("<int:pk>/close/", activations.activation_close_view, name="activation_close"),
    path("<int:pk>/summary/", activations.activation_summary_view, name="summary"),
    path(
        "<int:pk>/summary.csv",
        activations.activation_summary_export,
        {"fmt": "csv"},
        name="summary_csv",
    ),
    path(
        "<int:pk>/summary.xlsx",
        activations.activation_summary_export,
        {"fmt": "xlsx"},
        name="summary_xlsx",
    ),
]
