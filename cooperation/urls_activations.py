"""Activations, calls for support, responses, offers and the board (/cooperation/activations/)."""

urlpatterns = []
