"""Layout helpers shared by every app's templates: the filter panel of a list."""

from django import template

register = template.Library()


def active_filters(form) -> int:
    """How many visible fields of a bound filter form carry a value."""
    if form is None or not form.is_bound:
        return 0
    count = 0
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        values = form.data.getlist(name) if hasattr(form.data, "getlist") else [form.data.get(name)]
        if any(value not in (None, "") for value in values):
            count += 1
    return count


class FilterPanelNode(template.Node):
    def __init__(self, form, nodelist):
        self.form = form
        self.nodelist = nodelist

    def render(self, context):
        form = self.form.resolve(context)
        content = self.nodelist.render(context)
        panel = context.template.engine.get_template("includes/filter_panel.html")
        with context.push(filter_panel_content=content, filter_panel_active=active_filters(form)):
            return panel.render(context)


@register.tag
def filterpanel(parser, token):
    """``{% filterpanel form %}<form …>…</form>{% endfilterpanel %}``: the filter form behind
    one "Filter" button on phones (a <details>, open when a filter is active; always open from
    the md breakpoint up, see static/css/portal.css)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument, the filter form")
    nodelist = parser.parse(("endfilterpanel",))
    parser.delete_first_token()
    return FilterPanelNode(parser.compile_filter(bits[1]), nodelist)
