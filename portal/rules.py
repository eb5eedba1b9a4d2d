"""Role predicates (django-rules) shared by every app; app rules combine these."""

import rules

from portal.access import roles_of


@rules.predicate
def is_ngo_member(user):
    return roles_of(user).is_ngo_member


@rules.predicate
def is_ngo_admin(user):
    return roles_of(user).is_ngo_admin


@rules.predicate
def is_municipal_staff(user):
    return roles_of(user).is_municipal_staff


@rules.predicate
def is_municipal_manager(user):
    return roles_of(user).is_municipal_manager


@rules.predicate
def is_coordinator(user):
    return roles_of(user).is_coordinator


@rules.predicate
def is_national_coordinator(user):
    return roles_of(user).is_national_coordinator


@rules.predicate
def is_site_admin(user):
    return roles_of(user).is_site_admin


rules.add_perm("portal.view_dashboard", rules.is_authenticated)
rules.add_perm("portal.view_coordination", is_coordinator | is_site_admin)
