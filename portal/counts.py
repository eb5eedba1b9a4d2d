"""A noun after a number, as each language says it: "17 sub-regions", but "17 alt bölge".

Turkish does not pluralise after a number; Django's admin puts ``verbose_name_plural`` after
every count ("17 alt bölgeler"). The choice between a model's two names is itself a translated
message (context "noun after a number"), so each catalogue decides: English keeps the plural for
more than one, Turkish keeps the singular. The admin's counts use it: the changelist's total
(templates/admin/pagination.html) and the messages of its actions and bulk edits.
"""

from django.contrib.admin import actions, options
from django.contrib.admin import utils as admin_utils
from django.db import models
from django.utils.translation import npgettext


def noun_after_number(singular, plural, n):
    """``singular`` or ``plural``, whichever the active language puts after the number ``n``."""
    return npgettext("noun after a number", "%(singular)s", "%(plural)s", n or 0) % {
        "singular": singular,
        "plural": plural,
    }


def model_ngettext(obj, n=None):
    """``django.contrib.admin.utils.model_ngettext``, with the noun the language puts after n."""
    if isinstance(obj, models.query.QuerySet):
        if n is None:
            n = obj.count()
        obj = obj.model
    names = admin_utils.model_format_dict(obj)
    return noun_after_number(names["verbose_name"], names["verbose_name_plural"], n)


def install():
    """Give the admin's count messages the noun the language puts after a number."""
    for module in (admin_utils, actions, options):
        module.model_ngettext = model_ngettext
