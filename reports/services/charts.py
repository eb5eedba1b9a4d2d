"""Server-rendered SVG for the reports: horizontal bar charts and the map of the 81 provinces.

Both work without JavaScript and in print: every bar carries its label and its value in text
(no meaning in colour alone), and every chart and the map have a <title> and a <desc> and are
followed on the page by a table with the same figures. Colours are presentation attributes,
not style attributes, so the Content Security Policy allows them.
"""

import functools
import json
import math

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

# ColorBrewer "Blues" (5 classes): sequential, readable by colour-blind people and in greyscale.
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
OUT_OF_SCOPE = "#d9d9d9"
NO_DATA = "#ffffff"
BAR = "#3182bd"
TEXT = "#1a1a1a"

# In viewBox units; the chart scales to the width of its column, so these set the proportions
# (a 13-unit font is about 13 px on a 1000 px wide column).
LABEL_WIDTH = 380
BAR_WIDTH = 400
VALUE_WIDTH = 220
ROW_HEIGHT = 28
LABEL_CHARACTERS = 46


def _shorten(text, limit=LABEL_CHARACTERS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(*, chart_id, title, description, bars, maximum=None):
    """A horizontal bar chart; ``bars`` is a list of (label, value, value text). Each bar has
    its label on the left and its value text on the right, and a <title> with both. A full bar
    is ``maximum`` (1 for shares), or the largest value."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(len(bars), 1) * ROW_HEIGHT + 10
    largest = maximum or max((bar[1] or 0 for bar in bars), default=0) or 1
    rows = []
    for index, (label, value, value_text) in enumerate(bars):
        y = 5 + index * ROW_HEIGHT
        length = round(BAR_WIDTH * (value or 0) / largest, 1)
        rows.append(
            format_html(
                "<g><title>{label}: {value}</title>"
                '<text x="{label_x}" y="{text_y}" text-anchor="end" font-size="13" fill="{text}">'
                "{short}</text>"
                '<rect x="{bar_x}" y="{bar_y}" width="{length}" height="{bar_height}" '
                'fill="{bar}" stroke="{text}" stroke-width="0.5"></rect>'
                '<text x="{value_x}" y="{text_y}" font-size="13" fill="{text}">{value}</text>'
                "</g>",
                label=label,
                short=_shorten(label),
                value=value_text,
                label_x=LABEL_WIDTH - 8,
                text_y=y + 18,
                bar_x=LABEL_WIDTH,
                bar_y=y + 4,
                length=length,
                bar_height=ROW_HEIGHT - 8,
                value_x=LABEL_WIDTH + length + 6,
                bar=BAR,
                text=TEXT,
            )
        )
    if not bars:
        rows.append(
            format_html(
                '<text x="10" y="22" font-size="13" fill="{}">{}</text>',
                TEXT,
                gettext("No figures to show."),
            )
        )
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{rows}</svg>",
        width=width,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        rows=mark_safe("".join(rows)),  # noqa: S308 (each part built with format_html)
    )


@functools.cache
def province_shapes():
    """The outline of each province ({plate: SVG path}) and the map's viewBox, read once."""
    path = settings.REFERENCE_DATA_DIR / "province_shapes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["viewBox"], {int(plate): d for plate, d in data["provinces"].items()}


def class_breaks(measure_kind, values):
    """Upper bounds of the 5 classes: fifths of 100 % for shares; equal whole-number steps up to
    the largest value for counts."""
    if measure_kind == "share":
        return [0.2, 0.4, 0.6, 0.8, 1.0]
    largest = max((v for v in values if v is not None), default=0)
    step = max(1, math.ceil(largest / 5))
    return [step * (i + 1) for i in range(5)]


def class_of(value, breaks):
    for index, bound in enumerate(breaks):
        if value <= bound:
            return index
    return len(breaks) - 1


def legend_entries(measure_kind, breaks, format_value):
    """(colour, label) of each class, the no-data and the out-of-scope swatches."""
    entries = []
    lower = None
    for index, bound in enumerate(breaks):
        if measure_kind == "share":
            low = 0 if lower is None else lower
            label = f"{format_value(low)} – {format_value(bound)}"
        else:
            low = 0 if lower is None else lower + 1
            label = (
                format_value(bound)
                if low == bound
                else f"{format_value(low)} – {format_value(bound)}"
            )
        entries.append((PALETTE[index], label))
        lower = bound
    entries.append((NO_DATA, gettext("No data")))
    entries.append((OUT_OF_SCOPE, gettext("Outside the scope of this report")))
    return entries


def province_map(*, title, description, provinces):
    """The 81 provinces as an inline SVG. ``provinces``: one dict per province with plate,
    name, fill, value_text and href (None when the user may not open it)."""
    view_box, shapes = province_shapes()
    parts = []
    for province in provinces:
        label = gettext("%(province)s: %(value)s") % {
            "province": province["name"],
            "value": province["value_text"],
        }
        shape = format_html(
            '<title>{label}</title><path d="{d}" fill="{fill}" stroke="#4d4d4d" '
            'stroke-width="0.6" data-plate="{plate}"></path>',
            label=label,
            d=shapes[province["plate"]],
            fill=province["fill"],
            plate=province["plate"],
        )
        if province["href"]:
            parts.append(format_html('<a href="{}">{}</a>', province["href"], shape))
        else:
            parts.append(format_html("<g>{}</g>", shape))
    return format_html(
        '<svg class="report-map" viewBox="{view_box}" role="group" '
        'aria-labelledby="report-map-title report-map-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="report-map-title">{title}</title>'
        '<desc id="report-map-desc">{description}</desc>'
        "{parts}</svg>",
        view_box=view_box,
        title=title,
        description=description,
        parts=format_html_join("", "{}", ((part,) for part in parts)),
    )
