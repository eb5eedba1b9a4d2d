"""portal.links.link_maker: the links of a long list from one reverse()."""

from django.urls import reverse
from django.utils import translation

from portal.links import link_maker


def test_a_link_maker_gives_what_reverse_gives_in_the_current_language():
    for language in ("tr", "en"):
        with translation.override(language):
            case, municipality = (
                link_maker("surveys:case", "pk"),
                link_maker("municipalities:detail", "slug"),
            )
            for pk in (1, 70, 735773577):
                assert case(pk) == reverse("surveys:case", kwargs={"pk": pk})
            for slug in ("erzurum-buyuksehir-belediyesi", "oltu-belediyesi"):
                assert municipality(slug) == reverse("municipalities:detail", kwargs={"slug": slug})
