import pytest

from portal.filters import int_or_none, search_widget


@pytest.mark.parametrize(("value", "expected"), [("25", 25), (7, 7), ("", None), ("x", None)])
def test_int_or_none_reads_numbers_and_nothing_else(value, expected):
    assert int_or_none(value) == expected


def test_int_or_none_of_a_missing_value_is_none():
    assert int_or_none(None) is None


def test_search_widget_is_a_search_box_with_the_placeholder():
    html = search_widget("Name of an NGO").render("q", "")
    assert 'type="search"' in html
    assert 'placeholder="Name of an NGO"' in html
