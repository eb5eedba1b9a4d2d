"""Links for long lists, reversed once.

``reverse()`` walks the URL patterns on every call; a page linking hundreds of rows (the
national report's 1,393 municipalities, the inbox's cases) spent a tenth of its time there.
"""

from django.urls import reverse

# A value every URL converter the portal uses accepts (int, slug, str) and no URL contains.
_MARK = "735773577357"


def link_maker(viewname: str, kwarg: str):
    """A function giving ``reverse(viewname, kwargs={kwarg: value})`` for any value, from one
    reverse() in the current language: the placeholder is replaced by the value."""
    pattern = reverse(viewname, kwargs={kwarg: _MARK})
    return lambda value: pattern.replace(_MARK, str(value))
