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


# Rules (not permissions): a superuser's has_perm is always true, but a site administrator only
# reads an activation; the views test these with ``rules.test_rule``.
ACTIVATION_RULES = {
    # Opening: municipal managers (for their municipalities) and coordinators (for their area).
    "cooperation.open_activation": is_municipal_manager | is_coordinator,
    # The board (NGOs' answers, contacts on site, the log): the officers and site administrators.
    "cooperation.view_board": runs_activation | is_site_admin,
    # Calling, changing needs and states, deciding offers, closing: the officers.
    "cooperation.run_activation": runs_activation,
    "cooperation.answer_call": answers_call,
}
for _name, _predicate in ACTIVATION_RULES.items():
    rules.add_rule(_name, _predicate)

# --- end of activations --------------------------------------------------------------------------
