"""The view in the URL: parsed safely, with defaults and notices, never echoed."""

from __future__ import annotations

from datetime import date

import pytest

from mapapp.ui.permalink import View, parse_view, view_params

FIRST, LAST, DEFAULT = date(2015, 1, 29), date(2015, 10, 1), date(2015, 9, 30)
PLACES = {"yarmouk", "qadam"}


@pytest.mark.parametrize(
    ("params", "view", "ignored"),
    [
        ({}, View(DEFAULT, None, "en"), []),
        (
            {"date": "2015-05-01", "place": "qadam", "lang": "ar"},
            View(date(2015, 5, 1), "qadam", "ar"),
            [],
        ),
        ({"date": "2015-13-01"}, View(DEFAULT, None, "en"), ["date"]),
        ({"date": "2014-01-01"}, View(DEFAULT, None, "en"), ["date"]),
        ({"date": "<script>alert(1)</script>"}, View(DEFAULT, None, "en"), ["date"]),
        ({"date": "2015-5-1"}, View(DEFAULT, None, "en"), ["date"]),
        ({"place": "nowhere"}, View(DEFAULT, None, "en"), ["place"]),
        ({"lang": "fr"}, View(DEFAULT, None, "en"), ["lang"]),
        ({"date": ["2015-05-01", "x"]}, View(date(2015, 5, 1), None, "en"), []),
    ],
)
def test_parse_view(params: dict[str, str | list[str]], view: View, ignored: list[str]) -> None:
    assert parse_view(params, PLACES, FIRST, LAST, DEFAULT) == (view, ignored)


def test_round_trip() -> None:
    view = View(date(2015, 5, 1), "qadam", "ar")
    params: dict[str, str | list[str]] = dict(view_params(view))
    assert parse_view(params, PLACES, FIRST, LAST, DEFAULT) == (view, [])
    assert "place" not in view_params(View(DEFAULT, None, "en"))
