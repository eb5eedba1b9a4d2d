from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from portal.htmx import render_page

TEMPLATE = "ngos/ngo_list.html"


def htmx_request(**headers):
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


def test_render_page_gives_the_fragment_to_htmx(monkeypatch):
    rendered = []
    monkeypatch.setattr(
        "portal.htmx.render", lambda request, name, context: rendered.append((name, context))
    )
    render_page(htmx_request(HTTP_HX_REQUEST="true"), TEMPLATE, {"a": 1}, fragment_context={"b": 2})
    assert rendered == [(TEMPLATE + "#results", {"a": 1, "b": 2})]


def test_render_page_gives_the_whole_page_without_htmx_or_when_boosted(monkeypatch):
    rendered = []
    monkeypatch.setattr(
        "portal.htmx.render", lambda request, name, context: rendered.append((name, context))
    )
    render_page(htmx_request(), TEMPLATE, {"a": 1}, fragment_context={"b": 2})
    boosted = htmx_request(HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    render_page(boosted, TEMPLATE, {"a": 1}, fragment="lists")
    assert rendered == [(TEMPLATE, {"a": 1}), (TEMPLATE, {"a": 1})]
