"""In-app notifications (nav count, list, mark read) and the email preferences page."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ngos.models import Membership
from portal.models import EmailPreferences, Notification
from portal.notifications import Message, notify
from surveys.services.review import expectation_answer
from tests.factories import MembershipFactory, MunicipalStaffFactory, NGOFactory, UserFactory
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/en/notifications/"
READ_ALL_URL = "/en/notifications/read-all/"
PREFERENCES_URL = "/en/notifications/preferences/"


def read_url(notification):
    return f"/en/notifications/{notification.pk}/read/"


def note(user, message="Something happened", *, url="", read=False, kind="case_answer"):
    return Notification.objects.create(
        user=user,
        kind=kind,
        message=message,
        url=url,
        read_at=timezone.now() if read else None,
    )


def notification_queries(queries):
    return [q["sql"] for q in queries.captured_queries if '"portal_notification"' in q["sql"]]


@pytest.fixture
def user(db):
    return UserFactory(email="secretary@example.test", full_name="Zeynep Kaya")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


# --- The unread count in the navigation ------------------------------------------------------


def test_nav_shows_unread_count_on_the_dashboard(user_client, user):
    for i in range(3):
        note(user, f"Unread {i}")
    note(user, "Already read", read=True)
    note(UserFactory(), "Someone else's")
    html = user_client.get("/en/dashboard/").content.decode()
    assert f'href="{LIST_URL}"' in html
    assert "3 unread" in html
    assert "4 unread" not in html


def test_nav_without_unread_notifications_shows_no_badge(user_client, user):
    note(user, "Already read", read=True)
    html = user_client.get("/en/dashboard/").content.decode()
    assert f'href="{LIST_URL}"' in html
    assert "unread" not in html


def test_nav_count_costs_exactly_one_query_when_shown(user_client, user):
    note(user)
    with CaptureQueriesContext(connection) as queries:
        html = user_client.get("/en/dashboard/").content.decode()
    assert "1 unread" in html
    assert len(notification_queries(queries)) == 1


def test_nav_count_is_not_queried_when_not_shown(user_client, user, client):
    note(user)
    # An htmx fragment does not render the navigation.
    with CaptureQueriesContext(connection) as queries:
        html = user_client.get(
            "/en/municipalities/", {"q": "yakutiye"}, headers={"HX-Request": "true"}
        ).content.decode()
    assert "Yakutiye Belediyesi" in html
    assert notification_queries(queries) == []


def test_anonymous_visitors_get_no_notifications_link_and_no_query(client):
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/en/").content.decode()
    assert LIST_URL not in html
    assert notification_queries(queries) == []


# --- The list --------------------------------------------------------------------------------


def test_list_shows_only_the_users_notifications_newest_first(user_client, user):
    note(user, "Oldest message", read=True)
    note(user, "Middle message")
    note(user, "Newest message")
    note(UserFactory(), "A stranger's message")
    response = user_client.get(LIST_URL)
    html = response.content.decode()
    assert [n.message for n in response.context["page"].object_list] == [
        "Newest message",
        "Middle message",
        "Oldest message",
    ]
    assert "A stranger&#x27;s message" not in html and "A stranger's message" not in html
    assert html.index("Newest message") < html.index("Middle message") < html.index("Oldest")
    assert "You have 2 unread notifications." in html
    assert html.count(">Unread</span>") == 2
    assert f'href="{PREFERENCES_URL}"' in html


def test_list_links_each_notification_through_a_mark_read_form(user_client, user):
    linked = note(user, "Your expectation was answered", url="/en/dashboard/")
    plain = note(user, "A plain message")
    html = user_client.get(LIST_URL).content.decode()
    assert f'action="{read_url(linked)}"' in html
    # Without a link, the only action is marking it read.
    assert f'action="{read_url(plain)}"' in html
    assert "Mark as read" in html
    assert f'action="{READ_ALL_URL}"' in html


def test_list_without_notifications_says_so(user_client):
    html = user_client.get(LIST_URL).content.decode()
    assert "You have no notifications yet." in html
    assert "Mark all as read" not in html


def test_list_is_paginated_by_25(user_client, user):
    Notification.objects.bulk_create(
        Notification(user=user, kind="case_answer", message=f"Message {i:02d}") for i in range(30)
    )
    first = user_client.get(LIST_URL)
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = user_client.get(LIST_URL, {"page": 2})
    assert len(second.context["page"].object_list) == 5
    # A page number that is not one shows the first page rather than failing.
    assert user_client.get(LIST_URL, {"page": "abc"}).context["page"].number == 1


def count_list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    return len(queries), len(response.context["page"].object_list)


def test_list_query_count_does_not_grow_with_notifications(user_client, user):
    note(user)
    small, small_rows = count_list_queries(user_client)
    Notification.objects.bulk_create(
        Notification(user=user, kind="case_status", message=f"Status {i}", url="/en/")
        for i in range(29)
    )
    large, large_rows = count_list_queries(user_client)
    assert (small_rows, large_rows) == (1, 25)
    # session, user, the nav's roles (3) and unread count, the page's count and rows
    assert small == large == 8


def test_pages_also_work_at_the_turkish_root(user_client, user):
    note(user, "Your expectation was answered", url="/")
    html = user_client.get("/notifications/").content.decode()
    assert '<html lang="tr">' in html
    assert "Your expectation was answered" in html
    assert 'action="/notifications/read-all/"' in html
    assert 'name="events"' in user_client.get("/notifications/preferences/").content.decode()


# --- Marking read ----------------------------------------------------------------------------


def test_mark_read_follows_the_notifications_link(user_client, user):
    notification = note(user, "Answered", url="/en/dashboard/")
    response = user_client.post(read_url(notification))
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_follows_an_absolute_link_to_this_site(user_client, user):
    notification = note(user, "Answered", url="http://testserver/en/dashboard/")
    response = user_client.post(read_url(notification))
    assert response["Location"] == "http://testserver/en/dashboard/"


@pytest.mark.parametrize(
    "url", ["https://evil.example/phish", "//evil.example/phish", "javascript:alert(1)"]
)
def test_mark_read_never_follows_a_link_to_another_site(user_client, user, url):
    notification = note(user, "Suspicious", url=url)
    response = user_client.post(read_url(notification))
    assert response["Location"] == LIST_URL
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_without_a_link_returns_to_the_list(user_client, user):
    notification = note(user, "No link")
    response = user_client.post(read_url(notification))
    assert response["Location"] == LIST_URL
    assert user_client.get(LIST_URL).context["page"].object_list[0].read_at is not None


def test_mark_read_keeps_the_first_reading_time(user_client, user):
    notification = note(user, "Read long ago", url="/en/", read=True)
    first_read = notification.read_at
    user_client.post(read_url(notification))
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_mark_read_of_another_users_notification_is_404(user_client):
    other = note(UserFactory(), "Not yours", url="/en/dashboard/")
    response = user_client.post(read_url(other))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_marks_only_the_users_unread_notifications(user_client, user):
    old = note(user, "Read before", read=True)
    for i in range(3):
        note(user, f"Unread {i}")
    stranger = note(UserFactory(), "Not yours")
    response = user_client.post(READ_ALL_URL, follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    html = response.content.decode()
    assert "3 notifications marked as read." in html
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=old.pk).read_at == old.read_at
    assert Notification.objects.get(pk=stranger.pk).read_at is None
    assert "unread" not in html.split("<main")[0]


@pytest.mark.parametrize("kind", ["one", "all"])
def test_get_on_the_mark_read_urls_is_405_and_changes_nothing(user_client, user, kind):
    notification = note(user, "Unread", url="/en/")
    url = read_url(notification) if kind == "one" else READ_ALL_URL
    response = user_client.get(url)
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_log_in(client, user, method):
    notification = note(user, "Unread", url="/en/")
    urls = {
        "get": [LIST_URL, PREFERENCES_URL],
        "post": [read_url(notification), READ_ALL_URL, PREFERENCES_URL],
    }[method]
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    notification.refresh_from_db()
    assert notification.read_at is None
    assert not EmailPreferences.objects.exists()


# --- Email preferences -----------------------------------------------------------------------

NGO_LABELS = [
    "Public answers to my NGO",
    "Status changes of my NGO",
    "Referrals of my NGO",
    "Completed expectations to confirm",
]
DIGEST_LABEL = "Digest of new and overdue cases of my municipality"
EVENTS_LABEL = "Regional programme registrations"


def shown_fields(client):
    return set(client.get(PREFERENCES_URL).context["form"].fields)


def test_preferences_of_an_ngo_member_show_the_ngo_group_and_events(user_client, user):
    MembershipFactory(user=user, role=Membership.Role.MEMBER)
    html = user_client.get(PREFERENCES_URL).content.decode()
    assert shown_fields(user_client) == {
        "answers",
        "status_changes",
        "referrals",
        "completions",
        "case_messages",
        "events",
    }
    for label in [*NGO_LABELS, EVENTS_LABEL]:
        assert label in html, label
    assert DIGEST_LABEL not in html
    assert "Your NGOs&#x27; expectations" in html
    # Only administrators are emailed about the NGO's expectations: members are told so.
    assert "These emails go to your NGO&#x27;s administrators" in html


def test_preferences_of_an_ngo_admin_need_no_explanation(user_client, user):
    MembershipFactory(user=user, role=Membership.Role.ADMIN)
    html = user_client.get(PREFERENCES_URL).content.decode()
    assert "Public answers to my NGO" in html
    assert "These emails go to your NGO&#x27;s administrators" not in html


def test_preferences_of_municipal_staff_show_the_digest_and_events(user_client, user):
    MunicipalStaffFactory(user=user)
    html = user_client.get(PREFERENCES_URL).content.decode()
    assert shown_fields(user_client) == {"digest", "case_messages", "events"}
    assert DIGEST_LABEL in html and EVENTS_LABEL in html
    assert not any(label in html for label in NGO_LABELS)


def test_preferences_of_a_user_without_a_role_show_only_events(user_client):
    assert shown_fields(user_client) == {"events"}


def test_preferences_of_someone_with_both_roles_show_every_group(user_client, user):
    MembershipFactory(user=user)
    MunicipalStaffFactory(user=user)
    assert shown_fields(user_client) == {
        "answers",
        "status_changes",
        "referrals",
        "completions",
        "digest",
        "case_messages",
        "events",
    }


def test_preferences_page_does_not_write_on_get(user_client, user):
    form = user_client.get(PREFERENCES_URL).context["form"]
    assert form["events"].value() is True
    assert not EmailPreferences.objects.filter(user=user).exists()


def test_saving_preferences_stores_them_and_says_so(user_client, user):
    MembershipFactory(user=user, role=Membership.Role.ADMIN)
    # Checkboxes left out of the POST are unticked.
    response = user_client.post(
        PREFERENCES_URL, {"answers": "on", "completions": "on", "events": "on"}, follow=True
    )
    assert response.redirect_chain == [(PREFERENCES_URL, 302)]
    assert "Your email preferences have been saved." in response.content.decode()
    preferences = EmailPreferences.objects.get(user=user)
    assert (preferences.answers, preferences.status_changes, preferences.referrals) == (
        True,
        False,
        False,
    )
    assert (preferences.completions, preferences.events) == (True, True)
    # The digest is not this user's concern: it keeps its value.
    assert preferences.digest is True
    form = user_client.get(PREFERENCES_URL).context["form"]
    assert form["status_changes"].value() is False


def test_saving_preferences_leaves_hidden_groups_untouched(user_client, user):
    EmailPreferences.objects.create(user=user, answers=False, digest=False)
    user_client.post(PREFERENCES_URL, {})  # only "events" is shown: turned off
    preferences = EmailPreferences.objects.get(user=user)
    assert (preferences.answers, preferences.digest, preferences.events) == (False, False, False)
    assert EmailPreferences.objects.filter(user=user).count() == 1


# --- notify() and the preferences ------------------------------------------------------------


def test_notify_creates_notifications_and_emails_only_those_who_want_it(
    django_capture_on_commit_callbacks,
):
    wants = UserFactory(email="wants@example.test", preferred_language="en")
    refuses = UserFactory(email="refuses@example.test")
    EmailPreferences.objects.create(user=refuses, answers=False)
    other_kind_off = UserFactory(email="other@example.test")
    EmailPreferences.objects.create(user=other_kind_off, status_changes=False)
    inactive = UserFactory(email="inactive@example.test", is_active=False)

    def build(user):
        return Message(
            text=f"Answered for {user.email}",
            url="/surveys/my-expectations/1/",
            subject="Your expectation was answered",
            body="The municipality wrote: we will mark the assembly areas.",
        )

    with django_capture_on_commit_callbacks(execute=True):
        count = notify(
            users=[wants, refuses, other_kind_off, inactive, None],
            kind="case_answer",
            preference="answers",
            build=build,
        )
    assert count == 4
    notes = Notification.objects.filter(kind="case_answer")
    assert {n.user.email for n in notes} == {
        "wants@example.test",
        "refuses@example.test",
        "other@example.test",
        "inactive@example.test",
    }
    assert notes.get(user=refuses).message == "Answered for refuses@example.test"
    assert notes.get(user=refuses).url == "/surveys/my-expectations/1/"
    assert sorted(m.to[0] for m in mail.outbox) == ["other@example.test", "wants@example.test"]
    assert mail.outbox[0].subject == "Your expectation was answered"


def test_notify_sends_no_email_before_the_transaction_commits(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            users=[user],
            kind="case_status",
            preference="status_changes",
            build=lambda u: Message(text="Now planned", subject="Planned", body="Planned."),
        )
    assert Notification.objects.filter(user=user).count() == 1
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_notified_user_sees_the_notification_and_the_count(
    user_client, user, django_capture_on_commit_callbacks
):
    EmailPreferences.objects.create(user=user, referrals=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[user],
            kind="case_referred",
            preference="referrals",
            build=lambda u: Message(
                text="Your expectation was referred to Yakutiye Belediyesi.",
                url="/en/dashboard/",
                subject="Referred",
                body="Referred.",
            ),
        )
    assert mail.outbox == []
    html = user_client.get(LIST_URL).content.decode()
    assert "Your expectation was referred to Yakutiye Belediyesi." in html
    assert "1 unread" in html


def test_a_public_answer_notifies_every_ngo_admin_and_emails_those_who_want_it(
    django_capture_on_commit_callbacks,
):
    ngo = NGOFactory(name="Palandöken Dayanışma Derneği")
    wants = UserFactory(email="wants@ngo.example", preferred_language="en")
    refuses = UserFactory(email="refuses@ngo.example", preferred_language="en")
    member = UserFactory(email="member@ngo.example")
    MembershipFactory(user=wants, ngo=ngo, role=Membership.Role.ADMIN)
    MembershipFactory(user=refuses, ngo=ngo, role=Membership.Role.ADMIN)
    MembershipFactory(user=member, ngo=ngo, role=Membership.Role.MEMBER)
    EmailPreferences.objects.create(user=refuses, answers=False)
    submission = SubmissionFactory(
        campaign=CampaignFactory(),
        ngo=ngo,
        status="submitted",
        receipt_number="NOTIFY-00001",
        submitted_at=timezone.now(),
    )
    case = ExpectationFactory(submission=submission, title="Toplanma alanı tabelaları")
    officer = UserFactory(email="officer@erzurum.example")
    MunicipalStaffFactory(user=officer, municipality=case.municipality)

    with django_capture_on_commit_callbacks(execute=True):
        expectation_answer(
            expectation_id=case.pk,
            expected_version=case.review_version,
            user=officer,
            text="Tabelalar bu ay asılacak.",
        )

    notes = Notification.objects.filter(kind="case_answer")
    assert {n.user.email for n in notes} == {"wants@ngo.example", "refuses@ngo.example"}
    assert all(n.url == f"/en/surveys/my-expectations/{case.pk}/" for n in notes)
    assert notes.get(user=refuses).message == (
        "Erzurum Büyükşehir Belediyesi answered the expectation “Toplanma alanı tabelaları” of "
        "Palandöken Dayanışma Derneği."
    )
    assert [m.to for m in mail.outbox] == [["wants@ngo.example"]]
    assert "Tabelalar bu ay asılacak." in mail.outbox[0].body
