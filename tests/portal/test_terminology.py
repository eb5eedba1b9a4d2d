"""One Turkish term per idea, written as TDK writes it, in every Turkish text the portal shows."""

import re
from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.utils import translation

# The variant we do not write, and the one we write instead.
FORBIDDEN = [
    (r"işbirli|İşbirli|IŞBİRLİ", "iş birliği (two words, TDK)"),
    (r"şifre|Şifre", "Parola"),
    (r"[Kk]ayıt [Oo]l(?!uş)", "Kaydol (TDK: kaydolmak)"),
    (r"\b[Üü]ye ol(?:\b|un\b|mak|ma\b|duğunuz portal)", "Kaydol (signing up, not membership)"),
    (r"\beposta|e-posta['’]|E-Posta|e-postasi\b|\b[Ee]-mail", "e-posta, e-postası"),
    (r"websitesi|Websitesi|web-sitesi|Web Sitesi|internet sitesi|İnternet sitesi", "Web sitesi"),
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _faults(text):
    text = PLACEHOLDER.sub("", text)
    return [
        (match.group(), instead)
        for pattern, instead in FORBIDDEN
        for match in re.finditer(pattern, text)
    ]


def _catalogue(path):
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


OURS = Path(settings.BASE_DIR) / "locale/tr/LC_MESSAGES/django.po"
ALLAUTH = Path(allauth.__file__).parent / "locale/tr/LC_MESSAGES/django.po"


def test_the_checker_finds_each_variant():
    assert _faults("Belediye–STK İşbirliği Portalı")
    assert _faults("Şifrenizi mi unuttunuz?")
    assert _faults("Üye Ol") == []  # capital O: allauth's title case, caught by the next line
    assert _faults("Önce üye olun")
    assert _faults("Doğrulama e-posta'sı gönderildi")
    assert _faults("websitesi")
    assert _faults("Sizi üye olarak eklemelerini isteyin. Kişi üye olur. %(email)s") == []


def test_our_turkish_catalogue_uses_one_term_per_idea():
    faults = []
    for entry in _catalogue(OURS):
        for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
            faults += [(entry.msgid, *fault) for fault in _faults(msgstr)]
    assert faults == []


def test_the_portal_name_is_written_as_tdk_writes_it():
    with translation.override("tr"):
        assert translation.gettext("Municipality–NGO Cooperation Portal") == (
            "Belediye–STK İş Birliği Portalı"
        )


@pytest.mark.parametrize("language", ["tr"])
def test_allauths_messages_are_shown_in_our_terms(language):
    """allauth's own catalogue says "Şifre" and "Üye Ol": ours translates those messages again."""
    checked = 0
    with translation.override(language):
        for entry in _catalogue(ALLAUTH):
            if entry.msgid_plural or entry.msgctxt or not entry.msgstr:
                continue
            shown = translation.gettext(entry.msgid)
            assert _faults(shown.replace("Üye Ol", "üye ol")) == [], entry.msgid
            checked += 1
    assert checked > 200
    with translation.override("tr"):
        assert translation.gettext("Password") == "Parola"
        assert translation.gettext("Sign Up") == "Kaydol"
        assert translation.gettext("Confirmation email sent to %(email)s.") == (
            "Doğrulama e-postası %(email)s adresine gönderildi."
        )


@pytest.mark.django_db
def test_the_sign_up_and_log_in_pages_use_our_terms(client):
    for url in ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"]:
        html = client.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", html)
        assert _faults(text.replace("Üye Ol", "üye ol")) == [], url
    assert "Parola" in client.get("/accounts/login/").content.decode()


def test_turkish_text_in_code_and_templates_uses_one_term_per_idea():
    root = Path(settings.BASE_DIR)
    faults = []
    for folder in [
        "templates",
        "demo",
        "surveys",
        "ngos",
        "municipalities",
        "events",
        "reports",
        "dashboard",
        "members",
        "cooperation",
        "portal",
    ]:
        for path in (root / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt", ".csv", ".json"}:
                continue
            if "migrations" in path.parts or path.name == "allauth_terms.py":
                continue
            text = path.read_text(encoding="utf-8")
            # English prose and comments say "e-mail"; only Turkish words count here.
            text = re.sub(r"\b[Ee]-mail", "", text)
            faults += [(str(path.relative_to(root)), *fault) for fault in _faults(text)]
    # The taxonomy names its former default to correct it in existing databases; the NGO import
    # accepts the ASCII column header "eposta" (a key people type, not text we show).
    allowed = {("surveys/taxonomy.py", "işbirli"), ("ngos/services/imports.py", "eposta")}
    assert [f for f in faults if f[:2] not in allowed] == []


@pytest.mark.django_db
def test_the_taxonomy_corrects_its_former_default_name():
    from surveys.models import Category
    from surveys.taxonomy import taxonomy_load

    Category.objects.filter(code="HEMSEHRI-ISBIRLIGI").update(
        name="Hemşehri dernekleriyle işbirliği"
    )
    Category.objects.filter(code="HEMSEHRI-KIMLIK").update(name="Renamed by an administrator")
    taxonomy_load()
    assert Category.objects.get(code="HEMSEHRI-ISBIRLIGI").name == (
        "Hemşehri dernekleriyle iş birliği"
    )
    assert Category.objects.get(code="HEMSEHRI-KIMLIK").name == "Renamed by an administrator"
