"""The permission matrix: every URL pattern of the project × every role, with the outcome the
house rules demand (anonymous → log-in, another organisation's or scope's object → 404, a
visible object the user may not change → 403, GET on an action → 405).

The patterns come from the URL resolver, so a new URL without an entry in ``MATRIX`` fails
``test_matrix_covers_every_url_pattern``. One test per pattern tries every role; each request
runs in a savepoint that is rolled back, so an allowed action does not change what the next
role finds.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import ROLES, World, as_role

pytestmark = pytest.mark.django_db

OK, LOGIN = "ok", "login"

# Patterns left out of the matrix, with the reason.
EXCLUDED_NAMESPACES = {
    # Django's admin guards every page with its own is_staff check (admin_view) and has its own
    # tests; its object URLs are generated per model.
    "admin": "Django admin: guarded by AdminSite.admin_view (is_staff), tested by Django",
    # The JSON API (issue 19) answers with tokens, not sessions: its own matrix of every
    # operation × every role's token is tests/security/test_api_permission_matrix.py.
    "api": "JSON API: tests/security/test_api_permission_matrix.py",
}
EXCLUDED_NAMES = {
    # allauth's internal steps of its own flows: they need a key, a code or a pending flow in the
    # session, and allauth tests them. Its main pages are in the matrix.
    "account_inactive": "allauth: shown only after logging in to an inactive account",
    "account_reauthenticate": "allauth: step of a flow that asks for the password again",
    "account_email_verification_sent": "allauth: shown after sign-up, no data",
    "account_set_password": "allauth: for accounts without a password (social log-in)",
    "account_confirm_login_code": "allauth: needs a pending log-in code in the session",
    "account_confirm_email": "allauth: needs an emailed confirmation key",
    "account_reset_password_done": "allauth: static page after a reset request",
    "account_reset_password_from_key": "allauth: needs an emailed reset key",
    "account_reset_password_from_key_done": "allauth: static page after a reset by key",
    "mfa_authenticate": "allauth.mfa: second step of a log-in, needs a pending log-in",
    "mfa_reauthenticate": "allauth.mfa: step of a flow that asks for the second factor again",
    "mfa_reauthenticate_webauthn": "allauth.mfa: the same with a security key",
    "mfa_deactivate_totp": "allauth.mfa: needs an activated authenticator app (tests/portal)",
    "mfa_view_recovery_codes": "allauth.mfa: 404 until recovery codes exist (tests/portal)",
    "mfa_generate_recovery_codes": "allauth.mfa: needs an authenticator (tests/portal)",
    "mfa_download_recovery_codes": "allauth.mfa: needs recovery codes (tests/portal)",
    "mfa_remove_webauthn": "allauth.mfa: needs a registered security key",
    "mfa_edit_webauthn": "allauth.mfa: needs a registered security key",
}


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield namespace, name, str(entry.pattern)


def project_patterns() -> dict[str, str]:
    """Every named URL pattern of the project (name → route), less the excluded ones."""
    found, unnamed = {}, []
    for namespace, name, route in _walk(get_resolver().url_patterns):
        top = (namespace or "").split(":")[0]
        if top in EXCLUDED_NAMESPACES or name in EXCLUDED_NAMES:
            continue
        if name is None:
            unnamed.append(route)
            continue
        found[name] = route
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    return found


# --- How a matrix entry is written ------------------------------------------------------------

Kwargs = Callable[[World], dict]


def outcomes(default, **overrides) -> dict:
    """The expected outcome of every role: ``default`` unless named otherwise."""
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


@dataclass(frozen=True)
class Check:
    """One request, made as each role named in ``expect``."""

    method: str
    expect: dict
    data: Callable[[World], dict] | None = None
    query: Callable[[World], dict] | None = None
    kwargs: Kwargs | None = None  # another object than the entry's (e.g. a pending NGO)


@dataclass(frozen=True)
class Secret:
    """Text of another organisation's object: the roles in ``shown_to`` find it on the page,
    the roles in ``hidden_from`` get the page (ok) without it."""

    text: Callable[[World], str]
    shown_to: tuple = ()
    hidden_from: tuple = ()


@dataclass(frozen=True)
class Entry:
    kwargs: Kwargs
    checks: tuple
    secret: Secret | None = None


def _none(w):
    return {}


def page(kwargs=_none, expect=None, *, query=None, secret=None, more=()):
    """A page: GET as every role."""
    return Entry(kwargs, (Check("GET", expect, query=query), *more), secret)


def form(kwargs=_none, expect=None, *, data=None):
    """A form page (GET and POST): the same outcome for both; a refusal comes before the
    form is validated, so an empty or minimal POST is enough."""
    return Entry(kwargs, (Check("GET", expect), Check("POST", expect, data=data)))


def action(kwargs=_none, expect=None, *, data=None, anonymous_get=LOGIN, get_as="ngo_member"):
    """A POST-only action: POST as every role, and GET (405) as a signed-in user and as an
    anonymous visitor (a log-in redirect when @login_required wraps @require_POST)."""
    get = Check("GET", {"anonymous": anonymous_get, get_as: 405})
    return Entry(kwargs, (Check("POST", expect, data=data), get))


PUBLIC = outcomes(OK)
SIGNED_IN = outcomes(OK, anonymous=LOGIN)
# Coordinators (any sub-region) and site administrators; others are refused the feature.
COORDINATION = outcomes(
    403,
    anonymous=LOGIN,
    regional_coordinator=OK,
    other_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# The same, on an object of sub-region 14: the other sub-region's coordinator gets a 404.
COORDINATION_OF_14 = {**COORDINATION, "other_coordinator": 404}
# Municipal staff (of any municipality), for features of their own inbox.
MUNICIPAL = outcomes(403, anonymous=LOGIN, municipal_staff=OK, other_municipal_staff=OK)
# The NGO's administrators only (join requests): everyone else, the NGO's members and site
# administrators included, gets a 404 (NGO.objects.administered_by).
NGO_ADMINS = outcomes(404, anonymous=LOGIN, ngo_admin=OK)
# Profile and capabilities: also site administrators (ngos.change_ngo, manage_capabilities).
NGO_PROFILE = {**NGO_ADMINS, "site_admin": OK}
# Members' page of the NGO: its members, coordinators of its sub-region, site administrators.
NGO_MEMBERS_VISIBLE = outcomes(
    404,
    anonymous=LOGIN,
    ngo_member=OK,
    ngo_admin=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# Acting on the members: administrators (and site administrators); other viewers get 403.
NGO_MEMBERS_MANAGE = {
    **NGO_MEMBERS_VISIBLE,
    "ngo_member": 403,
    "regional_coordinator": 403,
    "national_coordinator": 403,
}
# Staff page of the municipality: its staff, coordinators of its sub-region, site admins.
STAFF_VISIBLE = outcomes(
    404,
    anonymous=LOGIN,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
STAFF_MANAGE = {**STAFF_VISIBLE, "regional_coordinator": 403, "national_coordinator": 403}
# A case addressed to the municipality: its staff act; coordinators of its sub-region (and
# site administrators) read it, so an action is a 403 for them; anyone else gets a 404.
CASE_READ = outcomes(
    404,
    anonymous=LOGIN,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
CASE_ACT = {
    **CASE_READ,
    "regional_coordinator": 403,
    "national_coordinator": 403,
    "site_admin": 403,
}
# The NGO's own cases: its members only.
NGO_CASE = outcomes(404, anonymous=LOGIN, ngo_member=OK, ngo_admin=OK)
# A programme of sub-region 14, coordinators' pages: 403 for people who coordinate nothing,
# 404 for the other sub-region's coordinator.
EVENT_COORDINATION = {**COORDINATION_OF_14}
# Attendee exports (personal data) do not even confirm the list to non-coordinators.
EVENT_EXPORT = outcomes(
    404, anonymous=LOGIN, regional_coordinator=OK, national_coordinator=OK, site_admin=OK
)
# Campaign management: national coordinators and site administrators.
CAMPAIGN_MANAGE = outcomes(403, anonymous=LOGIN, national_coordinator=OK, site_admin=OK)
# The NGO's submission: its members and the coordinators of its sub-region (assisted entry).
SUBMISSION = outcomes(
    404,
    anonymous=LOGIN,
    ngo_member=OK,
    ngo_admin=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
)
# The conversation on a case (issue 18): its NGO, its municipality and the coordinators of its
# area read it; anyone else gets a 404 (the other municipality, the other NGO, the other
# sub-region's coordinator). Its files are downloaded by the same people.
CONVERSATION_READ = outcomes(
    404,
    anonymous=LOGIN,
    ngo_member=OK,
    ngo_admin=OK,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# An NGO's documents (its certificate, …): its administrators and the coordinators of its area.
NGO_DOCUMENTS = outcomes(
    404,
    anonymous=LOGIN,
    ngo_admin=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# Uploading and removing them: its administrators; the coordinators who read them get a 403.
NGO_DOCUMENTS_MANAGE = {
    **NGO_DOCUMENTS,
    "regional_coordinator": 403,
    "national_coordinator": 403,
    "site_admin": 403,
}
# Answer templates of the staff's own municipalities.
TEMPLATE_OWN = {**MUNICIPAL, "other_municipal_staff": 404}


# --- cooperation protocols (issue 16) ---
# A protocol is seen by its municipality's staff, the coordinators of its area and (once
# proposed) its NGO parties' people; everyone else gets a 404.
PROTOCOL_READ = outcomes(
    404,
    anonymous=LOGIN,
    ngo_member=OK,
    ngo_admin=OK,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# A draft is the municipality's alone: its staff change it; coordinators read it (403).
PROTOCOL_DRAFT_CHANGE = outcomes(
    404,
    anonymous=LOGIN,
    municipal_staff=OK,
    regional_coordinator=403,
    national_coordinator=403,
    site_admin=403,
)
# Proposing, withdrawing, terminating: the municipality's managers; other viewers get a 403.
PROTOCOL_MANAGE = {
    **PROTOCOL_READ,
    "ngo_member": 403,
    "ngo_admin": 403,
    "regional_coordinator": 403,
    "national_coordinator": 403,
    "site_admin": 403,
}
# Accepting or declining: the administrators of a party NGO.
PROTOCOL_RESPOND = {**PROTOCOL_MANAGE, "ngo_admin": OK, "municipal_staff": 403}
# A municipality's protocols: its staff and the coordinators of its area.
MUNICIPALITY_PROTOCOLS = outcomes(
    404,
    anonymous=LOGIN,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# An NGO's protocols: its members and the coordinators of its area.
NGO_PROTOCOLS = {
    **MUNICIPALITY_PROTOCOLS,
    "municipal_staff": 404,
    "ngo_member": OK,
    "ngo_admin": OK,
}


def _protocol(name):
    return lambda w: {"pk": getattr(w, f"{name}_protocol").pk}


def _protocol_version(name, **more):
    def data(w):
        protocol = getattr(w, f"{name}_protocol")
        return {"version": protocol.version, **more}

    return data


def _draft_party(w):
    party = w.draft_protocol.parties.get()
    return {"pk": w.draft_protocol.pk, "party_pk": party.pk}


def _draft_commitment(w):
    commitment = w.draft_protocol.parties.get().commitments.get()
    return {"pk": w.draft_protocol.pk, "commitment_pk": commitment.pk}


def _ngo(w):
    return {"slug": w.ngo.slug}


def _pending_ngo(w):
    return {"slug": w.pending_ngo.slug}


def _capability(w):
    return {"slug": w.ngo.slug, "pk": w.capability.pk}


def _municipality(w):
    return {"slug": w.municipality.slug}


def _case(w):
    return {"pk": w.case.pk}


def _event(w):
    return {"slug": w.event.slug}


def _checkin_code(w):
    from events.services.tickets import checkin_code

    return checkin_code(w.registration)


def _certificate_code(w):
    from events.services.certificates import certificate_code

    return certificate_code(w.attendance)


def _campaign(w):
    return {"code": w.campaign.code}


# --- activations (issue 16) ------------------------------------------------------------------
# An activation: the municipality's staff, the coordinators of its area, the NGOs called, site
# administrators; anyone else gets a 404.
ACTIVATION_SEEN = outcomes(
    404,
    anonymous=LOGIN,
    ngo_member=OK,
    ngo_admin=OK,
    municipal_staff=OK,
    regional_coordinator=OK,
    national_coordinator=OK,
    site_admin=OK,
)
# The board and the summary (answers, contacts on site): not the called NGOs.
ACTIVATION_BOARD = {**ACTIVATION_SEEN, "ngo_member": 403, "ngo_admin": 403}
# Acting on it: its officers (the municipality's staff and the area's coordinators).
ACTIVATION_RUN = {**ACTIVATION_BOARD, "site_admin": 403}
# Opening one: municipal managers and coordinators.
ACTIVATION_OPEN = outcomes(
    403,
    anonymous=LOGIN,
    municipal_staff=OK,
    other_municipal_staff=OK,
    regional_coordinator=OK,
    other_coordinator=OK,
    national_coordinator=OK,
)
# The called NGO's answer: its people only.
CALL_ANSWER = outcomes(404, anonymous=LOGIN, ngo_member=OK, ngo_admin=OK)
ON_SITE_CONTACT = Secret(
    lambda w: "Sahadaki Kişi Hüsnü",
    shown_to=("municipal_staff", "regional_coordinator", "national_coordinator", "site_admin"),
    hidden_from=("ngo_member", "ngo_admin"),
)


def _activation(w):
    return {"pk": w.activation.pk}


def _need(w):
    return {"pk": w.activation.pk, "need": w.need.pk}


def _call(w):
    return {"pk": w.activation.pk, "call": w.call.pk}


def _item(w):
    return {"pk": w.activation.pk, "item": w.item.pk}


def _offer(w):
    return {"pk": w.activation.pk, "offer": w.offer.pk}


# --- end of activations ------------------------------------------------------------------------


def _submission(w):
    return {"code": w.campaign.code, "slug": w.ngo.slug}


# --- open data and API tokens (issue 19) ---


def _open_data_file(w):
    """The provinces' CSV file, written for the request (under the world's MEDIA_ROOT)."""
    from opendata.services.datasets import opendata_generate

    opendata_generate(["provinces"])
    return {"slug": "provinces", "fmt": "csv"}


def _token_of_ngo_member(w):
    from api.services.tokens import token_create

    _token_of_ngo_member.made += 1
    name = f"matrix {_token_of_ngo_member.made}"
    token, _raw = token_create(user=w.users["ngo_member"], name=name, days=30)
    return token.pk


_token_of_ngo_member.made = 0


# Revoking a token: its owner only; anyone else's attempt is a 404.
TOKEN_OWNER = outcomes(404, anonymous=LOGIN, ngo_member=OK)


MATRIX: dict[str, Entry] = {
    # --- portal ---------------------------------------------------------------------------------
    "healthz": page(expect=PUBLIC),
    "readyz": page(expect=PUBLIC),
    "set_language": action(
        expect=PUBLIC, data=lambda w: {"language": "en", "next": "/"}, anonymous_get=405
    ),
    "home": page(expect=PUBLIC),
    "dashboard": page(expect=SIGNED_IN),
    "profile": form(expect=SIGNED_IN),
    "members:invitation_accept": Entry(
        lambda w: {"token": w.ngo_invitation.token},
        (
            # The token is the secret: anyone holding it sees what is offered.
            Check("GET", PUBLIC),
            # Accepting needs an account; a wrong account is told why on the page (200).
            Check("POST", SIGNED_IN),
        ),
    ),
    "notifications": page(
        expect=SIGNED_IN,
        secret=Secret(
            lambda w: w.notification.message, shown_to=("ngo_member",), hidden_from=("ngo_admin",)
        ),
    ),
    "notification_read": action(
        lambda w: {"pk": w.notification.pk},
        outcomes(404, anonymous=LOGIN, ngo_member=OK),
        anonymous_get=405,
    ),
    "notifications_read_all": action(expect=SIGNED_IN, anonymous_get=405),
    "email_preferences": form(expect=SIGNED_IN),
    # --- privacy (KVKK) -------------------------------------------------------------------------
    "privacy": page(expect=PUBLIC),
    "privacy_acknowledge": form(expect=SIGNED_IN),
    # --- two-factor sign-in (allauth.mfa): one's own authenticators only -------------------------
    "mfa_index": page(expect=SIGNED_IN),
    "mfa_activate_totp": page(expect=SIGNED_IN),
    "mfa_list_webauthn": page(expect=SIGNED_IN),
    "mfa_add_webauthn": page(expect=SIGNED_IN),
    # One's own data only: the member's file names the member, nobody else's names them.
    "my_data": page(
        expect=SIGNED_IN,
        secret=Secret(
            lambda w: w.users["ngo_member"].email,
            shown_to=("ngo_member",),
            hidden_from=tuple(r for r in ROLES if r not in ("anonymous", "ngo_member")),
        ),
    ),
    # Deleting needs the password: an empty POST re-renders the form with its error.
    "account_delete": form(expect=SIGNED_IN),
    # --- allauth's main pages ---------------------------------------------------------------
    # Signed-in users are redirected away from log-in and sign-up (ok).
    "account_login": page(expect=PUBLIC),
    "account_signup": page(expect=PUBLIC),
    "account_logout": page(expect=PUBLIC),
    "account_reset_password": page(expect=PUBLIC),
    "account_change_password": page(expect=SIGNED_IN),
    "account_email": page(expect=SIGNED_IN),
    # --- municipalities -----------------------------------------------------------------------
    "municipalities:list": page(expect=PUBLIC),
    "municipalities:place_options": page(expect=PUBLIC, query=lambda w: {"province": "25"}),
    "municipalities:detail": page(_municipality, PUBLIC),
    # Public contact details: the municipality's managers (municipal_staff is one); its other
    # staff get a 403 (tests/municipalities/test_contacts.py), everyone else a 404.
    "municipalities:contacts_edit": form(
        _municipality, outcomes(404, anonymous=LOGIN, municipal_staff=OK)
    ),
    "members:staff": page(_municipality, STAFF_VISIBLE),
    # Managers invite staff; coordinators of the sub-region appoint managers by invitation.
    "members:staff_invite": action(
        _municipality,
        {**STAFF_VISIBLE},
        data=lambda w: {"email": "new-manager@matrix.test", "role": "manager"},
        anonymous_get=405,
    ),
    "members:staff_role": action(
        lambda w: {"slug": w.municipality.slug, "pk": w.manager_staff.pk},
        STAFF_MANAGE,
        data=lambda w: {"role": "staff"},
        anonymous_get=405,
    ),
    "members:staff_remove": action(
        lambda w: {"slug": w.municipality.slug, "pk": w.manager_staff.pk},
        STAFF_MANAGE,
        anonymous_get=405,
    ),
    # A staff invitation: coordinators may only withdraw manager appointments (403 here).
    "members:staff_invitation_revoke": action(
        lambda w: {"slug": w.municipality.slug, "pk": w.municipal_invitation.pk},
        STAFF_MANAGE,
        anonymous_get=405,
    ),
    # --- ngos: directory, registration, profile -----------------------------------------------
    "ngos:list": page(
        expect=PUBLIC,
        secret=Secret(
            lambda w: w.pending_ngo.name,
            hidden_from=("anonymous", "regional_coordinator", "national_coordinator"),
        ),
    ),
    "ngos:detail": page(
        _ngo,
        PUBLIC,
        more=(
            # Before verification: its members and the coordinators of its sub-region only.
            Check(
                "GET",
                outcomes(404, regional_coordinator=OK, national_coordinator=OK, site_admin=OK),
                kwargs=_pending_ngo,
            ),
        ),
    ),
    "ngos:register": form(expect=SIGNED_IN),
    "ngos:edit": form(_ngo, NGO_PROFILE),
    # Withdrawing the NGO's change of identity: whoever may edit its profile.
    "ngos:identity_change_withdraw": action(_ngo, NGO_PROFILE, get_as="ngo_admin"),
    "ngos:join_request": form(_ngo, SIGNED_IN, data=lambda w: {"message": "Merhaba"}),
    # Only the user's own pending request can be withdrawn (the other NGO's member has one).
    "ngos:join_request_withdraw": action(
        _ngo, outcomes(404, anonymous=LOGIN, other_ngo_member=OK), get_as="other_ngo_member"
    ),
    "ngos:join_requests": page(_ngo, NGO_ADMINS),
    "ngos:join_request_decide": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.join_request.pk},
        NGO_ADMINS,
        data=lambda w: {"action": "approve"},
        get_as="ngo_admin",
    ),
    # --- ngos: members and invitations --------------------------------------------------------
    "members:members": page(_ngo, NGO_MEMBERS_VISIBLE),
    "members:invite": action(
        _ngo,
        NGO_MEMBERS_MANAGE,
        data=lambda w: {"email": "new-member@matrix.test", "role": "member"},
        anonymous_get=405,
    ),
    "members:invitation_revoke": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.ngo_invitation.pk},
        NGO_MEMBERS_MANAGE,
        anonymous_get=405,
    ),
    "members:member_role": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.member_membership.pk},
        NGO_MEMBERS_MANAGE,
        data=lambda w: {"role": "admin"},
        anonymous_get=405,
    ),
    "members:member_remove": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.member_membership.pk},
        NGO_MEMBERS_MANAGE,
        anonymous_get=405,
    ),
    # Leaving: the NGO's members (its last administrator is told why not, on a redirect);
    # people who may see the NGO but are not members get a 404 too.
    "members:leave": action(
        _ngo, outcomes(404, anonymous=LOGIN, ngo_member=OK, ngo_admin=OK), anonymous_get=405
    ),
    # --- ngos: capabilities -------------------------------------------------------------------
    "ngos:capabilities": form(_ngo, NGO_PROFILE),
    "ngos:capabilities_confirm": action(_ngo, NGO_PROFILE, get_as="ngo_admin"),
    "ngos:capability_edit": form(_capability, NGO_PROFILE),
    "ngos:capability_delete": action(_capability, NGO_PROFILE, get_as="ngo_admin"),
    # The disaster directory with contacts: municipal staff, coordinators, site administrators.
    "ngos:capability_search": page(
        expect={**COORDINATION, "municipal_staff": OK, "other_municipal_staff": OK},
        query=lambda w: {"province": str(w.province.pk)},
    ),
    "ngos:capability_export": page(
        expect={**COORDINATION, "municipal_staff": OK, "other_municipal_staff": OK},
        query=lambda w: {"province": str(w.province.pk)},
    ),
    # --- ngos: verification and import (coordinators) ---------------------------------------
    "ngos:verification_queue": page(
        expect=COORDINATION,
        secret=Secret(
            lambda w: w.pending_ngo.name,
            shown_to=("regional_coordinator", "national_coordinator", "site_admin"),
            hidden_from=("other_coordinator",),
        ),
    ),
    "ngos:verification_detail": page(_pending_ngo, COORDINATION_OF_14),
    "ngos:verification_decide": action(
        _pending_ngo,
        COORDINATION_OF_14,
        data=lambda w: {"action": "verify", "current_status": "pending", "reason": ""},
        anonymous_get=405,
    ),
    # Deciding on a verified NGO's change of identity: its coordinators (it was asked for by the
    # NGO's administrator, so each of them may approve it).
    "ngos:identity_change_decide": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.identity_change.pk},
        COORDINATION_OF_14,
        data=lambda w: {"decision": "approve", "reason": ""},
        anonymous_get=405,
    ),
    "ngos:import_upload": form(expect=COORDINATION),
    "ngos:import_confirm": action(expect=COORDINATION, anonymous_get=405),
    "ngos:import_cancel": action(expect=COORDINATION, anonymous_get=405),
    # --- surveys: campaigns and submissions ---------------------------------------------------
    "surveys:campaign_list": page(expect=PUBLIC),
    "surveys:campaign_detail": page(_campaign, PUBLIC),
    "surveys:campaign_blank_form": page(_campaign, PUBLIC),
    "surveys:campaign_create": form(expect=CAMPAIGN_MANAGE),
    "surveys:campaign_edit": form(_campaign, CAMPAIGN_MANAGE),
    "surveys:campaign_close": action(_campaign, CAMPAIGN_MANAGE, anonymous_get=405),
    # Site administrators do not enter submissions (NGO.objects.acting_for leaves them out).
    "surveys:submission_edit": form(_submission, SUBMISSION),
    "surveys:submission_summary": page(_submission, SUBMISSION),
    "reports:statistics": page(expect=PUBLIC),
    "reports:export_expectations": page(
        expect=COORDINATION_OF_14,
        query=lambda w: {"campaign": w.campaign.code, "scope": f"subregion:{w.subregion.code}"},
    ),
    # --- surveys: the municipalities' review -------------------------------------------------
    "surveys:inbox": page(
        expect=MUNICIPAL,
        secret=Secret(
            lambda w: w.case.title,
            shown_to=("municipal_staff",),
            hidden_from=("other_municipal_staff",),
        ),
    ),
    "surveys:inbox_bulk": action(expect=MUNICIPAL, anonymous_get=405),
    # The cases the staff's municipalities referred away (a case of the world went to Yakutiye).
    "surveys:referred_cases": page(
        expect=MUNICIPAL,
        secret=Secret(
            lambda w: "Matris devir gerekçesi.",
            shown_to=("municipal_staff",),
            hidden_from=("other_municipal_staff",),
        ),
    ),
    "surveys:coordinator_cases": page(
        expect=COORDINATION,
        secret=Secret(
            lambda w: w.case.title,
            shown_to=("regional_coordinator", "national_coordinator", "site_admin"),
            hidden_from=("other_coordinator",),
        ),
    ),
    # --- cooperation: activations (issue 16) -------------------------------------------------
    "cooperation:activations": page(expect=SIGNED_IN),
    "cooperation:activation_create": form(expect=ACTIVATION_OPEN),
    "cooperation:public_list": page(
        expect=PUBLIC,
        secret=Secret(lambda w: "Sahadaki Kişi Hüsnü", hidden_from=tuple(ROLES)),
    ),
    "cooperation:public_detail": Entry(
        _activation,
        (Check("GET", PUBLIC), Check("POST", SIGNED_IN)),
        Secret(lambda w: "Sahadaki Kişi Hüsnü", hidden_from=tuple(ROLES)),
    ),
    "cooperation:board": page(_activation, ACTIVATION_SEEN, secret=ON_SITE_CONTACT),
    "cooperation:propose": form(_activation, ACTIVATION_RUN),
    "cooperation:deliveries_retry": action(_activation, ACTIVATION_RUN),
    "cooperation:need_create": form(_activation, ACTIVATION_RUN),
    "cooperation:need_edit": form(_need, ACTIVATION_RUN),
    # The world's need has a pledge: an officer is sent back to it with the reason.
    "cooperation:need_delete": action(
        _need, ACTIVATION_RUN, data=lambda w: {"version": w.need.version}
    ),
    "cooperation:activation_edit": form(
        _activation, ACTIVATION_RUN, data=lambda w: {"version": w.activation.version}
    ),
    "cooperation:call_state": action(
        _call, ACTIVATION_RUN, data=lambda w: {"from_state": "responded", "to_state": "on_site"}
    ),
    "cooperation:respond": form(_call, CALL_ANSWER),
    "cooperation:item_arrived": action(_item, ACTIVATION_RUN, data=lambda w: {"arrived": 5}),
    "cooperation:offer_decide": action(
        _offer, ACTIVATION_RUN, data=lambda w: {"decision": "decline"}
    ),
    "cooperation:activation_close": form(_activation, ACTIVATION_RUN),
    "cooperation:summary": page(_activation, ACTIVATION_BOARD),
    "cooperation:summary_csv": page(_activation, ACTIVATION_BOARD),
    "cooperation:summary_xlsx": page(_activation, ACTIVATION_BOARD),
    # --- end of activations ------------------------------------------------------------------
    "surveys:case": page(_case, CASE_READ),
    "surveys:case_status": action(_case, CASE_ACT, get_as="municipal_staff"),
    "surveys:case_answer": action(_case, CASE_ACT, get_as="municipal_staff"),
    "surveys:case_note": action(
        _case, CASE_ACT, data=lambda w: {"text": "İç not."}, get_as="municipal_staff"
    ),
    "surveys:case_assign": action(_case, CASE_ACT, get_as="municipal_staff"),
    "surveys:case_refer": action(_case, CASE_ACT, get_as="municipal_staff"),
    "surveys:case_message": action(
        _case, CASE_ACT, data=lambda w: {"text": "Matris mesajı."}, get_as="municipal_staff"
    ),
    "surveys:case_conversation": page(
        _case,
        CONVERSATION_READ,
        secret=Secret(
            lambda w: "Matris yazışması",
            shown_to=("ngo_member", "municipal_staff", "regional_coordinator", "site_admin"),
        ),
    ),
    # One download view for every attachment: a case message's file, the NGO's certificate and
    # a protocol's signed document, each scoped like its owner.
    "attachment": page(
        lambda w: {"pk": w.case_attachment.pk, "name": w.case_attachment.name},
        CONVERSATION_READ,
        secret=Secret(lambda w: "%PDF-1.4", shown_to=("ngo_member", "municipal_staff")),
        more=(
            Check(
                "GET",
                NGO_DOCUMENTS,
                kwargs=lambda w: {"pk": w.ngo_document.pk, "name": w.ngo_document.name},
            ),
            Check(
                "GET",
                PROTOCOL_READ,
                kwargs=lambda w: {
                    "pk": w.active_protocol.document.pk,
                    "name": w.active_protocol.document.name,
                },
            ),
        ),
    ),
    "ngos:documents": Entry(
        _ngo,
        (Check("GET", NGO_DOCUMENTS), Check("POST", NGO_DOCUMENTS_MANAGE)),
        Secret(
            lambda w: "faaliyet-belgesi.pdf",
            shown_to=("ngo_admin", "regional_coordinator", "national_coordinator"),
        ),
    ),
    "ngos:document_remove": action(
        lambda w: {"slug": w.ngo.slug, "pk": w.ngo_document.pk},
        NGO_DOCUMENTS_MANAGE,
        get_as="ngo_admin",
    ),
    "surveys:answer_templates": form(expect=MUNICIPAL),
    "surveys:answer_template_edit": form(lambda w: {"pk": w.answer_template.pk}, TEMPLATE_OWN),
    "surveys:answer_template_retire": action(
        lambda w: {"pk": w.answer_template.pk},
        TEMPLATE_OWN,
        anonymous_get=405,
        get_as="municipal_staff",
    ),
    # --- surveys: the NGO's side --------------------------------------------------------------
    "surveys:my_expectations": page(
        expect=SIGNED_IN,
        secret=Secret(
            lambda w: w.case.title,
            shown_to=("ngo_member", "ngo_admin"),
            hidden_from=("other_ngo_member", "municipal_staff", "site_admin"),
        ),
    ),
    "surveys:my_expectation": page(_case, NGO_CASE),
    "surveys:my_expectation_confirm": action(_case, NGO_CASE),
    "surveys:my_expectation_dispute": action(
        _case, NGO_CASE, data=lambda w: {"text": "Henüz yapılmadı."}
    ),
    "surveys:my_expectation_message": action(
        _case, NGO_CASE, data=lambda w: {"text": "Matris sorusu."}
    ),
    # --- reports (coordinators) ---------------------------------------------------------------
    "reports:index": page(expect=COORDINATION),
    "reports:subregion": page(lambda w: {"code": w.subregion.code}, COORDINATION_OF_14),
    "reports:province": page(lambda w: {"plate": w.province.plate}, COORDINATION_OF_14),
    "reports:print": page(
        expect=COORDINATION_OF_14, query=lambda w: {"scope": f"subregion:{w.subregion.code}"}
    ),
    # The PDF of the print page (WeasyPrint's libraries are installed by .ci/run).
    "reports:pdf": page(
        expect=COORDINATION_OF_14, query=lambda w: {"scope": f"subregion:{w.subregion.code}"}
    ),
    "reports:export": page(
        lambda w: {"table": "top-five", "fmt": "csv"},
        COORDINATION_OF_14,
        query=lambda w: {"scope": f"subregion:{w.subregion.code}"},
    ),
    # Reminding a municipality of sub-region 14 of its overdue cases (a message when refused).
    "reports:remind": action(
        lambda w: {"municipality_id": w.municipality.pk},
        COORDINATION_OF_14,
        data=lambda w: {"campaign": w.campaign.code},
        anonymous_get=LOGIN,
    ),
    # --- events -------------------------------------------------------------------------------
    "events:list": page(expect=PUBLIC),
    "events:detail": page(_event, PUBLIC),
    "events:ics": page(_event, PUBLIC),
    "events:create": form(expect=COORDINATION),
    "events:place_options": page(expect=COORDINATION, query=lambda w: {"province": "25"}),
    "events:edit": form(_event, EVENT_COORDINATION),
    "events:minutes": form(_event, EVENT_COORDINATION),
    # Messages to a programme's registrants (issue 18).
    "events:messages": form(_event, EVENT_COORDINATION),
    # The follow-through (issue 18): every coordinator, each seeing only their sub-regions.
    "events:follow_through": page(
        expect=COORDINATION,
        secret=Secret(
            lambda w: w.event.title,
            shown_to=("regional_coordinator", "national_coordinator", "site_admin"),
            hidden_from=("other_coordinator",),
        ),
    ),
    "events:follow_through_csv": page(expect=COORDINATION),
    # Anyone signed in may register or cancel (a refusal is a message on the programme page).
    "events:register": action(_event, SIGNED_IN, anonymous_get=405),
    "events:cancel_registration": action(_event, SIGNED_IN, anonymous_get=405),
    "events:checkin": page(_event, EVENT_COORDINATION),
    "events:signin_sheet": page(_event, EVENT_COORDINATION),
    "events:checkin_mark": action(
        lambda w: {"slug": w.event.slug, "pk": w.registration.pk},
        EVENT_COORDINATION,
        data=lambda w: {"action": "attend"},
        anonymous_get=405,
    ),
    # Attendee lists (personal data): a 404 for everyone outside the programme's coordination.
    "events:export_csv": page(_event, EVENT_EXPORT),
    "events:export_xlsx": page(_event, EVENT_EXPORT),
    # --- issue 18: at the door, and attendance certificates ---
    # Check-in by a personal code (typed, or the QR code's URL): the check-in's coordinators;
    # the QR code's URL is a page of the same people (GET never checks in).
    "events:checkin_code": action(
        _event,
        EVENT_COORDINATION,
        data=lambda w: {"code": _checkin_code(w)},
        anonymous_get=405,
    ),
    "events:checkin_ticket": page(
        lambda w: {"slug": w.event.slug, "code": _checkin_code(w)}, EVENT_COORDINATION
    ),
    "events:walk_in": form(_event, EVENT_COORDINATION),
    # A certificate is its attendee's alone: a 404 for everyone else (never confirms it).
    "events:certificate": page(
        lambda w: {"slug": w.held_event.slug},
        outcomes(404, anonymous=LOGIN, ngo_member=OK),
    ),
    # The public check of a code: shows the programme, never the person.
    "events:certificate_verify": page(
        expect=PUBLIC,
        query=lambda w: {"code": _certificate_code(w)},
        secret=Secret(
            lambda w: w.users["ngo_member"].full_name,
            hidden_from=tuple(role for role in ROLES if role != "ngo_member"),
        ),
    ),
    # --- cooperation: protocols ----------------------------------------------------------------
    "cooperation:protocol_list": page(
        expect=SIGNED_IN,
        secret=Secret(
            lambda w: w.draft_protocol.title,
            shown_to=("municipal_staff", "regional_coordinator", "national_coordinator"),
            hidden_from=("ngo_member", "ngo_admin", "other_municipal_staff", "other_coordinator"),
        ),
    ),
    "cooperation:protocol_create": form(
        expect=outcomes(403, anonymous=LOGIN, municipal_staff=OK, other_municipal_staff=OK)
    ),
    "cooperation:municipality_protocols": page(_municipality, MUNICIPALITY_PROTOCOLS),
    "cooperation:ngo_protocols": page(_ngo, NGO_PROTOCOLS),
    "cooperation:protocol_detail": page(
        _protocol("active"),
        PROTOCOL_READ,
        more=(
            # A draft: not for the NGO parties until it is proposed.
            Check(
                "GET",
                {"ngo_member": 404, "ngo_admin": 404, "municipal_staff": OK},
                kwargs=_protocol("draft"),
            ),
        ),
    ),
    "cooperation:protocol_document": page(_protocol("active"), PROTOCOL_READ),
    "cooperation:protocol_edit": form(_protocol("draft"), PROTOCOL_DRAFT_CHANGE),
    "cooperation:protocol_party_add": action(
        _protocol("draft"),
        PROTOCOL_DRAFT_CHANGE,
        data=lambda w: {"version": w.draft_protocol.version, "ngo": w.other_ngo.pk},
        get_as="municipal_staff",
    ),
    "cooperation:protocol_party_remove": action(
        _draft_party, PROTOCOL_DRAFT_CHANGE, data=_protocol_version("draft")
    ),
    "cooperation:protocol_commitment_add": action(
        _draft_party,
        PROTOCOL_DRAFT_CHANGE,
        data=_protocol_version("draft", kind="shelter", quantity="5", unit="tents"),
    ),
    "cooperation:protocol_commitment_remove": action(
        _draft_commitment, PROTOCOL_DRAFT_CHANGE, data=_protocol_version("draft")
    ),
    "cooperation:protocol_propose": action(
        _protocol("draft"),
        {**PROTOCOL_DRAFT_CHANGE},
        data=_protocol_version("draft"),
    ),
    "cooperation:protocol_withdraw": action(
        _protocol("proposed"), PROTOCOL_MANAGE, data=_protocol_version("proposed")
    ),
    "cooperation:protocol_accept": action(
        _protocol("proposed"),
        PROTOCOL_RESPOND,
        data=lambda w: {"version": w.proposed_protocol.version, "ngo": w.ngo.pk},
    ),
    "cooperation:protocol_decline": action(
        _protocol("proposed"),
        PROTOCOL_RESPOND,
        data=lambda w: {
            "version": w.proposed_protocol.version,
            "ngo": w.ngo.pk,
            "reason": "Koşullar uygun değil.",
        },
    ),
    "cooperation:protocol_terminate": action(
        _protocol("active"),
        PROTOCOL_MANAGE,
        data=_protocol_version("active", reason="Meclis kararı."),
    ),
    # --- cooperation: the emergency contact sheet (anyone signed in; contacts by role) ----------
    "cooperation:contact_sheet": page(
        expect=SIGNED_IN, query=lambda w: {"province": str(w.province.pk)}
    ),
    "cooperation:contact_sheet_export": page(
        lambda w: {"fmt": "csv"}, SIGNED_IN, query=lambda w: {"province": str(w.province.pk)}
    ),
    # --- open data and API tokens (issue 19) ---
    "opendata:index": page(expect=PUBLIC),
    "opendata:download": page(_open_data_file, PUBLIC),
    # A person's own tokens; another person's token is a 404 (tests/api/test_tokens.py).
    "api_tokens:list": form(expect=SIGNED_IN, data=lambda w: {"name": "matrix", "days": "30"}),
    "api_tokens:revoke": action(lambda w: {"pk": _token_of_ngo_member(w)}, TOKEN_OWNER),
}


# --- The tests --------------------------------------------------------------------------------


def test_matrix_covers_every_url_pattern():
    """A new URL pattern needs its row in the matrix; a removed one must leave it."""
    names = set(project_patterns())
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"URL patterns without an entry in MATRIX: {missing}"
    assert not stale, f"MATRIX entries without a URL pattern: {stale}"


def test_matrix_names_every_role_of_each_check():
    for name, entry in MATRIX.items():
        for check in entry.checks:
            assert set(check.expect) <= set(ROLES), name
            if check is entry.checks[0]:
                assert set(check.expect) == set(ROLES), f"{name}: the first check names all roles"


def outcome_of(response) -> object:
    """ok, login, or the status code."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response["Location"])
        login = reverse("account_login")
        if target.path.endswith(login) and "next=" in target.query:
            return LOGIN
        return OK
    if 200 <= status < 300:
        return OK
    return status


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _request(client, world, role, check, url, data):
    """One request as ``role`` in a savepoint that is rolled back: an allowed action changes
    nothing the next role's request sees."""
    with transaction.atomic():
        as_role(client, world, role)
        try:
            send = client.get if check.method == "GET" else client.post
            response = send(url, data)
            result = outcome_of(response)
            content = _content(response) if result == OK else ""
        except Exception as error:  # noqa: BLE001 (a 500 is reported as a mismatch)
            result, content = f"500 {type(error).__name__}: {error}"[:200], ""
        transaction.set_rollback(True)
    return result, content


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, world, client):
    """Every role gets exactly the outcome the matrix expects for this URL pattern."""
    if name not in project_patterns():
        pytest.skip("no such URL pattern (reported by test_matrix_covers_every_url_pattern)")
    entry = MATRIX[name]
    mismatches = []
    for check in entry.checks:
        url = reverse(name, kwargs=(check.kwargs or entry.kwargs)(world))
        if check.method == "GET":
            data = check.query(world) if check.query else {}
        else:
            data = check.data(world) if check.data else {}
        for role, expected in check.expect.items():
            result, content = _request(client, world, role, check, url, data)
            if result != expected:
                mismatches.append(
                    f"{check.method} {url} as {role}: expected {expected}, got {result}"
                )
                continue
            secret = entry.secret
            if secret is None or check is not entry.checks[0] or result != OK:
                continue
            text = secret.text(world)
            if role in secret.shown_to and text not in content:
                mismatches.append(f"{check.method} {url} as {role}: {text!r} missing")
            if role in secret.hidden_from and text in content:
                mismatches.append(f"{check.method} {url} as {role}: shows {text!r}")
    assert not mismatches, "\n".join(mismatches)


# Pages whose links are followed as each role (the starting points of each role's work).
LINK_SOURCES = (
    ("dashboard", lambda w: {}),
    ("ngos:detail", lambda w: {"slug": w.ngo.slug}),
    ("ngos:detail", lambda w: {"slug": w.pending_ngo.slug}),
    ("members:members", lambda w: {"slug": w.ngo.slug}),
    ("municipalities:detail", lambda w: {"slug": w.municipality.slug}),
    ("surveys:campaign_detail", lambda w: {"code": w.campaign.code}),
    ("surveys:case", lambda w: {"pk": w.case.pk}),
    ("surveys:my_expectation", lambda w: {"pk": w.case.pk}),
    ("events:detail", lambda w: {"slug": w.event.slug}),
    ("cooperation:board", lambda w: {"pk": w.activation.pk}),
)
HREF = re.compile(r'href="(/[^"#]*)"')


def test_links_shown_to_a_role_lead_to_pages_it_may_open(world, client):
    """A page never offers a role a link that ends in 403, 404 or an error."""
    dead = []
    for role in ROLES:
        as_role(client, world, role)
        links = set()
        for name, kwargs in LINK_SOURCES:
            response = client.get(reverse(name, kwargs=kwargs(world)))
            if response.status_code == 200:
                links |= {html.unescape(href) for href in HREF.findall(_content(response))}
        for link in sorted(links):
            if link.startswith(("/static/", "/admin/", "/media/")):
                continue
            with transaction.atomic():
                status = client.get(link).status_code
                transaction.set_rollback(True)
            if status in (403, 404) or status >= 500:
                dead.append(f"{role}: {link} → {status}")
    assert not dead, "\n".join(dead)
