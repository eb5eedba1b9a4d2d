"""The API's errors: always JSON ``{"detail": …, "errors": […]}`` in the request's language."""

from django.utils.translation import gettext as _
from ninja.errors import HttpError


class UnknownParameters(HttpError):
    def __init__(self, names):
        super().__init__(400, _("Unknown query parameters."))
        self.names = sorted(names)


def refuse_unknown(request, *schemas) -> None:
    """A 400 for query parameters that none of ``schemas`` (ninja Schemas) declares."""
    allowed = set()
    for schema in schemas:
        allowed |= {field.alias or name for name, field in schema.model_fields.items()}
    unknown = set(request.GET) - allowed
    if unknown:
        raise UnknownParameters(unknown)
