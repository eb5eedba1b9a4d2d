"""Who may do what with campaigns and submissions (django-rules)."""

import rules

from portal.access import roles_of
from portal.rules import is_coordinator, is_national_coordinator, is_site_admin


@rules.predicate
def is_member_of_ngo(user, submission_or_ngo):
    ngo_id = getattr(submission_or_ngo, "ngo_id", None) or getattr(submission_or_ngo, "pk", None)
    return ngo_id in roles_of(user).ngo_ids


@rules.predicate
def coordinates_ngo(user, submission_or_ngo):
    ngo = getattr(submission_or_ngo, "ngo", submission_or_ngo)
    return roles_of(user).coordinates_subregion(ngo.province.subregion_id)


rules.add_perm("surveys.manage_campaigns", is_national_coordinator | is_site_admin)
rules.add_perm("surveys.view_progress", is_coordinator | is_site_admin)
# Members of the NGO write its submission; coordinators of its sub-region may enter it for them.
rules.add_perm("surveys.edit_submission", is_member_of_ngo | coordinates_ngo)
rules.add_perm("surveys.enter_on_behalf", coordinates_ngo)
