"""crispy-bootstrap5's field template is written in Python (portal/templatetags/portal_crispy.py,
behind templates/bootstrap5/field.html): the markup must be exactly what crispy's own template
writes, whitespace included, for every kind of field, with and without errors, through
``|as_crispy_field``, ``|crispy`` and ``{% crispy %}``, and on the review inbox."""

import re

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.templatetags import portal_crispy
from tests.factories import MunicipalStaffFactory, UserFactory
from tests.surveys.factories import CampaignFactory

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


class Everything(forms.Form):
    text = forms.CharField(label="Ad", help_text="Tam adınız")
    optional = forms.CharField(label="Not", required=False)
    hostile = forms.CharField(label=HOSTILE, help_text=mark_safe("<b>kalın</b>"), required=False)
    lazy = forms.CharField(label=gettext_lazy("Name"), required=False)
    unlabelled = forms.CharField(label="", required=False)
    email = forms.EmailField(label="E-posta")
    number = forms.IntegerField(label="Sayı", required=False)
    date = forms.DateField(label="Tarih", widget=forms.DateInput(attrs={"type": "date"}))
    textarea = forms.CharField(label="Metin", widget=forms.Textarea, help_text="Uzun")
    select = forms.ChoiceField(label="İl", choices=[("", "—"), ("6", "Ankara"), ("35", "İzmir")])
    several = forms.MultipleChoiceField(label="Çok", choices=[(1, "Bir"), (2, "İki")])
    checkbox = forms.BooleanField(label="Kabul", help_text="Koşullar")
    optional_checkbox = forms.BooleanField(label="Gecikmiş", required=False)
    radios = forms.ChoiceField(
        label="Öncelik", choices=[("1", "Bir"), ("2", "İki")], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        label="Kutular",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    upload = forms.FileField(label="Dosya", required=False, help_text="PDF")
    split = forms.SplitDateTimeField(label="Zaman", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    classed = forms.CharField(
        label="Sınıf", required=False, widget=forms.TextInput(attrs={"class": "extra"})
    )

    def clean(self):
        raise forms.ValidationError("Formda hata var")


class Classy(Everything):
    """Row classes (BoundField.css_classes) from the form's error and required classes."""

    error_css_class = "hatali"
    required_css_class = "zorunlu"


BAD_DATA = {
    "text": "",
    "email": "değil",
    "number": "bir",
    "date": "dün",
    "select": "99",
    "checkbox": "",
    "radios": "9",
    "boxes": ["z"],
    "hostile": HOSTILE,
}


def bound_forms():
    return [
        Everything(),
        Everything(data=BAD_DATA),
        Classy(data=BAD_DATA),
        Everything(auto_id=False),
        Everything(data={**BAD_DATA, "text": "Zeynep"}, prefix="p"),
    ]


def field_markup(form):
    template = Template(
        "{% load crispy_forms_tags %}{% for f in form %}{{ f|as_crispy_field }}{% endfor %}"
    )
    return template.render(Context({"form": form}))


def form_markup(form):
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def helper_markup(form, **options):
    form.helper = FormHelper()
    form.helper.form_tag = False
    for name, value in options.items():
        setattr(form.helper, name, value)
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


@pytest.fixture
def crispy_template(monkeypatch):
    """Every field through crispy's own field.html (the template the Python one hides)."""

    def use():
        monkeypatch.setattr(portal_crispy, "_plain", lambda field, context: False)

    return use


def both(render, crispy_template):
    ours = render()
    crispy_template()
    return ours, render()


@pytest.mark.parametrize("render", [field_markup, form_markup])
def test_fields_are_written_as_crispys_template_writes_them(render, crispy_template):
    ours = [render(form) for form in bound_forms()]
    crispy_template()
    theirs = [render(form) for form in bound_forms()]
    for mine, original in zip(ours, theirs, strict=True):
        assert mine == original
    assert 'class="invalid-feedback"' in ours[1]
    assert "&lt;script&gt;" in ours[1] and "<script>" not in ours[1]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"form_show_labels": False},
        {"form_show_errors": False},
        {"form_class": "form-horizontal", "label_class": "col-2", "field_class": "col-8"},
        {"help_text_inline": True, "error_text_inline": True},
        {"wrapper_class": "col-md-6"},
        {"layout": Layout(Field("text", wrapper_class="w"), "checkbox", Field("select"))},
    ],
)
def test_crispy_helper_options_give_the_same_markup(options, crispy_template):
    ours = [helper_markup(form, **options) for form in bound_forms()]
    crispy_template()
    theirs = [helper_markup(form, **options) for form in bound_forms()]
    assert ours == theirs


def test_the_common_fields_take_the_python_path(monkeypatch):
    written = []
    original = portal_crispy.render_field
    monkeypatch.setattr(
        portal_crispy, "render_field", lambda f, c: written.append(f.name) or original(f, c)
    )
    field_markup(Everything())
    assert {"text", "select", "checkbox", "textarea", "several"} <= set(written)
    assert not {"radios", "boxes", "upload", "split", "hidden"} & set(written)


def masked(html):
    """The page without its CSRF tokens (masked anew on every request)."""
    html = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r'\1=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?rank=9&hazard=x&assigned=nobody&o=zzz"])
def test_the_inbox_page_is_unchanged(client, crispy_template, query):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    CampaignFactory(code="k2025")
    client.force_login(user)
    ours = client.get(f"/surveys/inbox/{query}")
    crispy_template()
    theirs = client.get(f"/surveys/inbox/{query}")
    assert ours.status_code == theirs.status_code == 200
    assert 'id="div_id_campaign"' in ours.text
    assert masked(ours.text) == masked(theirs.text)
