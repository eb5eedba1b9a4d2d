"""URLs of the people pages and of invitations, mounted at the root (portal/urls.py).

The paths are those of the NGO and municipality pages they belong to (``/ngos/<slug>/members/``,
``/municipalities/<slug>/staff/``); the names are in the ``members`` namespace because Django
gives a namespace to one include only.
"""

from django.urls import path

from members.views import invitations
from members.views.people import (
    MUNICIPAL_STAFF,
    NGO_MEMBERS,
    invitation_revoke_view,
    member_invite,
    member_leave,
    member_list,
    member_remove_view,
    member_role,
)
from ngos.views.addresses import follow_former_address

app_name = "members"

ngo = {"people": NGO_MEMBERS}
municipality = {"people": MUNICIPAL_STAFF}

urlpatterns = [
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    # An NGO's members
    path("ngos/<slug:slug>/members/", follow_former_address(member_list), ngo, name="members"),
    path(
        "ngos/<slug:slug>/members/invite/", follow_former_address(member_invite), ngo, name="invite"
    ),
    path(
        "ngos/<slug:slug>/invitations/<int:pk>/revoke/",
        follow_former_address(invitation_revoke_view),
        ngo,
        name="invitation_revoke",
    ),
    path(
        "ngos/<slug:slug>/members/<int:pk>/role/",
        follow_former_address(member_role),
        ngo,
        name="member_role",
    ),
    path(
        "ngos/<slug:slug>/members/<int:pk>/remove/",
        follow_former_address(member_remove_view),
        ngo,
        name="member_remove",
    ),
    path("ngos/<slug:slug>/leave/", follow_former_address(member_leave), ngo, name="leave"),
    # A municipality's staff
    path("municipalities/<slug:slug>/staff/", member_list, municipality, name="staff"),
    path(
        "municipalities/<slug:slug>/staff/invite/",
        member_invite,
        municipality,
        name="staff_invite",
    ),
    path(
        "municipalities/<slug:slug>/staff/<int:pk>/role/",
        member_role,
        municipality,
        name="staff_role",
    ),
    path(
        "municipalities/<slug:slug>/staff/<int:pk>/remove/",
        member_remove_view,
        municipality,
        name="staff_remove",
    ),
    path(
        "municipalities/<slug:slug>/staff/invitations/<int:pk>/revoke/",
        invitation_revoke_view,
        municipality,
        name="staff_invitation_revoke",
    ),
]
