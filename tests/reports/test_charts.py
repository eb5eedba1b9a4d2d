"""The bar charts of the reports and the statistics: drawn in CSS pixels, so their text keeps its
size on a 390 px phone (the real-browser check is tests/e2e/test_phone.py)."""

import re

from django.utils import translation

from portal import charts

BARS = [
    ("Afet hazırlığı ve müdahale: deprem riski taşıyan binaların güçlendirilmesi", 91, "91 puan"),
    ("Kültür ve sanat", 45, "45 puan"),
    ("Gizli alt bölge", None, "gösterilmiyor"),
]


def _chart(**kwargs):
    return str(
        charts.bar_chart(chart_id="c", title="Başlık", description="Açıklama", bars=BARS, **kwargs)
    )


def test_bar_chart_is_not_scaled_so_its_text_keeps_its_size():
    svg = _chart()
    assert "viewBox" not in svg
    assert 'width="100%"' in svg
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', svg)]
    assert sizes and min(sizes) >= 12
    assert f'height="{3 * charts.ROW_HEIGHT + 4}"' in svg


def test_bar_chart_puts_each_label_above_its_bar_and_the_value_after_it():
    svg = _chart()
    first = re.search(r"<g>.*?</g>", svg).group(0)
    label_y = int(re.search(r'<text x="0" y="(\d+)"', first).group(1))
    bar = re.search(r'<rect x="0" y="(\d+)" width="([\d.]+)%"', first)
    value_x = float(re.search(r'<text x="([\d.]+)%" y="\d+"[^>]*>91 puan</text>', first).group(1))
    assert label_y < int(bar.group(1))
    # The longest bar leaves room for its value on the same line.
    assert float(bar.group(2)) == charts.BAR_SHARE
    assert value_x > float(bar.group(2))
    assert value_x < 70
    # The full label is in the bar's <title>; the line shows it shortened.
    assert f"<title>{BARS[0][0]}: 91 puan</title>" in first
    assert "…</text>" in first


def test_bar_chart_shows_a_hidden_figure_as_text_without_a_bar():
    svg = _chart()
    hidden = re.findall(r"<g>.*?</g>", svg)[2]
    assert "<rect" not in hidden
    assert 'font-style="italic"' in hidden and ">gösterilmiyor</text>" in hidden


def test_bar_chart_of_shares_is_scaled_to_the_maximum():
    svg = str(
        charts.bar_chart(
            chart_id="c", title="t", description="d", bars=[("A", 0.5, "50 %")], maximum=1
        )
    )
    assert f'width="{charts.BAR_SHARE / 2:.1f}%"' in svg


def test_empty_bar_chart_says_so():
    with translation.override("en"):
        svg = str(charts.bar_chart(chart_id="c", title="t", description="d", bars=[]))
    assert "No figures to show." in svg and "<rect" not in svg
