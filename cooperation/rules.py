"""Who may do what in cooperation (django-rules). Object lookups still go through scoped
querysets (``Activation.objects.visible_to``): these rules decide what a user may do with an
object they can see."""

import rules

from portal.access import roles_of
from portal.rules import is_coordinator, is_municipal_manager, is_site_admin

# --- activations ---------------------------------------------------------------------------------


@rules.predicate
def runs_activation(user, activation):
    """The activating municipality's staff and the coordinators of the activation's area."""
    from cooperation.services.activations import runs_activation as runs

    return activation is not None and runs(user, activation)


@rules.predicate
def answers_call(user, call):
    return call is not None and call.ngo_id in roles_of(user).ngo_ids


# Opening: municipal managers (for their municipalities) and coordinators (for their area).
rules.add_perm("cooperation.open_activation", is_municipal_manager | is_coordinator)
# The board (NGOs' answers, contacts on site, the log): the officers and site administrators.
rules.add_perm("cooperation.view_board", runs_activation | is_site_admin)
# Calling, changing needs and states, deciding offers, closing: the officers.
rules.add_perm("cooperation.run_activation", runs_activation)
rules.add_perm("cooperation.answer_call", answers_call)

# --- end of activations --------------------------------------------------------------------------
