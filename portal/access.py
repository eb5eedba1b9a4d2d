"""What may this user see and do: the roles a user holds, read once per request.

Roles come from memberships: NGO member/admin (ngos.Membership), municipal staff/manager
(municipalities.MunicipalStaff), coordinator of sub-regions or of the nation
(portal.CoordinatorAssignment), and site administrator (``is_staff``). A person may hold several.
The predicates in ``portal/rules.py`` and the ``visible_to(user)`` QuerySet methods are built on
``roles_of``; later features add to them rather than re-deriving roles.

The base imports no domain app: each app that contributes roles registers a *role source* in its
``AppConfig.ready()`` (``register_role_source``), a function of the user that returns some of the
``Roles`` fields (one query each).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

_CACHE_ATTR = "_portal_roles"


@dataclass(frozen=True)
class Roles:
    ngo_ids: frozenset[int] = field(default_factory=frozenset)
    ngo_admin_ids: frozenset[int] = field(default_factory=frozenset)
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    municipality_manager_ids: frozenset[int] = field(default_factory=frozenset)
    subregion_ids: frozenset[int] = field(default_factory=frozenset)
    is_national_coordinator: bool = False
    is_site_admin: bool = False

    @property
    def is_ngo_member(self) -> bool:
        return bool(self.ngo_ids)

    @property
    def is_ngo_admin(self) -> bool:
        return bool(self.ngo_admin_ids)

    @property
    def is_municipal_staff(self) -> bool:
        return bool(self.municipality_ids)

    @property
    def is_municipal_manager(self) -> bool:
        return bool(self.municipality_manager_ids)

    @property
    def is_coordinator(self) -> bool:
        return self.is_national_coordinator or bool(self.subregion_ids)

    @property
    def has_any_role(self) -> bool:
        return (
            self.is_ngo_member
            or self.is_municipal_staff
            or self.is_coordinator
            or self.is_site_admin
        )

    def coordinates_subregion(self, subregion_id: int | None) -> bool:
        return self.is_national_coordinator or (
            subregion_id is not None and subregion_id in self.subregion_ids
        )


ANONYMOUS = Roles()

RoleSource = Callable[[object], dict]
_role_sources: list[RoleSource] = []


def register_role_source(source: RoleSource) -> None:
    """Add a function ``source(user) -> {Roles field: value}`` that ``roles_of`` consults."""
    if source not in _role_sources:
        _role_sources.append(source)


def roles_of(user) -> Roles:
    """The user's roles, one small query per source, cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    from portal.models import CoordinatorAssignment

    assignments = list(
        CoordinatorAssignment.objects.filter(user=user).values_list("subregion_id", flat=True)
    )
    fields = {
        "subregion_ids": frozenset(s for s in assignments if s is not None),
        "is_national_coordinator": any(s is None for s in assignments),
        "is_site_admin": bool(user.is_staff),
    }
    for source in _role_sources:
        fields.update(source(user))
    roles = Roles(**fields)
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles after a membership change within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
