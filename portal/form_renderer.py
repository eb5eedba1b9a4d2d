"""The project's form renderer (``FORM_RENDERER``): Django's template renderer, except that
``<select>`` elements are written in Python.

Django renders a select through ``django/forms/widgets/select.html``, which includes a template
(and its attributes template) for every ``<option>``: about 0.1–0.2 ms per option. The filter
forms of the inbox and the directories carry hundreds of options (81 provinces, a province's
districts, 48 categories, the staff of a municipality), which made those templates a third of the
pages' time. ``render_select`` writes the same markup — character for character, which
``tests/portal/test_form_renderer.py`` checks against Django's templates — with the same
escaping and localisation as the template language. Selects whose options use another template
(a custom option widget) still go through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value):
    """``{{ value }}`` in a template: local time, localised, escaped unless already safe."""
    return conditional_escape(localize(template_localtime(value)))


def _attribute_value(value):
    """``{{ value|stringformat:'s' }}``: ``%s`` formatting, then escaped unless safe."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``: False leaves an attribute out, True writes its name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}")
        if value is not True:
            parts.append(f'="{_attribute_value(value)}"')
    return "".join(parts)


def render_select(widget):
    """The markup of ``django/forms/widgets/select.html`` for a widget context."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_attribute_value(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def _plain_select(context):
    widget = context.get("widget")
    return (
        widget is not None
        and widget.get("template_name") == SELECT_TEMPLATE
        and all(
            option.get("template_name") == OPTION_TEMPLATE
            for _name, options, _index in widget["optgroups"]
            for option in options
        )
    )


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with ``<select>`` written by ``render_select``."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE and _plain_select(context):
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)
