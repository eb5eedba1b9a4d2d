"""Cursor pagination: a page of ``limit`` rows after an opaque cursor.

The cursor is URL-safe base64 of the JSON list of the last row's values of the ordering fields
(a unique ordering, ending with a unique key), so a page is found with an index range, whatever
the page number, and rows added meanwhile never shift a page. Ascending orders only.
"""

import base64
import binascii
import datetime
import json

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(values) -> str:
    def plain(value):
        return value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else value

    data = json.dumps([plain(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list:
    """The values a cursor holds; a 400 for anything that is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
    ):
        raise HttpError(400, _("The cursor is not valid; use the one a previous page gave."))
    return values


def _after(fields, values) -> Q:
    """Rows after ``values`` in the ascending order of ``fields`` (lexicographic)."""
    condition = Q()
    for index in range(len(fields) - 1, -1, -1):
        step = Q(**{f"{fields[index]}__gt": values[index]})
        equal = Q(**{fields[i]: values[i] for i in range(index)})
        condition = (equal & step) if not condition else (equal & step) | condition
    return condition


def _value(row, field):
    if isinstance(row, dict):
        return row[field]
    return getattr(row, field)


def paginate(request, queryset, *, order, cursor, limit, row):
    """The page of ``queryset`` (ordered by the fields ``order``) after ``cursor``: a dict with
    ``results`` (``row`` applied to each) and the ``next_cursor`` and ``next`` URL, or None on
    the last page. One query (plus the queryset's prefetches)."""
    queryset = queryset.order_by(*order)
    values = decode_cursor(cursor, len(order)) if cursor else None
    try:
        if values is not None:
            queryset = queryset.filter(_after(order, values))
        rows = list(queryset[: limit + 1])
    except (ValidationError, ValueError, TypeError) as error:
        raise HttpError(
            400, _("The cursor is not valid; use the one a previous page gave.")
        ) from error
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([_value(rows[-1], f) for f in order]) if more else None
    next_url = None
    if next_cursor:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"next_cursor": next_cursor, "next": next_url, "results": [row(r) for r in rows]}
