"""Server-rendered SVG for the reports: horizontal bar charts and the map of the 81 provinces.

Both work without JavaScript and in print: every bar carries its label and its value in text
(no meaning in colour alone), and every chart and the map have a <title> and a <desc> and are
followed on the page by a table with the same figures. Colours are presentation attributes,
not style attributes, so the Content Security Policy allows them.
"""

import functools
import json
import math
import re

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

# Five blues from light to dark, each at least 3:1 against white (WCAG 1.4.11, non-text
# contrast; tests/reports/test_map.py computes the ratios), so the lightest class still stands
# out from the page, and the steps stay apart in greyscale.
PALETTE = ["#5a93c8", "#3b74b2", "#2c5f9e", "#1a4b8a", "#0b2c5e"]
OUT_OF_SCOPE = "#d9d9d9"
# "No data" is hatched, never a flat colour a class might be mistaken for.
NO_DATA_PATTERN_ID = "map-no-data"
NO_DATA = f"url(#{NO_DATA_PATTERN_ID})"
NO_DATA_HATCH = "#6b6b6b"
# Room around a zoomed-in scope, in viewBox units.
ZOOM_MARGIN = 8
BAR = "#3182bd"
TEXT = "#1a1a1a"

# Bar charts are drawn in CSS pixels, not scaled from a viewBox: a viewBox 1000 units wide
# shrank 13-unit labels to about 5 px on a 390 px phone. Each row is the label on a line of its
# own, then the bar with its value written after it; bar lengths are percentages of the chart's
# width, so the chart fits any column while its text stays FONT_SIZE px (at least 12, see
# tests/e2e/test_phone.py).
FONT_SIZE = 13
ROW_HEIGHT = 46
LABEL_BASELINE = 16
BAR_TOP = 22
BAR_HEIGHT = 16
VALUE_BASELINE = 35
# The longest bar, in % of the width: the rest is room for the value text ("45,3 % (12 / 26)").
BAR_SHARE = 62
LABEL_CHARACTERS = 48


def _shorten(text, limit=LABEL_CHARACTERS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _percent(number):
    return f"{number:.1f}%"


def bar_chart(*, chart_id, title, description, bars, maximum=None):
    """A horizontal bar chart; ``bars`` is a list of (label, value, value text). Each bar has
    its label above it and its value text after it, and a <title> with both; a bar whose value
    is None (a figure not shown) has its value text alone. A full bar is ``maximum`` (1 for
    shares), or the largest value."""
    height = max(len(bars), 1) * ROW_HEIGHT + 4
    largest = maximum or max((bar[1] or 0 for bar in bars), default=0) or 1
    rows = []
    for index, (label, value, value_text) in enumerate(bars):
        y = index * ROW_HEIGHT
        share = BAR_SHARE * min(value or 0, largest) / largest
        bar = (
            format_html(
                '<rect x="0" y="{y}" width="{width}" height="{height}" fill="{bar}" '
                'stroke="{text}" stroke-width="0.5"></rect>',
                y=y + BAR_TOP,
                width=_percent(share),
                height=BAR_HEIGHT,
                bar=BAR,
                text=TEXT,
            )
            if value is not None
            else ""
        )
        rows.append(
            format_html(
                "<g><title>{label}: {value}</title>"
                '<text x="0" y="{label_y}" font-size="{size}" fill="{text}">{short}</text>'
                "{bar}"
                '<text x="{value_x}" y="{value_y}" font-size="{size}" fill="{text}"{italic}>'
                "{value}</text></g>",
                label=label,
                short=_shorten(label),
                value=value_text,
                label_y=y + LABEL_BASELINE,
                value_y=y + VALUE_BASELINE,
                value_x=_percent(share + 1.5) if value is not None else "0",
                italic=mark_safe(' font-style="italic"') if value is None else "",
                bar=bar,
                size=FONT_SIZE,
                text=TEXT,
            )
        )
    if not bars:
        rows.append(
            format_html(
                '<text x="0" y="22" font-size="{}" fill="{}">{}</text>',
                FONT_SIZE,
                TEXT,
                gettext("No figures to show."),
            )
        )
    return format_html(
        '<svg class="report-chart" width="100%" height="{height}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{rows}</svg>",
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


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@functools.cache
def _shape_bounds(plate):
    """(min x, min y, max x, max y) of a province's outline: its paths use absolute M, L and C
    commands only, so every pair of numbers is a point (Bézier control points included, which
    keeps a curve inside the box)."""
    numbers = [float(n) for n in NUMBER.findall(province_shapes()[1][plate])]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def view_box_of(plates):
    """The viewBox that frames the given provinces (with a margin); the whole country's when
    ``plates`` is empty."""
    if not plates:
        return province_shapes()[0]
    boxes = [_shape_bounds(plate) for plate in plates]
    left = min(b[0] for b in boxes) - ZOOM_MARGIN
    top = min(b[1] for b in boxes) - ZOOM_MARGIN
    width = max(b[2] for b in boxes) + ZOOM_MARGIN - left
    height = max(b[3] for b in boxes) + ZOOM_MARGIN - top
    return " ".join(f"{value:.1f}" for value in (left, top, width, height))


def class_breaks(measure_kind, values):
    """The lower bound of each of the 5 classes, every class holding its lower bound and not
    its upper one (the next class's lower bound): fifths of 100 % for shares (0–<20 %, …,
    ≥ 80 %); for counts, equal whole-number steps up to the largest value."""
    if measure_kind == "share":
        return [0.0, 0.2, 0.4, 0.6, 0.8]
    largest = max((v for v in values if v is not None), default=0)
    step = max(1, math.ceil((largest + 1) / 5))
    return [step * i for i in range(5)]


def class_of(value, breaks):
    """The index of the one class holding ``value``: the last whose lower bound it reaches."""
    index = 0
    for position, lower in enumerate(breaks):
        if value >= lower:
            index = position
    return index


def legend_entries(measure_kind, breaks, format_number):
    """(fill, label) of each class, then the no-data and the out-of-scope swatches. Share
    classes are written "20–<40 %" and the last "≥ 80 %", so a bound belongs to one class;
    count classes are ranges of whole numbers ("0–2", "3–5", …, "≥ 12"). ``format_number``
    writes a bound (a share as a whole percentage, without the sign)."""
    entries = []
    share = measure_kind == "share"
    for index, lower in enumerate(breaks):
        low = format_number(lower)
        if index == len(breaks) - 1:
            label = (
                gettext("≥ %(low)s %%") % {"low": low}
                if share
                else gettext("≥ %(low)s") % {"low": low}
            )
        elif share:
            high = format_number(breaks[index + 1])
            label = gettext("%(low)s–<%(high)s %%") % {"low": low, "high": high}
        else:
            high = breaks[index + 1] - 1
            label = (
                low
                if high == lower
                else gettext("%(low)s–%(high)s") % {"low": low, "high": format_number(high)}
            )
        entries.append((PALETTE[index], label))
    entries.append((NO_DATA, gettext("No data (hatched)")))
    entries.append((OUT_OF_SCOPE, gettext("Outside the scope of this report")))
    return entries


def no_data_pattern():
    """The hatching of "no data" as an SVG <pattern>: white with dark diagonal lines."""
    return format_html(
        '<pattern id="{id}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"></rect>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{hatch}" stroke-width="2"></line></pattern>',
        id=NO_DATA_PATTERN_ID,
        hatch=NO_DATA_HATCH,
    )


def _in_view(plate, view_box):
    left, top, width, height = (float(n) for n in view_box.split())
    x0, y0, x1, y1 = _shape_bounds(plate)
    return x1 >= left and x0 <= left + width and y1 >= top and y0 <= top + height


def province_map(*, title, description, provinces, view_box=None, only_in_view=False):
    """The 81 provinces as an inline SVG, framed by ``view_box`` (the whole country by
    default). ``provinces``: one dict per province with plate, name, fill, value_text and href
    (None when the user may not open it). ``only_in_view`` leaves out the provinces wholly
    outside the frame (invisible anyway): a map zoomed on two provinces is then 23 kB
    instead of the whole country's 113 kB, which matters on a phone."""
    default_box, shapes = province_shapes()
    if only_in_view and view_box:
        provinces = [p for p in provinces if _in_view(p["plate"], view_box)]
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
        "<defs>{pattern}</defs>"
        "{parts}</svg>",
        view_box=view_box or default_box,
        title=title,
        description=description,
        pattern=no_data_pattern(),
        parts=format_html_join("", "{}", ((part,) for part in parts)),
    )
