"""``{% bootstrap5_field %}``: crispy-bootstrap5's ``bootstrap5/field.html`` written in Python.

crispy's field template is a few dozen ``{% if %}`` tags, a dozen filter calls and four nested
``{% include %}`` templates (help text and errors) around one widget: about 0.15–0.3 ms per field
before the widget itself is rendered, and the portal's filter forms have up to 16 fields. The
project's ``templates/bootstrap5/field.html`` holds only this tag. For the fields the portal
renders the plain way (a label above, no horizontal form, no inline help or errors, no custom
wrapper) it writes crispy's markup — character for character, whitespace included, which
``tests/portal/test_crispy_field.py`` checks against crispy's own template — and renders the
widget through crispy's own ``{% crispy_field %}`` node (so the widget classes are the same).
Every other field (hidden, radio and checkbox lists, files, fieldsets, horizontal forms and
any crispy layout option) is rendered by crispy's original template, found behind this one.
"""

from crispy_forms.templatetags.crispy_forms_field import CrispyFieldNode
from django import forms, template
from django.utils.safestring import mark_safe

from portal.form_renderer import _text

register = template.Library()

TEMPLATE_NAME = "bootstrap5/field.html"

# Crispy's {% crispy_field field 'class' '…' %} nodes, one per class list the template uses.
_WIDGET_NODES = {
    classes: CrispyFieldNode("field", {"'class'": f"'{classes}'"})
    for classes in (
        "form-check-input",
        "form-check-input is-invalid",
        "form-select",
        "form-select is-invalid",
        "form-control",
        "form-control is-invalid",
    )
}

# Context variables of crispy's layout options: when any is set, crispy's template renders.
_LAYOUT_OPTIONS = (
    "tag",
    "label_class",
    "field_class",
    "wrapper_class",
    "help_text_inline",
    "error_text_inline",
    "bootstrap_checkbox_offsets",
)

_ASTERISK = '<span class="asteriskField">*</span>'


def _plain(field, context):
    """Whether the field takes the common path of crispy's template, written below."""
    if not context.get("form_show_labels"):
        return False
    if any(context.get(name) for name in _LAYOUT_OPTIONS):
        return False
    form_class = context.get("form_class")
    if form_class and (not isinstance(form_class, str) or "form-horizontal" in form_class):
        return False
    widget = field.field.widget
    return not (
        field.is_hidden
        or field.use_fieldset
        or isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput))
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
    )


def _help_text_and_errors(field, context):
    """``bootstrap5/layout/help_text_and_errors.html`` without inline help or errors."""
    errors = ""
    if context.get("form_show_errors") and field.errors:
        items = "".join(
            f'\n        <p id="error_{number}_{_text(field.auto_id)}">'
            f"<strong>{_text(error)}</strong></p>\n    "
            for number, error in enumerate(field.errors, start=1)
        )
        errors = (
            f'\n    <div id="{_text(field.errors.field_id)}_error" class="invalid-feedback">\n    '
            f"{items}\n    </div>\n"
        )
    help_text = ""
    if field.help_text:
        identifier = f'id="{_text(field.auto_id)}_helptext" ' if field.auto_id else ""
        help_text = (
            f'\n    \n        <div {identifier}class="form-text">{mark_safe(field.help_text)}</div>'  # noqa: S308 (crispy writes help text |safe)
            "\n    \n"
        )
    return f"\n\n\n    {errors}\n\n\n\n\n    {help_text}\n\n\n"


def _label_text(field):
    return f"{_text(field.label)}{_ASTERISK if field.field.required else ''}"


def render_field(field, context):
    """The markup of crispy-bootstrap5's ``field.html`` for a field on the common path."""
    checkbox = isinstance(field.field.widget, forms.CheckboxInput)
    required = " requiredField" if field.field.required else ""
    css_classes = field.css_classes()
    parts = ["\n\n\n    "]
    if checkbox:
        parts.append('\n        <div class="mb-3">\n        \n    ')
    parts.append(
        f'\n    <div id="div_{_text(field.auto_id)}" class="{"form-check" if checkbox else "mb-3"}'
        f'{" " + _text(css_classes) if css_classes else ""}">\n        '
    )
    if field.label and not checkbox:
        target = f'for="{_text(field.id_for_label)}"' if field.id_for_label else ""
        parts.append(
            f"\n            \n            <label\n                {target}"
            f' class="form-label{required}">\n                {_label_text(field)}'
            "\n            </label>\n        "
        )
    parts.append("\n\n        \n\n        \n            ")
    invalid = " is-invalid" if field.errors else ""
    if checkbox:
        widget = _WIDGET_NODES["form-check-input" + invalid].render(context)
        parts.append(
            f"\n                    \n                        {widget}\n                    "
            f'\n                <label for="{_text(field.id_for_label)}"'
            f' class="form-check-label{required}">\n                    {_label_text(field)}'
            f"\n                </label>\n                {_help_text_and_errors(field, context)}"
            "\n            "
        )
    else:
        select = isinstance(field.field.widget, forms.Select)
        widget = _WIDGET_NODES[("form-select" if select else "form-control") + invalid].render(
            context
        )
        if select:
            widget_part = (
                f"\n                        \n                            {widget}"
                "\n                        \n                    "
            )
        else:
            widget_part = f"\n                        {widget}\n                    "
        parts.append(
            f"\n                \n                    {widget_part}\n                    "
            f"\n                        {_help_text_and_errors(field, context)}"
            "\n                    \n                \n            "
        )
    parts.append("\n        \n        \n    </div>\n    ")
    if checkbox:
        parts.append("\n        \n        </div>\n    ")
    parts.append("\n\n")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or crispy's own)


class Bootstrap5FieldNode(template.Node):
    def render(self, context):
        field = context.get("field")
        if field is not None and _plain(field, context):
            return render_field(field, context)
        # Crispy's own template, the one this project's template of the same name hides.
        original = context.template.engine.find_template(TEMPLATE_NAME, skip=[self.origin])[0]
        return original.render(context)


@register.tag
def bootstrap5_field(parser, token):
    """``{% bootstrap5_field %}``: the rest of the template (its final newline) is not written."""
    parser.parse()
    return Bootstrap5FieldNode()
