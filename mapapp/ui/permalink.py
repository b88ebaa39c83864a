"""The view in the URL: ``?date=YYYY-MM-DD&place=<id>&lang=en|ar&compare=YYYY-MM-DD``.

Parsing never fails and never echoes what it was given: a bad value falls back to the
default and yields a notice naming only the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from mapapp.draw.i18n import LANGS, Lang

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class View:
    day: date
    place: str | None
    lang: Lang
    #: a second day to compare the first with (places that differ are outlined and listed)
    compare: date | None = None


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def parse_view(
    params: Mapping[str, str | list[str]],
    places: Collection[str],
    first: date,
    last: date,
    default_day: date,
) -> tuple[View, list[str]]:
    """The view a link asks for, and the names of the parameters that were ignored."""
    ignored: list[str] = []
    day = _day(params, "date", first, last, ignored) or default_day
    compare = _day(params, "compare", first, last, ignored)
    place = _first(params.get("place"))
    if place is not None and place not in places:
        ignored.append("place")
        place = None
    lang: Lang = "en"
    raw_lang = _first(params.get("lang"))
    if raw_lang is not None:
        if raw_lang in LANGS:
            lang = "ar" if raw_lang == "ar" else "en"
        else:
            ignored.append("lang")
    return View(day, place, lang, compare), ignored


def _day(
    params: Mapping[str, str | list[str]], name: str, first: date, last: date, ignored: list[str]
) -> date | None:
    """The day in parameter ``name`` if it is a real day in ``[first, last]``; else None
    (and the name is added to ``ignored`` when the parameter was given)."""
    raw = _first(params.get(name))
    if raw is None:
        return None
    try:
        if not _DAY.match(raw):
            raise ValueError
        asked = date.fromisoformat(raw)
        if not first <= asked <= last:
            raise ValueError
    except ValueError:
        ignored.append(name)
        return None
    return asked


def view_params(view: View) -> dict[str, str]:
    params = {"date": view.day.isoformat(), "lang": view.lang}
    if view.place:
        params["place"] = view.place
    if view.compare:
        params["compare"] = view.compare.isoformat()
    return params
