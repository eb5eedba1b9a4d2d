"""The report's map (issue 17): every class readable against white, "no data" unlike any
class, class bounds that do not overlap and say so in the legend, a sub-region or province
zoomed in, and a way past the map's 81 links."""

import re
from html import unescape

import pytest
from django.core.cache import caches

from portal import charts
from tests.reports.test_reports import (
    campaign_opened,
    make_borda_example,
    make_participation_data,
    make_regional,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def luminance(colour):
    """WCAG relative luminance of "#rrggbb"."""

    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_every_class_has_at_least_3_to_1_contrast_against_white(colour):
    assert contrast(colour, "#ffffff") >= 3


def test_classes_run_from_light_to_dark_and_no_data_is_a_hatching():
    lightness = [luminance(colour) for colour in charts.PALETTE]
    assert lightness == sorted(lightness, reverse=True)
    assert f"url(#{charts.NO_DATA_PATTERN_ID})" == charts.NO_DATA
    assert charts.NO_DATA not in charts.PALETTE
    pattern = str(charts.no_data_pattern())
    assert f'id="{charts.NO_DATA_PATTERN_ID}"' in pattern
    assert f'stroke="{charts.NO_DATA_HATCH}"' in pattern
    assert contrast(charts.NO_DATA_HATCH, "#ffffff") >= 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, 0), (0.1999, 0), (0.2, 1), (0.5, 2), (0.7999, 3), (0.8, 4), (1.0, 4)],
)
def test_share_bounds_belong_to_exactly_one_class(value, expected):
    breaks = charts.class_breaks("share", [])
    assert charts.class_of(value, breaks) == expected


def test_count_classes_are_whole_number_ranges_without_overlap():
    breaks = charts.class_breaks("int", [0, 4, 12])
    assert [charts.class_of(n, breaks) for n in range(13)] == [
        0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4,
    ]  # fmt: skip
    labels = [label for _fill, label in charts.legend_entries("int", breaks, str)][:5]
    assert labels == ["0–2", "3–5", "6–8", "9–11", "≥ 12"]


def test_legend_states_the_share_bounds(client):
    campaign = campaign_opened()
    make_borda_example(campaign)
    make_participation_data(campaign)
    client.force_login(make_regional())

    html = client.get("/en/reports/subregions/14/").content.decode()

    legend = re.search(r'<ul[^>]*id="map-legend".*?</ul>', html, re.S).group(0)
    labels = [
        unescape(" ".join(item.split())) for item in re.findall(r"</svg>([^<]*)</li>", legend)
    ]
    assert labels == [
        "0–<20 %",
        "20–<40 %",
        "40–<60 %",
        "60–<80 %",
        "≥ 80 %",
        "No data (hatched)",
        "Outside the scope of this report",
    ]
    assert f'fill="{charts.NO_DATA}"' in legend
    # Ağrı has no NGO: hatched on the map, not the lowest class's colour.
    svg = re.search(r'<svg class="report-map".*?</svg>', html, re.S).group(0)
    agri = re.search(r"<title>Ağrı: no data</title><path[^>]*>", svg).group(0)
    assert f'fill="{charts.NO_DATA}"' in agri
    assert "<pattern" in svg


def test_turkish_legend_uses_the_same_bounds(client):
    campaign = campaign_opened()
    make_borda_example(campaign)
    client.force_login(make_regional())
    html = client.get("/reports/subregions/14/").content.decode()
    legend = re.search(r'<ul[^>]*id="map-legend".*?</ul>', html, re.S).group(0)
    # Turkish writes the percent sign first.
    assert "%60–&lt;%80" in legend
    assert "≥ %80" in legend


def view_box(html):
    svg = re.search(r'<svg class="report-map"[^>]*>', html).group(0)
    return [float(n) for n in re.search(r'viewBox="([^"]*)"', svg).group(1).split()]


def bounds(plate):
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", charts.province_shapes()[1][plate])]
    return min(numbers[0::2]), min(numbers[1::2]), max(numbers[0::2]), max(numbers[1::2])


def test_subregion_and_province_reports_zoom_to_their_provinces(client):
    from municipalities.models import Province

    campaign_opened()
    client.force_login(make_regional())
    country = [float(n) for n in charts.province_shapes()[0].split()]

    national_box = view_box(client.get("/en/reports/", follow=True).content.decode())
    subregion_box = view_box(client.get("/en/reports/subregions/14/").content.decode())
    province_box = view_box(client.get("/en/reports/provinces/25/").content.decode())

    # A regional coordinator is sent from the national level to their sub-region.
    assert national_box == subregion_box
    plates = list(Province.objects.filter(subregion__code="14").values_list("plate", flat=True))
    left = min(bounds(p)[0] for p in plates)
    top = min(bounds(p)[1] for p in plates)
    right = max(bounds(p)[2] for p in plates)
    bottom = max(bounds(p)[3] for p in plates)
    margin = charts.ZOOM_MARGIN
    assert subregion_box == pytest.approx(
        [left - margin, top - margin, right - left + 2 * margin, bottom - top + 2 * margin],
        abs=0.1,
    )
    assert subregion_box[2] < country[2] / 2
    erzurum = bounds(25)
    assert province_box == pytest.approx(
        [
            erzurum[0] - margin,
            erzurum[1] - margin,
            erzurum[2] - erzurum[0] + 2 * margin,
            erzurum[3] - erzurum[1] + 2 * margin,
        ],
        abs=0.1,
    )


def test_national_map_shows_the_whole_country(client):
    from tests.reports.test_reports import make_national

    campaign_opened()
    client.force_login(make_national())
    html = client.get("/en/reports/").content.decode()
    svg = re.search(r'<svg class="report-map"[^>]*>', html).group(0)
    assert f'viewBox="{charts.province_shapes()[0]}"' in svg


def test_a_skip_link_leads_past_the_maps_links(client):
    campaign_opened()
    client.force_login(make_regional())
    html = client.get("/en/reports/subregions/14/").content.decode()

    skip = html.index('id="skip-map"')
    map_start = html.index('<svg class="report-map"')
    map_end = html.index("</svg>", map_start)
    assert skip < map_start
    assert "<a " not in html[skip:map_start]
    assert len(re.findall(r'<a href="/en/reports/provinces/', html[map_start:map_end])) == 6
    assert re.search(r'<a [^>]*href="#map-legend"[^>]*id="skip-map"[^>]*>Skip the map</a>', html)
    assert html.index('id="map-legend"') > html.index("</svg>", map_start)
