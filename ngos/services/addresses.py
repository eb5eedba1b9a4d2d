"""An NGO's web address (slug): made from its name, given anew when the name changes, and the
former addresses kept (NGOSlugHistory) so that they redirect to the current one."""

from ngos.models import NGO, NGOSlugHistory
from portal.slugs import unique_slug
from portal.turkish import tr_slugify

# Paths under /ngos/ that an NGO's slug must never take.
RESERVED_SLUGS = {
    "register",
    "verification",
    "capabilities",
    "import",
    "join",
    "invitations",
    "export",
    "new",
    "search",
    "options",
}
SLUG_LENGTH = 200
FALLBACK = "stk"


def ngo_unique_slug(name: str, *, exclude_pk=None) -> str:
    """A slug from the name that keeps every Turkish letter and is neither taken, reserved, nor
    another NGO's former address (which must keep redirecting to that NGO)."""
    base = tr_slugify(name)[:SLUG_LENGTH].strip("-") or FALLBACK
    former = NGOSlugHistory.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        former = former.exclude(ngo_id=exclude_pk)
    return unique_slug(
        NGO,
        name,
        max_length=SLUG_LENGTH,
        fallback=FALLBACK,
        reserved=RESERVED_SLUGS | set(former.values_list("slug", flat=True)),
        exclude_pk=exclude_pk,
    )


def ngo_address_follow_name(*, ngo: NGO, old_name: str) -> bool:
    """Give a renamed NGO the address of its new name and keep the old one as a former address.

    Call it when a new name is actually applied (a direct edit, or an approved change of
    identity), with the NGO's row locked. Sets ``ngo.slug`` (the caller saves it) and returns
    whether it changed. Side effects: inserts an NGOSlugHistory row; deletes the NGO's own
    former address when it takes it back (renamed back to an earlier name).
    """
    if ngo.name == old_name:
        return False
    slug = ngo_unique_slug(ngo.name, exclude_pk=ngo.pk)
    if slug == ngo.slug:
        return False
    NGOSlugHistory.objects.filter(ngo=ngo, slug=slug).delete()
    NGOSlugHistory.objects.create(ngo=ngo, slug=ngo.slug)
    ngo.slug = slug
    return True


def ngo_current_slug(slug: str) -> tuple[int, str] | None:
    """The NGO (its id) and current slug behind a former address, or None."""
    return NGOSlugHistory.objects.filter(slug=slug).values_list("ngo_id", "ngo__slug").first()
