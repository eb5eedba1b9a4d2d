"""Who may do what with regional programmes (django-rules). Object lookups still go through
``Event.objects.coordinated_by(user)``; these rules decide what a user may do with a programme
they can see."""

import rules

from portal.access import roles_of
from portal.rules import is_coordinator, is_site_admin


@rules.predicate
def coordinates_event(user, event):
    return event is not None and roles_of(user).coordinates_subregion(event.subregion_id)


can_coordinate = coordinates_event | is_site_admin

# Creating programmes: coordinators (in their own sub-regions; the form limits the choice).
rules.add_perm("events.add_event", is_coordinator | is_site_admin)
# Editing, cancelling, minutes and the coordinators' panel of one programme: coordinators of
# its sub-region, national coordinators and site administrators.
rules.add_perm("events.change_event", can_coordinate)
rules.add_perm("events.view_top_expectations", can_coordinate)
# Check-in and attendee exports (used by the registration views).
rules.add_perm("events.manage_registrations", can_coordinate)
# The follow-through of programmes (planned vs held, attendance) of the coordinator's
# sub-regions: every coordinator, for their own sub-regions.
rules.add_perm("events.view_follow_through", is_coordinator | is_site_admin)
