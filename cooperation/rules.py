"""Who may do what in cooperation (django-rules): protocols and activations. Object lookups
still go through the scoped querysets (``Protocol.objects.visible_to(user)``,
``Activation.objects.visible_to(user)``): these rules decide what a user may do with an object
they can see (a visible object they may not change is a 403, an invisible one a 404)."""

import rules

from portal.access import roles_of
from portal.rules import is_coordinator, is_municipal_manager, is_municipal_staff, is_site_admin


@rules.predicate
def works_for_protocol_municipality(user, protocol):
    return protocol is not None and protocol.municipality_id in roles_of(user).municipality_ids


@rules.predicate
def manages_protocol_municipality(user, protocol):
    return (
        protocol is not None and protocol.municipality_id in roles_of(user).municipality_manager_ids
    )


@rules.predicate
def administers_a_party(user, protocol):
    """The user is an administrator of one of the protocol's NGO parties (parties prefetched
    or not: one query at most)."""
    if protocol is None:
        return False
    admin_ids = roles_of(user).ngo_admin_ids
    return bool(admin_ids) and any(party.ngo_id in admin_ids for party in protocol.parties.all())


# Municipal staff draft protocols for their municipality: the draft, its parties and its
# commitments.
rules.add_perm("cooperation.add_protocol", is_municipal_staff)
rules.add_perm("cooperation.change_protocol", works_for_protocol_municipality)
# The municipality's managers propose it, take it back to draft and terminate it.
rules.add_perm("cooperation.propose_protocol", manages_protocol_municipality)
rules.add_perm("cooperation.terminate_protocol", manages_protocol_municipality)
# Each NGO party's administrators accept it (or decline it) for their organisation.
rules.add_perm("cooperation.respond_to_protocol", administers_a_party)
# The emergency contact sheet: anyone signed in; contacts follow ngos.view_private_contacts.
rules.add_perm("cooperation.view_contact_sheet", rules.is_authenticated)
# Coordinators' view of every protocol of their area.
rules.add_perm("cooperation.view_protocol_coordination", is_coordinator | is_site_admin)

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
