"""The portal's main pages as each kind of user sees them (demo data), for checks that every
page must pass: formats, markup, metadata."""

from django.urls import reverse
from django.utils import translation

from events.models import Event
from municipalities.models import Municipality
from ngos.models import NGO
from portal.models import User
from surveys.models import Campaign, Expectation


def _urls_for(kind):
    event = Event.objects.order_by("starts_at").first()
    campaign = Campaign.objects.order_by("-opens_at").first()
    if kind == "anonymous":
        return [
            reverse("home"),
            reverse("municipalities:list"),
            reverse("municipalities:detail", args=[Municipality.objects.first().slug]),
            reverse("ngos:list"),
            reverse("ngos:detail", args=[NGO.objects.filter(status="verified").first().slug]),
            reverse("events:list"),
            reverse("events:detail", args=[event.slug]),
            reverse("reports:statistics"),
            reverse("privacy"),
            reverse("account_login"),
            reverse("account_signup"),
        ]
    if kind == "municipality@demo.test":
        case = Expectation.objects.filter(municipality__staff__user__email=kind).first()
        return [
            reverse("dashboard"),
            reverse("surveys:inbox"),
            reverse("surveys:case", args=[case.pk]),
            reverse("notifications"),
            reverse("ngos:capability_search"),
        ]
    if kind == "ngo@demo.test":
        return [
            reverse("dashboard"),
            reverse("surveys:my_expectations"),
            reverse("notifications"),
            reverse("profile"),
        ]
    if kind in ("regional@demo.test", "admin@demo.test"):
        return [reverse("dashboard")]
    return [  # coordinator@demo.test
        reverse("dashboard"),
        reverse("reports:index"),
        reverse("surveys:campaign_list"),
        reverse("surveys:campaign_detail", args=[campaign.code]),
        reverse("surveys:coordinator_cases"),
        reverse("ngos:verification_queue"),
        reverse("events:checkin", args=[event.slug]),
    ]


KINDS = [
    "anonymous",
    "municipality@demo.test",
    "ngo@demo.test",
    "coordinator@demo.test",
    "regional@demo.test",
    "admin@demo.test",
]
# The accounts whose dashboards differ: one per role.
DASHBOARD_ACCOUNTS = KINDS[1:]


def main_pages(client, language="tr"):
    """(url, html) of every main page, for every kind of user, in ``language``."""
    pages = []
    for kind in KINDS:
        client.logout()
        if kind != "anonymous":
            client.force_login(User.objects.get(email=kind))
        with translation.override("tr"):
            urls = _urls_for(kind)
        for url in urls:
            if language == "en":
                url = "/en" + url
            response = client.get(url)
            assert response.status_code == 200, (kind, url, response.status_code)
            pages.append((url, response.content.decode()))
    client.logout()
    return pages
