"""URLs of /events/. The registration routes come before the programmes' catch-all
``<slug>/``."""

from django.urls import path

from events.views import certificates, door, follow_through, messages, programmes, registrations

app_name = "events"
urlpatterns = [
    # Registration, check-in and attendee exports
    path("<slug:slug>/register/", registrations.register, name="register"),
    path(
        "<slug:slug>/register/cancel/",
        registrations.cancel_registration,
        name="cancel_registration",
    ),
    path("<slug:slug>/checkin/", registrations.checkin, name="checkin"),
    path("<slug:slug>/checkin/sheet/", registrations.signin_sheet, name="signin_sheet"),
    path("<slug:slug>/checkin/<int:pk>/", registrations.checkin_mark, name="checkin_mark"),
    # At the door: a personal code (typed, or read from the QR code), and walk-ins
    path("<slug:slug>/checkin/code/", door.checkin_code, name="checkin_code"),
    path("<slug:slug>/checkin/code/<str:code>/", door.checkin_ticket, name="checkin_ticket"),
    path("<slug:slug>/checkin/walk-in/", door.walk_in, name="walk_in"),
    path("<slug:slug>/attendees.csv", registrations.export_csv, name="export_csv"),
    path("<slug:slug>/attendees.xlsx", registrations.export_xlsx, name="export_xlsx"),
    # Attendance certificates: the attendee's PDF, and the public check of a code
    path("<slug:slug>/certificate.pdf", certificates.certificate_download, name="certificate"),
    path("certificates/verify/", certificates.certificate_verify_page, name="certificate_verify"),
    # Programmes: "", "new/" and "<slug>/…"
    path("", programmes.event_list, name="list"),
    path("new/", programmes.event_create, name="create"),
    path("places/", programmes.place_options, name="place_options"),
    path("follow-through/", follow_through.follow_through_page, name="follow_through"),
    path(
        "follow-through/export.csv",
        follow_through.follow_through_export,
        name="follow_through_csv",
    ),
    path("<slug:slug>/", programmes.event_detail, name="detail"),
    path("<slug:slug>/calendar.ics", programmes.event_calendar, name="ics"),
    path("<slug:slug>/edit/", programmes.event_edit, name="edit"),
    path("<slug:slug>/minutes/", programmes.event_minutes, name="minutes"),
    path("<slug:slug>/messages/", messages.event_messages, name="messages"),
]
