"""The project's form renderer writes <select> elements in Python: the markup must be exactly
what Django's own templates write, for every kind of select the portal uses, with the same
escaping and localisation; anything else still goes through the templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from municipalities.models import Province
from portal.form_renderer import FormRenderer

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Ankara"), ("i", "İzmir")])
    grouped = forms.ChoiceField(
        choices=[
            ("", "Hepsi"),
            ("Afet", [("dep", "Afet deposu"), ("tah", "Tahliye")]),
            ("Eğitim", [("kurs", "Kurs"), ("burs", "Burs")]),
            ("other", "Diğer"),
        ]
    )
    several = forms.MultipleChoiceField(
        choices=[(1, "Bir"), (2, "İki"), (3, "Üç")], widget=forms.SelectMultiple
    )
    hostile = forms.ChoiceField(choices=[(HOSTILE, HOSTILE), ("safe", mark_safe("<b>kalın</b>"))])
    numbers = forms.TypedChoiceField(
        choices=[(2025, 12345), (2024, 1.5), (2023, datetime.date(2025, 5, 12))], coerce=int
    )
    lazy = forms.ChoiceField(
        choices=[("y", gettext_lazy("Yes")), ("n", gettext_lazy("No"))],
        widget=forms.Select(
            attrs={
                "class": "form-select",
                "aria-describedby": HOSTILE,
                "hx-get": "/ngos/?a=1&b=2",
                "placeholder": gettext_lazy("Search"),
                "autofocus": True,
                "hidden": False,
                "data-n": 7,
            }
        ),
    )
    unknown = forms.NullBooleanField(widget=forms.NullBooleanSelect)
    province = forms.ModelChoiceField(
        queryset=Province.objects.order_by("name_sort"), empty_label="Tüm iller"
    )
    optional = forms.ChoiceField(choices=[("a", "A")], required=False, disabled=True)


DATA = {
    "plain": "i",
    "grouped": "kurs",
    "several": ["1", "3"],
    "hostile": HOSTILE,
    "numbers": "2024",
    "lazy": "n",
    "unknown": "true",
    "province": "25",
}


def render_both(make_form):
    """Each field's widget rendered by the project's renderer and by Django's."""
    fast, django = make_form(renderer=FormRenderer()), make_form(renderer=DjangoTemplates())
    return {name: (str(fast[name]), str(django[name])) for name in fast.fields}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("bound", [False, True])
def test_selects_are_written_exactly_as_djangos_templates_write_them(language, bound):
    with translation.override(language):

        def make_form(renderer):
            return Everything(
                DATA if bound else None,
                initial={"several": [2], "province": 34},
                renderer=renderer,
            )

        for name, (fast, django) in render_both(make_form).items():
            assert fast == django, name


@pytest.mark.django_db
def test_hostile_labels_and_values_are_escaped_and_selection_kept():
    form = Everything(DATA, renderer=FormRenderer())
    html = str(form["hostile"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in html
    assert "<b>kalın</b>" in html  # a label marked safe stays as it is
    assert html.count(" selected") == 1
    several = str(form["several"])
    assert several.count(" selected") == 2 and " multiple" in several


def test_the_setting_uses_the_projects_renderer():
    assert isinstance(forms.Form().renderer, FormRenderer)


def test_other_widgets_still_use_the_templates():
    class Other(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        text = forms.CharField()

    def make_form(renderer):
        return Other({"choice": "b", "text": HOSTILE}, renderer=renderer)

    for name, (fast, django) in render_both(make_form).items():
        assert fast == django, name
