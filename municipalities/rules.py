"""Who may do what with municipalities."""

import rules

from portal.access import roles_of
from portal.rules import is_site_admin


@rules.predicate
def works_for(user, municipality):
    return municipality is not None and municipality.pk in roles_of(user).municipality_ids


@rules.predicate
def manages(user, municipality):
    return municipality is not None and municipality.pk in roles_of(user).municipality_manager_ids


@rules.predicate
def coordinates_municipality(user, municipality):
    return municipality is not None and roles_of(user).coordinates_subregion(
        municipality.province.subregion_id
    )


rules.add_perm("municipalities.view_municipality", rules.always_allow)
# The public contact details are the municipality's own word: its managers keep them.
rules.add_perm("municipalities.change_municipality_contacts", manages)
rules.add_perm("municipalities.view_staff", works_for | coordinates_municipality | is_site_admin)
# Managers invite colleagues; coordinators of the municipality's sub-region (and site
# administrators) appoint the first manager.
rules.add_perm("municipalities.invite_staff", manages | is_site_admin)
rules.add_perm("municipalities.appoint_manager", coordinates_municipality | is_site_admin)
