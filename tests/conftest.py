import pytest

from portal.demo import seed_demo


@pytest.fixture
def demo(db):
    """The demo data of `manage.py seed_demo` (accounts of every role around Erzurum)."""
    seed_demo(log=lambda *args: None)


@pytest.fixture(autouse=True)
def _fast_static(settings):
    # Tests render templates without a collected manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/… leaves English active in the thread; reverse() in the next test would
    # then build /en/ URLs. Every test starts in Turkish, the default language.
    from django.utils import translation

    translation.activate("tr")
    yield
    translation.deactivate()


@pytest.fixture
def english():
    """English for a test module that checks the English wording of messages and pages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("tr")
