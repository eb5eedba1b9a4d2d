"""Answer templates of a municipality: list, create, edit, retire and reuse, scoping."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import Municipality, MunicipalStaff
from surveys.models import AnswerTemplate
from tests.factories import MembershipFactory, MunicipalStaffFactory, UserFactory
from tests.surveys.factories import erzurum_metropolitan

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    """The English URL of a view (the Turkish one has no prefix)."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


LIST = "/en/surveys/answer-templates/"


def edit_url(template):
    return en("surveys:answer_template_edit", pk=template.pk)


def retire_url(template):
    return en("surveys:answer_template_retire", pk=template.pk)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def yakutiye():
    return Municipality.objects.get(province=25, name="Yakutiye Belediyesi")


def template_of(municipality, title="Teşekkür", **fields):
    fields.setdefault("body", "Beklentiniz için teşekkür ederiz; birimimiz inceliyor.")
    return AnswerTemplate.objects.create(municipality=municipality, title=title, **fields)


@pytest.fixture
def staff(db):
    user = UserFactory(email="personel@erzurum.bel.tr", full_name="Zeynep Kaya")
    MunicipalStaffFactory(user=user)
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_list_shows_own_templates_in_use_and_retired(staff_client):
    template_of(erzurum_metropolitan(), "Teşekkür")
    template_of(erzurum_metropolitan(), "Eski yanıt", is_active=False)
    template_of(yakutiye(), "Yakutiye'nin yanıtı")
    response = staff_client.get(LIST)
    assert [t.title for t in response.context["templates"]] == ["Teşekkür", "Eski yanıt"]
    html = response.content.decode()
    assert "Retired" in html
    assert "Yakutiye&#x27;nin yanıtı" not in html
    # One municipality: no selector, the municipality is implied.
    assert 'type="hidden" name="municipality"' in html


def test_staff_create_a_template(staff_client, staff):
    response = staff_client.post(
        LIST,
        {
            "municipality": erzurum_metropolitan().pk,
            "title": "  Bilgi   verildi ",
            "body": "Talebiniz ilgili müdürlüğe iletildi.",
        },
    )
    assert response.status_code == 302
    assert response.url == en("surveys:answer_templates")
    template = AnswerTemplate.objects.get()
    assert (template.municipality, template.title, template.created_by, template.is_active) == (
        erzurum_metropolitan(),
        "Bilgi verildi",
        staff,
        True,
    )
    assert texts(response) == ["The answer template “Bilgi verildi” has been added."]


def test_managers_create_templates_too(client):
    manager = UserFactory()
    MunicipalStaffFactory(user=manager, role=MunicipalStaff.Role.MANAGER)
    client.force_login(manager)
    client.post(
        LIST, {"municipality": erzurum_metropolitan().pk, "title": "Red", "body": "Gerekçe."}
    )
    assert AnswerTemplate.objects.filter(title="Red", created_by=manager).exists()


def test_duplicate_active_title_is_a_form_error(staff_client):
    template_of(erzurum_metropolitan(), "Teşekkür")
    template_of(yakutiye(), "Aynı ad")
    response = staff_client.post(
        LIST, {"municipality": erzurum_metropolitan().pk, "title": "Teşekkür", "body": "Yeni."}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["Erzurum Büyükşehir Belediyesi already has an answer template with this title."]
    }
    html = response.content.decode()
    assert "Yeni." in html  # what was typed is kept
    assert AnswerTemplate.objects.filter(title="Teşekkür").count() == 1
    # Another municipality's title, or a retired one's, is free.
    staff_client.post(
        LIST, {"municipality": erzurum_metropolitan().pk, "title": "Aynı ad", "body": "Metin."}
    )
    assert AnswerTemplate.objects.filter(title="Aynı ad").count() == 2


def test_a_retired_title_can_be_reused(staff_client):
    old = template_of(erzurum_metropolitan(), "Teşekkür", is_active=False)
    staff_client.post(
        LIST, {"municipality": erzurum_metropolitan().pk, "title": "Teşekkür", "body": "Yeni."}
    )
    assert AnswerTemplate.objects.filter(title="Teşekkür", is_active=True).exclude(pk=old.pk)


def test_create_refuses_another_municipality(staff_client):
    response = staff_client.post(
        LIST, {"municipality": yakutiye().pk, "title": "Sızma", "body": "Metin."}
    )
    assert "municipality" in response.context["form"].errors
    assert not AnswerTemplate.objects.exists()


def test_edit_own_template(staff_client):
    template = template_of(erzurum_metropolitan(), "Teşekkür")
    response = staff_client.get(edit_url(template))
    assert "Beklentiniz için teşekkür ederiz" in response.content.decode()
    response = staff_client.post(
        edit_url(template),
        {"municipality": erzurum_metropolitan().pk, "title": "Teşekkürler", "body": "Yeni metin."},
    )
    assert response.url == en("surveys:answer_templates")
    template.refresh_from_db()
    assert (template.title, template.body) == ("Teşekkürler", "Yeni metin.")


def test_edit_to_a_duplicate_title_is_refused(staff_client):
    template_of(erzurum_metropolitan(), "Teşekkür")
    other = template_of(erzurum_metropolitan(), "Bilgi")
    response = staff_client.post(
        edit_url(other),
        {"municipality": erzurum_metropolitan().pk, "title": "Teşekkür", "body": "Metin."},
    )
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    other.refresh_from_db()
    assert other.title == "Bilgi"


def test_another_municipalitys_template_is_not_found(staff_client):
    theirs = template_of(yakutiye(), "Yakutiye")
    assert staff_client.get(edit_url(theirs)).status_code == 404
    response = staff_client.post(
        edit_url(theirs), {"municipality": yakutiye().pk, "title": "Ele geçti", "body": "x"}
    )
    assert response.status_code == 404
    assert staff_client.post(retire_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.is_active) == ("Yakutiye", True)


def test_retire_and_reuse(staff_client):
    template = template_of(erzurum_metropolitan(), "Teşekkür")
    response = staff_client.post(retire_url(template))
    assert response.url == en("surveys:answer_templates")
    template.refresh_from_db()
    assert template.is_active is False
    assert texts(response) == ["“Teşekkür” has been retired; it is kept but no longer offered."]
    staff_client.post(retire_url(template))
    template.refresh_from_db()
    assert template.is_active is True


def test_reuse_is_refused_when_the_title_is_taken(staff_client):
    old = template_of(erzurum_metropolitan(), "Teşekkür", is_active=False)
    template_of(erzurum_metropolitan(), "Teşekkür")
    response = staff_client.post(retire_url(old))
    old.refresh_from_db()
    assert old.is_active is False
    assert "cannot be put back in use" in texts(response)[0]


def test_retire_is_post_only(staff_client):
    template = template_of(erzurum_metropolitan())
    assert staff_client.get(retire_url(template)).status_code == 405
    template.refresh_from_db()
    assert template.is_active is True


def test_retired_templates_are_not_offered_for_bulk_answers(staff_client, campaign):
    template_of(erzurum_metropolitan(), "Kullanımda")
    template_of(erzurum_metropolitan(), "Emekli", is_active=False)
    from tests.surveys.factories import ExpectationFactory

    submission = ExpectationFactory(submission__campaign=campaign).submission
    submission.status = submission.Status.SUBMITTED
    submission.submitted_at = submission.created_at
    submission.receipt_number = "K2025-000001"
    submission.save()
    response = staff_client.get("/en/surveys/inbox/")
    labels = [t.title for t in response.context["bulk_form"].fields["template"].queryset]
    assert labels == ["Kullanımda"]


def test_staff_of_several_municipalities_choose_and_filter(client):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    MunicipalStaffFactory(user=user, municipality=yakutiye())
    template_of(erzurum_metropolitan(), "Büyükşehir yanıtı")
    template_of(yakutiye(), "Yakutiye yanıtı")
    client.force_login(user)
    response = client.get(LIST)
    assert sorted(t.title for t in response.context["templates"]) == [
        "Büyükşehir yanıtı",
        "Yakutiye yanıtı",
    ]
    html = response.content.decode()
    assert f'href="{LIST}?municipality={yakutiye().pk}"' in html
    assert '<select name="municipality"' in html
    response = client.get(LIST, {"municipality": yakutiye().pk})
    assert [t.title for t in response.context["templates"]] == ["Yakutiye yanıtı"]
    client.post(LIST, {"municipality": yakutiye().pk, "title": "İkinci", "body": "Metin."})
    assert AnswerTemplate.objects.get(title="İkinci").municipality == yakutiye()


def test_templates_are_for_municipal_staff_only(client, ngo):
    template = template_of(erzurum_metropolitan())
    assert client.get(LIST).url.startswith(en("account_login"))
    member = UserFactory()
    MembershipFactory(user=member, ngo=ngo)
    client.force_login(member)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"title": "x", "body": "y"}).status_code == 403
    assert client.get(edit_url(template)).status_code == 403
    assert client.post(retire_url(template)).status_code == 403
    assert AnswerTemplate.objects.count() == 1


def test_template_list_query_count_does_not_grow(staff_client):
    template_of(erzurum_metropolitan(), "Şablon 0")
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(LIST)
    assert len(response.context["templates"]) == 1
    for n in range(1, 5):
        template_of(erzurum_metropolitan(), f"Şablon {n}", is_active=n % 2 == 0)
    with CaptureQueriesContext(connection) as five:
        response = staff_client.get(LIST)
    assert len(response.context["templates"]) == 5
    assert len(one) == len(five)


def test_template_form_explains_and_checks_the_placeholders(staff_client):
    page = staff_client.get(LIST).content.decode()
    assert "You may write {ngo}, {title} and {municipality}" in page

    response = staff_client.post(
        LIST,
        {
            "municipality": erzurum_metropolitan().pk,
            "title": "Yanlış yer tutucu",
            "body": "Sayın {dernek}, {ngo} adına {tarih} tarihli…",
        },
    )

    assert not AnswerTemplate.objects.exists()
    assert (
        "Unknown placeholder {dernek}, {tarih}: only {ngo}, {title}, {municipality} are filled in."
        in (response.content.decode())
    )
