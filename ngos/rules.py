"""Who may do what with NGOs."""

import rules

from portal.access import roles_of
from portal.rules import is_site_admin


@rules.predicate
def is_member_of(user, ngo):
    return ngo is not None and ngo.pk in roles_of(user).ngo_ids


@rules.predicate
def is_admin_of(user, ngo):
    return ngo is not None and ngo.pk in roles_of(user).ngo_admin_ids


@rules.predicate
def coordinates_ngo(user, ngo):
    return ngo is not None and roles_of(user).coordinates_subregion(ngo.province.subregion_id)


rules.add_perm("ngos.view_members", is_member_of | coordinates_ngo | is_site_admin)
rules.add_perm("ngos.change_ngo", is_admin_of | is_site_admin)
