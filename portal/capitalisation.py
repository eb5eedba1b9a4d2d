"""Turkish capitalisation where Django capitalises labels.

Django's ``capfirst`` upper-cases the first letter with Python's ``str.upper``, which turns the
Turkish ``i`` into a dotless ``I``: model verbose names become form labels such as "Iletişim
bilgileri", admin columns and messages read "Işlem". Verbose names stay lower-case in the
catalogue (Django also uses them mid-sentence: "17 alt bölge", "Değiştirilecek işlem seçin"), so
the fix belongs where Django capitalises: ``capfirst`` capitalises by Turkish rules while Turkish
(or Azerbaijani) is active. Django's modules import the function by name, so each module's copy
is replaced, as is the ``capfirst`` template filter (the admin's column headers and messages).
"""

import importlib
import sys

from django.template import defaultfilters
from django.template.defaultfilters import stringfilter
from django.utils import text as django_text
from django.utils.functional import keep_lazy_text
from django.utils.translation import get_language

from portal.turkish import tr_capfirst

# Django has two: the function, and the template filter that some modules import instead.
_ORIGINALS = (django_text.capfirst, defaultfilters.capfirst)
# Languages whose i/İ and ı/I are separate letters.
DOTTED_I_LANGUAGES = {"tr", "az"}

# Modules that import ``capfirst`` by name; some load late (the admin's template tags), so they
# are imported here rather than found in sys.modules.
MODULES = [
    "django.utils.text",
    "django.template.defaultfilters",
    "django.db.models.base",
    "django.db.models.fields",
    "django.forms.models",
    "django.contrib.admin.helpers",
    "django.contrib.admin.options",
    "django.contrib.admin.sites",
    "django.contrib.admin.utils",
    "django.contrib.admin.templatetags.admin_list",
    "django.contrib.auth.forms",
    "django_filters.utils",
]


def _dotted_i_language() -> bool:
    return (get_language() or "").split("-")[0] in DOTTED_I_LANGUAGES


django_text_capfirst = django_text.capfirst


@keep_lazy_text
def capfirst(x):
    """``django.utils.text.capfirst`` that capitalises ``i`` as ``İ`` in Turkish."""
    if not x:
        return x
    if _dotted_i_language():
        return tr_capfirst(x)
    return django_text_capfirst(x)


@stringfilter
def capfirst_filter(value):
    """The ``capfirst`` template filter, by Turkish rules in Turkish."""
    return capfirst(value)


def install():
    """Replace Django's ``capfirst`` (the function in every module that imported it, and the
    template filter) with the Turkish-aware one. Idempotent."""
    for name in MODULES:
        module = importlib.import_module(name)
        if getattr(module, "capfirst", None) in _ORIGINALS:
            module.capfirst = capfirst
    # Anything else already loaded that took a copy (a third-party app).
    for module in list(sys.modules.values()):
        if module is not defaultfilters and getattr(module, "capfirst", None) in _ORIGINALS:
            try:
                module.capfirst = capfirst
            except (AttributeError, TypeError):  # pragma: no cover (read-only module objects)
                continue
    defaultfilters.register.filter("capfirst", capfirst_filter, is_safe=True)
