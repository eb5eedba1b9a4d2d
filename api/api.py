"""The JSON API at /api/v1/ (django-ninja): its OpenAPI 3 schema at /api/v1/openapi.json and
its documentation page at /api/v1/docs (Swagger UI served from the pinned django-ninja
package's static files, no CDN, within the Content-Security-Policy).

Every error is JSON ``{"detail": …, "errors": …}`` in the request's language (Accept-Language;
Turkish by default): invalid or unknown parameters 400, a missing or bad token 401, anything
out of reach 404, too many requests 429, an unexpected failure 500 (logged)."""

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from api.endpoints import private, public
from api.errors import UnknownParameters

logger = logging.getLogger(__name__)

DESCRIPTION = """
Read-only JSON API of the Belediye–STK İş Birliği Portalı.

* **Public** endpoints need no key: the reference geography with the municipalities' public
  contacts, verified NGOs (public fields only), disaster capabilities in aggregate, programmes,
  campaigns, categories and the public statistics (no group of fewer than five NGOs is shown,
  nor one that could be worked out from the others).
* **Token holders** (coordinators, municipal staff) create a personal access token on their
  profile page and send it as `Authorization: Bearer <token>`: it reads what the person may read
  in the portal (cases, report figures), and nothing else (404).
* Lists are paginated with an opaque `cursor` (`next_cursor`, `next`) and `limit` (1–200).
  Unknown query parameters are refused (400). `q` ignores case and Turkish letters
  (`sanliurfa` finds Şanlıurfa). Dates are ISO 8601 with their offset (Türkiye time).
* Responses carry `ETag` and `Last-Modified`; send `If-None-Match` or `If-Modified-Since`
  to get a `304 Not Modified`. Rate limits per client (token, else address): `429` with
  `Retry-After`. Public endpoints allow cross-origin GET (CORS).
* The same data as files: `/open-data/` (CC BY 4.0).
"""


class Renderer(JSONRenderer):
    # Turkish letters as they are, not as \u escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Renderer(),
    title="Belediye–STK İş Birliği Portalı API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"layout": "BaseLayout", "deepLinking": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", public.router)
api.add_router("/", private.router)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": str(detail), "errors": errors}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [
        {
            "parameter": ".".join(str(part) for part in error.get("loc", ())[1:])
            or ".".join(str(part) for part in error.get("loc", ())),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return _error(request, 400, _("Invalid parameters."), errors)


@api.exception_handler(UnknownParameters)
def _unknown(request, exc):
    errors = [{"parameter": name, "message": _("Unknown parameter.")} for name in exc.names]
    return _error(request, 400, exc.message, errors)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _error(request, exc.status_code, exc.message)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    response = _error(
        request, 401, _("This endpoint needs a personal access token: Authorization: Bearer …")
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Exception)
def _failure(request, exc):
    logger.exception("API failure at %s", request.path, exc_info=exc)
    return _error(request, 500, _("Something went wrong on our side; it has been logged."))
