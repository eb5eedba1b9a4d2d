"""The public NGO directory and the NGO profile page."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from municipalities.models import Province
from ngos.filters import NGOFilter
from ngos.models import NGO, ActivityField, Capability, NGOIdentityChange
from portal.access import roles_of
from portal.htmx import render_page

PAGE_SIZE = 25


def _activity_fields():
    return Prefetch(
        "activity_fields", queryset=ActivityField.objects.order_by("order", "name_sort")
    )


@require_GET
def ngo_list(request):
    """Verified NGOs filtered by place, legal form, field, capability and a Turkish-aware search."""
    filterset = NGOFilter(
        request.GET,
        queryset=NGO.objects.verified()
        .with_place()
        .prefetch_related(_activity_fields())
        .alphabetical(),
    )
    # An invalid filter value shows the form's error and an empty list, never a 500.
    queryset = filterset.qs if filterset.is_valid() else NGO.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    # With htmx, the district list follows the chosen province: swapped in out of band.
    return render_page(
        request, "ngos/ngo_list.html", context, fragment_context={"district_oob": True}
    )


def _private_contacts_note(roles, ngo):
    """Why this user sees contact details the NGO keeps private."""
    if ngo.pk in roles.ngo_ids:
        return _("These contact details are not public: you see them as a member of this NGO.")
    if roles.is_municipal_staff:
        return _(
            "These contact details are not public: you see them because you are municipal staff."
        )
    if roles.is_coordinator:
        return _(
            "These contact details are not public: you see them because you are a coordinator."
        )
    return _("These contact details are not public: you see them as a site administrator.")


@require_GET
def ngo_detail(request, slug):
    """An NGO's profile: public once verified; before that, only its members and coordinators."""
    capabilities = Capability.objects.order_by("kind", "hazard").prefetch_related(
        Prefetch("provinces", queryset=Province.objects.order_by("name_sort"))
    )
    ngo = get_object_or_404(
        NGO.objects.visible_to(request.user)
        .select_related("province__subregion", "district", "municipality")
        .prefetch_related(_activity_fields(), Prefetch("capabilities", queryset=capabilities)),
        slug=slug,
    )
    user, roles = request.user, roles_of(request.user)
    is_member = ngo.pk in roles.ngo_ids
    private_contacts_visible = not ngo.contacts_public and user.has_perm(
        "ngos.view_private_contacts", ngo
    )
    can_edit = user.has_perm("ngos.change_ngo", ngo)
    can_verify = user.has_perm("ngos.verify_ngo", ngo)
    context = {
        "ngo": ngo,
        # Told to those who may act on it only; the public sees the verified identity alone.
        "identity_change_pending": (can_edit or can_verify)
        and NGOIdentityChange.objects.open().filter(ngo=ngo).exists(),
        "show_contacts": ngo.contacts_public or private_contacts_visible,
        "private_contacts_note": _private_contacts_note(roles, ngo)
        if private_contacts_visible
        else "",
        "can_edit": can_edit,
        "can_view_members": user.has_perm("ngos.view_members", ngo),
        "can_manage_capabilities": user.has_perm("ngos.manage_capabilities", ngo),
        "can_verify": can_verify,
        "can_view_documents": ngo.documents_readable_by(user),
        "can_ask_to_join": ngo.is_verified and not is_member,
    }
    return render(request, "ngos/ngo_detail.html", context)
