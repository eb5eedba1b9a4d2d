"""Unique URL slugs from Turkish text (see portal.turkish.tr_slugify)."""

from django.db import models

from portal.turkish import tr_slugify


def unique_slug(
    queryset_or_model,
    text: str,
    *,
    max_length: int,
    fallback: str,
    reserved=frozenset(),
    exclude_pk=None,
    field: str = "slug",
) -> str:
    """A slug from the text, cut to ``max_length``, that no other row and no reserved path takes.

    Text without letters or digits gives ``fallback``; a taken slug gets "-2", "-3", … The
    caller's unique constraint is the backstop against a concurrent insert of the same slug.
    """
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model)
        else queryset_or_model
    )
    base = tr_slugify(text)[:max_length].strip("-") or fallback
    taken = set(
        queryset.filter(**{f"{field}__startswith": base})
        .exclude(pk=exclude_pk)
        .values_list(field, flat=True)
    )
    taken |= set(reserved)
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
