"""Root URLs: Turkish at the root, English under /en/; health checks and admin outside."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal.views import attachments, notifications, pages

# Administrators sign in through the portal's log-in, with its rate limits (pages.admin_login);
# set before admin.site.urls below binds the site's views.
admin.site.login = pages.admin_login

urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("readyz", pages.readyz, name="readyz"),
    path("i18n/setlang/", pages.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # The JSON API: one address for every client, outside the language prefixes.
    path("api/", include("api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("dashboard.urls")),
    path("accounts/profile/", pages.ProfileView.as_view(), name="profile"),
    path("privacy/", pages.privacy, name="privacy"),
    path("privacy/acknowledge/", pages.privacy_acknowledge, name="privacy_acknowledge"),
    # allauth's sign-up with the invited address filled in; the same path and name as allauth's.
    path("accounts/signup/", pages.SignupView.as_view(), name="account_signup"),
    path("accounts/tokens/", include("api.urls_tokens")),
    path("accounts/", include("allauth.urls")),
    path("municipalities/", include("municipalities.urls")),
    path("ngos/", include("ngos.urls")),
    # After ngos/ and municipalities/: the people pages of an NGO and a municipality, invitations.
    path("", include("members.urls")),
    # Before "surveys/": its "<slug:code>/" would take /surveys/statistics/.
    path("", include("reports.urls")),
    path("surveys/", include("surveys.urls")),
    path("events/", include("events.urls")),
    path("cooperation/", include("cooperation.urls")),
    path("open-data/", include("opendata.urls")),
    path(
        "attachments/<uuid:pk>/<str:name>",
        attachments.attachment_download,
        name="attachment",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/preferences/",
        notifications.email_preferences,
        name="email_preferences",
    ),
    prefix_default_language=False,
)

admin.site.site_header = "Belediye–STK İş Birliği Portalı"
admin.site.site_title = "Belediye–STK"
