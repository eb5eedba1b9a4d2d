"""Rendering a page or, for an htmx request, one of its django-template-partials fragments."""

from django.shortcuts import render


def fragment_only(request) -> bool:
    """Whether ``render_page`` answers this request with a fragment (so the rest of the page's
    context need not be built)."""
    return bool(request.htmx and not request.htmx.boosted)


def render_page(request, template, context, *, fragment="results", fragment_context=None):
    """Render ``template``, or only its ``{% partialdef fragment %}`` for a (non-boosted) htmx
    request, with ``fragment_context`` added in that case only.

    Use it for a GET page whose filters, search or pagination htmx refreshes in place: the same
    view answers the full page without JavaScript (and for boosted links) and the fragment
    otherwise. An htmx POST that answers with a fragment of another state renders it directly.
    """
    if fragment_only(request):
        return render(request, f"{template}#{fragment}", {**context, **(fragment_context or {})})
    return render(request, template, context)
