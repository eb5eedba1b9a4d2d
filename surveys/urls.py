"""URLs of /surveys/. Fixed paths come before the campaigns' "<slug:code>/"; the public
statistics and the full export (/surveys/statistics/, /surveys/export/expectations.csv) are in
reports/urls.py."""

from django.urls import path

from surveys.views import campaigns, conversation, inbox, review, submissions

app_name = "surveys"
urlpatterns = [
    # Submissions
    path("<slug:code>/ngo/<slug:slug>/", submissions.submission_edit, name="submission_edit"),
    path(
        "<slug:code>/ngo/<slug:slug>/summary/",
        submissions.submission_summary,
        name="submission_summary",
    ),
    # The municipalities' review, and the NGO's side of a case
    path("cases/<int:pk>/", review.case_detail, name="case"),
    path("cases/<int:pk>/status/", review.case_status, name="case_status"),
    path("cases/<int:pk>/answer/", review.case_answer, name="case_answer"),
    path("cases/<int:pk>/note/", review.case_note, name="case_note"),
    path("cases/<int:pk>/assign/", review.case_assign, name="case_assign"),
    path("cases/<int:pk>/refer/", review.case_refer, name="case_refer"),
    path("cases/<int:pk>/messages/", conversation.case_message, name="case_message"),
    path(
        "cases/<int:pk>/conversation/",
        conversation.case_conversation,
        name="case_conversation",
    ),
    path(
        "my-expectations/<int:pk>/messages/",
        conversation.my_expectation_message,
        name="my_expectation_message",
    ),
    path("my-expectations/", review.my_expectations, name="my_expectations"),
    path("my-expectations/<int:pk>/", review.my_expectation, name="my_expectation"),
    path(
        "my-expectations/<int:pk>/confirm/",
        review.my_expectation_confirm,
        name="my_expectation_confirm",
    ),
    path(
        "my-expectations/<int:pk>/dispute/",
        review.my_expectation_dispute,
        name="my_expectation_dispute",
    ),
    # The inbox and answer templates
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bulk/", inbox.inbox_bulk, name="inbox_bulk"),
    path("inbox/referred/", inbox.referred_cases, name="referred_cases"),
    path("cases/", inbox.coordinator_cases, name="coordinator_cases"),
    path("answer-templates/", inbox.answer_template_list, name="answer_templates"),
    path(
        "answer-templates/<int:pk>/edit/",
        inbox.answer_template_edit,
        name="answer_template_edit",
    ),
    path(
        "answer-templates/<int:pk>/retire/",
        inbox.answer_template_retire,
        name="answer_template_retire",
    ),
    # Campaigns ("<slug:code>/" last)
    path("", campaigns.campaign_list, name="campaign_list"),
    path("new/", campaigns.campaign_create, name="campaign_create"),
    path("<slug:code>/", campaigns.campaign_detail, name="campaign_detail"),
    path("<slug:code>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("<slug:code>/close/", campaigns.campaign_close, name="campaign_close"),
    path("<slug:code>/blank-form/", campaigns.campaign_blank_form, name="campaign_blank_form"),
]
