"""Who may do what with NGOs (django-rules). Object lookups still go through scoped querysets
(``NGO.objects.visible_to``/``administered_by``/``coordinated_by``); these rules decide what a
user may do with an object they can see."""

import rules

from portal.access import roles_of
from portal.rules import is_coordinator, is_municipal_staff, is_site_admin


@rules.predicate
def is_member_of(user, ngo):
    return ngo is not None and ngo.pk in roles_of(user).ngo_ids


@rules.predicate
def is_admin_of(user, ngo):
    return ngo is not None and ngo.pk in roles_of(user).ngo_admin_ids


@rules.predicate
def coordinates_ngo(user, ngo):
    return ngo is not None and roles_of(user).coordinates_subregion(ngo.province.subregion_id)


can_verify = coordinates_ngo | is_site_admin

# Profile, members and capabilities: the NGO's administrators (and site administrators).
rules.add_perm("ngos.change_ngo", is_admin_of | is_site_admin)
rules.add_perm("ngos.manage_members", is_admin_of | is_site_admin)
rules.add_perm("ngos.view_members", is_member_of | coordinates_ngo | is_site_admin)
rules.add_perm("ngos.manage_capabilities", is_admin_of | is_site_admin)
# Verification: coordinators of the NGO's sub-region, national coordinators, site administrators.
rules.add_perm("ngos.view_verification_queue", is_coordinator | is_site_admin)
rules.add_perm("ngos.verify_ngo", can_verify)
# The disaster-capability directory with contacts: municipal staff and coordinators.
rules.add_perm("ngos.search_capabilities", is_municipal_staff | is_coordinator | is_site_admin)
# Contacts an NGO keeps private are shown to municipal staff, coordinators and its own members.
rules.add_perm(
    "ngos.view_private_contacts",
    is_member_of | is_municipal_staff | is_coordinator | is_site_admin,
)
# Bulk import of NGOs: coordinators (rows outside their sub-regions are refused).
rules.add_perm("ngos.import_ngos", is_coordinator | is_site_admin)
rules.add_perm("ngos.register_ngo", rules.is_authenticated)
