"""Labels are capitalised by Turkish rules: "İşlem", never "Işlem" (Django's capfirst gives I)."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.template import Context, Template
from django.urls import reverse
from django.utils import text, translation

from portal.turkish import tr_capfirst, tr_lower
from tests.factories import UserFactory

PROJECT_APPS = [
    "portal",
    "municipalities",
    "ngos",
    "members",
    "surveys",
    "cooperation",
    "reports",
    "events",
    "dashboard",
    "demo",
]
WORD = re.compile(r"\w+")


def _turkish_vocabulary():
    """Every lower-case word of the Turkish catalogues the pages use (ours, Django's, allauth's)."""
    words = set()
    paths = [Path(settings.BASE_DIR) / "locale/tr/LC_MESSAGES/django.po"]
    for module in ("django.contrib.admin", "django.contrib.auth", "allauth"):
        root = Path(importlib.import_module(module).__file__).parent
        paths.append(root / "locale/tr/LC_MESSAGES/django.po")
    for path in paths:
        for entry in polib.pofile(str(path)):
            for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
                words.update(w for w in WORD.findall(msgstr) if w == tr_lower(w))
    return words


VOCABULARY = _turkish_vocabulary()


def wrong_dotless_capitals(label):
    """Words of ``label`` that start with a dotless "I" where Turkish writes "İ": the word with
    "i" is Turkish text of ours (the catalogue has it in lower case), the word with "ı" is not."""
    wrong = []
    for word in WORD.findall(str(label)):
        rest = word[1:]
        if (
            word[:1] == "I"
            and rest
            and rest == tr_lower(rest)
            and "i" + rest in VOCABULARY
            and "ı" + rest not in VOCABULARY
        ):
            wrong.append(word)
    return wrong


def test_the_detector_knows_a_wrong_dotless_capital():
    assert wrong_dotless_capitals("Işlemi yapan") == ["Işlemi"]
    assert wrong_dotless_capitals("Iletişim bilgilerini herkese açık göster") == ["Iletişim"]
    assert wrong_dotless_capitals("İşlem, Işık, Iğdır, ID") == []


def test_capfirst_capitalises_by_the_active_language():
    with translation.override("tr"):
        assert text.capfirst("işlem") == "İşlem"
        assert text.capfirst("ılık") == "Ilık"
        assert Template("{{ m|capfirst }}").render(Context({"m": "işlem eklendi"})) == (
            "İşlem eklendi"
        )
    with translation.override("en"):
        assert text.capfirst("item") == "Item"


def test_every_model_verbose_name_and_field_label_is_capitalised_in_turkish():
    checked = 0
    with translation.override("tr"):
        for model in apps.get_models():
            opts = model._meta
            names = [opts.verbose_name, opts.verbose_name_plural]
            names += [f.verbose_name for f in opts.get_fields() if hasattr(f, "verbose_name")]
            for name in names:
                label = str(text.capfirst(name))
                assert label == tr_capfirst(str(name)), (model, label)
                assert not wrong_dotless_capitals(label), (model, label)
                checked += 1
            for field in opts.get_fields():
                formfield = field.formfield() if hasattr(field, "formfield") else None
                if formfield is not None and formfield.label:
                    label = str(formfield.label)
                    assert label == tr_capfirst(str(field.verbose_name)), (model, label)
                    checked += 1
    assert checked > 500


def _project_form_classes():
    classes = set()
    for app in PROJECT_APPS:
        for module_name in (f"{app}.forms", f"{app}.filters"):
            try:
                package = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            modules = [package]
            if hasattr(package, "__path__"):
                for info in pkgutil.walk_packages(package.__path__, f"{module_name}."):
                    modules.append(importlib.import_module(info.name))
            for module in modules:
                for _, cls in inspect.getmembers(module, inspect.isclass):
                    if cls.__module__.split(".")[0] in PROJECT_APPS:
                        classes.add(cls)
    return classes


def test_every_form_label_is_capitalised_in_turkish():
    import django_filters

    form_classes = set()
    for cls in _project_form_classes():
        if issubclass(cls, forms.BaseForm):
            form_classes.add(cls)
        elif issubclass(cls, django_filters.FilterSet) and cls._meta.model is not None:
            form_classes.add(cls().form.__class__)
    assert len(form_classes) > 30
    seen = 0
    with translation.override("tr"):
        for form_class in form_classes:
            for name, field in form_class.base_fields.items():
                if not field.label:
                    continue
                label = str(field.label)
                assert not wrong_dotless_capitals(label), (form_class, name, label)
                model = getattr(getattr(form_class, "_meta", None), "model", None)
                try:
                    source = model._meta.get_field(name).verbose_name if model else None
                except Exception:  # a form field that is not a model field
                    source = None
                if source and str(source).lower() == label.lower():
                    assert label == tr_capfirst(str(source)), (form_class, name, label)
                seen += 1
    assert seen > 100


HEADER = re.compile(
    r'<th scope="col"[^>]*>\s*(?:<div class="sortoptions">.*?</div>)?\s*'
    r'<div class="text">(?:<a [^>]*>|<span>)(.*?)(?:</a>|</span>)</div>',
    re.S,
)


def test_every_admin_changelist_is_capitalised_in_turkish(client, demo):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    pages = with_rows = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        html = client.get(url).content.decode()
        headers = [re.sub(r"<[^>]+>", "", h).strip() for h in HEADER.findall(html)]
        headers = [header for header in headers if header]  # the select-all checkbox
        with translation.override("tr"):
            expected = [
                tr_capfirst(str(label_for_field(name, model, model_admin)))
                for name in model_admin.get_list_display(None)
                if name != "action_checkbox"
            ]
            title = re.escape(f" için {opts.verbose_name} seçin")
        if model_admin.get_queryset(_request()).exists():  # no table on an empty list
            assert headers == expected, url
            with_rows += 1
        assert re.search(f"<title>(Değiştirmek|Göstermek){title}", html), url
        caption = re.search(r"<caption>\s*<a [^>]*>(.*?)</a>", html)
        for label in [*headers, *(caption.groups() if caption else [])]:
            assert not wrong_dotless_capitals(label), (url, label)
        pages += 1
    assert pages == len(admin.site._registry) > 20
    assert with_rows > 20


def _request():
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    return request


@pytest.mark.django_db
def test_the_admin_capitalises_its_models_in_the_app_list(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    names = re.findall(r'<th scope="row" id="[^"]*">\s*<a [^>]*>(.*?)</a>', html)
    assert "İş birliği protokolleri" in names
    assert "İzinler" not in names and len(names) > 20
    assert not [n for n in names if wrong_dotless_capitals(n)]
