"""Around every request under /api/: no cookies, tokens, rate limits, CORS, conditional GET and
JSON errors.

- The API never reads cookies: the session cookie is dropped before the session middleware,
  so a browser signed in to the portal is anonymous here (no CSRF exposure, no account duties
  redirect, and cross-origin reads cannot act as the signed-in person).
- ``Authorization: Bearer <token>`` is checked here (``api.services.tokens``): an unknown,
  expired or revoked token is a 401 on any endpoint; a good one is ``request.api_token``.
- Rate limits per client in a fixed one-minute window (the default cache, Redis when set):
  per token when one is given, otherwise per address (``portal.audit.client_ip``);
  429 with Retry-After.
- Public endpoints (not the token holders' ones) allow cross-origin GET and HEAD from any origin
  (``Access-Control-Allow-Origin: *``, preflight answered here); no credentials are involved.
- Successful GET and HEAD responses get a strong ``ETag`` (SHA-256 of the body) and a
  ``Last-Modified`` (when this exact body was first served, remembered in the cache), and
  ``If-None-Match`` / ``If-Modified-Since`` give a 304.
- Any error response that is not JSON (Django's 404 for an unknown path, 405, 500) is replaced
  by a JSON one.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from api.services.tokens import token_authenticate
from portal.audit import client_ip
from portal.ratelimits import window_hit

logger = logging.getLogger(__name__)

PREFIX = "/api/"
# The token holders' endpoints: no CORS there.
PRIVATE_PREFIXES = ("/api/v1/cases/", "/api/v1/reports/")
CORS_METHODS = "GET, HEAD, OPTIONS"
EXPOSED = "ETag, Last-Modified, Retry-After"
FIRST_SEEN_SECONDS = 7 * 24 * 60 * 60


def json_error(status, detail, errors=None):
    response = JsonResponse({"detail": str(detail), "errors": errors}, status=status)
    return response


def _messages():
    return {
        404: _("Not found."),
        405: _("Method not allowed: this API only reads (GET)."),
        500: _("Something went wrong on our side; it has been logged."),
    }


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        # Errors answered here, before LocaleMiddleware, speak the request's language too.
        with translation.override(translation.get_language_from_request(request)):
            return self._api(request)

    def _api(self, request):
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        request.COOKIES.pop(settings.CSRF_COOKIE_NAME, None)
        public = not request.path_info.startswith(PRIVATE_PREFIXES)
        if request.method == "OPTIONS":
            return (
                self._cors(HttpResponse(status=204), preflight=True)
                if public
                else (self._allow(json_error(405, _messages()[405])))
            )
        response = self._answer(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            response = self._as_json(response)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response = self._conditional(request, response)
        if public:
            self._cors(response)
        return response

    def _answer(self, request):
        request.api_token = None
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        if header and scheme.lower() == "bearer":
            token = token_authenticate(raw.strip(), path=request.path_info)
            if token is None:
                response = json_error(401, _("The access token is unknown, expired or revoked."))
                response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                return response
            request.api_token = token
            key, limit = f"api:token:{token.pk}", settings.API_RATE_LIMIT_TOKEN
        else:
            key, limit = f"api:ip:{client_ip(request)}", settings.API_RATE_LIMIT_ANONYMOUS
        wait = window_hit(key, limit=limit, seconds=60)
        if wait:
            response = json_error(
                429,
                _("Too many requests; try again in %(seconds)s seconds.") % {"seconds": wait},
            )
            response["Retry-After"] = str(wait)
            return response
        return self.get_response(request)

    @staticmethod
    def _as_json(response):
        status = response.status_code
        detail = _messages().get(status) or response.reason_phrase
        replacement = json_error(status, detail)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    @staticmethod
    def _allow(response):
        response["Allow"] = CORS_METHODS
        return response

    @staticmethod
    def _cors(response, preflight=False):
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = EXPOSED
        if preflight:
            response["Access-Control-Allow-Methods"] = CORS_METHODS
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = CORS_METHODS
        return response

    @staticmethod
    def _conditional(request, response):
        if getattr(response, "streaming", False):
            return response
        digest = hashlib.sha256(response.content).hexdigest()
        etag = f'"{digest[:40]}"'
        seen_key = (
            f"api:first-seen:{hashlib.sha256(request.path.encode()).hexdigest()[:16]}:{digest[:40]}"
        )
        now = int(timezone.now().timestamp())
        if not cache.add(seen_key, now, FIRST_SEEN_SECONDS):
            now = cache.get(seen_key, now)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(now)
        # Public data may be kept for a minute by anyone; a token holder's by the client only.
        if request.api_token is None:
            response["Cache-Control"] = "public, max-age=60"
        else:
            response["Cache-Control"] = "private, max-age=0, must-revalidate"
            patch_vary_headers(response, ("Authorization",))
        conditional = get_conditional_response(
            request, etag=etag, last_modified=now, response=response
        )
        return conditional

    def process_exception(self, request, exception):
        if not request.path_info.startswith(PREFIX):
            return None
        logger.exception("API failure at %s", request.path, exc_info=exception)
        return json_error(500, _messages()[500])


class ApiLanguageMiddleware:
    """After LocaleMiddleware, which gives every path without a language prefix the default
    language: the API speaks the language the client asks for (Accept-Language), Turkish by
    default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PREFIX):
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
