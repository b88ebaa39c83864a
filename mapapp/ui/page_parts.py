"""The map page's per-day parts (the side panel's HTML, the state table), made once per
data version, rule, day and view and kept in a small LRU cache.

A rerun for a day already seen (the reader going back and forth, other readers on the same
day, a language switch back) then costs a lookup instead of the legend, the change list
with its citations and the table being built again: most of the page's own time per rerun.
The cache is bounded (:data:`KEEP`): a version's days are many, each entry tens of KB.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import pyarrow as pa

from mapapp.core import fronts
from mapapp.core.resolve import resolve
from mapapp.core.timeline import Timeline
from mapapp.draw import credits, formats, popups
from mapapp.draw.escape import esc, isolate
from mapapp.draw.i18n import Lang, t
from mapapp.draw.style import Palette, front_legend_items, legend_items
from mapapp.ui.shell import DataVersion

T = TypeVar("T")
#: how many parts the cache keeps (the most recently used)
KEEP = 128
#: the most rows the state table and the "what changed" list show (resent on every rerun)
TABLE_LIMIT = 200
LIST_LIMIT = 20
#: past TABLE_LIMIT places, the most pairs of sides the fronts' legend shows unasked
FRONT_LIMIT = 6

_parts: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, kept under ``key`` among the :data:`KEEP` most recently used parts."""
    with _lock:
        if key in _parts:
            _parts.move_to_end(key)
            found: T = _parts[key]
            return found
    value = make()  # outside the lock: two sessions may make the same part, once each
    with _lock:
        _parts[key] = value
        _parts.move_to_end(key)
        while len(_parts) > KEEP:
            _parts.popitem(last=False)
    return value


@dataclass(frozen=True)
class SidePart:
    """One element of the side panel: HTML shown as it is or, when ``more`` is set (the
    i18n key of its label), behind an expander the page fills only while it is open."""

    html: str
    more: str | None = None


def side_parts(
    version: DataVersion,
    timeline: Timeline,
    rule_key: str,
    day: date,
    lang: Lang,
    palette: Palette,
    selected: str | None,
    compare_day: date | None,
) -> tuple[SidePart, ...]:
    """Beside the map: where the data stops, the legend (and fronts), the places that
    differ from the compared day, the selected place, what changed.

    One element, not one per part (each element costs the rerun and the websocket), while
    the places are few (up to :data:`TABLE_LIMIT`). Past that the panel summarises, since
    it is resent whole on every day change (73 KB at 10,000 places): the legend is an
    element of its own (the same every day, so sent as a reference the browser holds);
    what changed is a line per place, its sources and quotes behind an expander; a long
    list of fronts, or of places that differ from the compared day, behind one too.
    Nothing the full panel shows is out of reach (the expanders hold it)."""
    key = ("side", version, rule_key, day, lang, palette, selected, compare_day)

    def make() -> tuple[SidePart, ...]:
        ds = version.dataset
        summary = len(ds.places) > TABLE_LIMIT
        states = timeline.state_at(day)
        changed = timeline.changes_between(day - timedelta(days=1), day)
        out: list[SidePart] = []
        parts: list[str] = []

        def cut(more: tuple[str, str] | None = None) -> None:
            """End the element being written; then one behind an expander, if given."""
            if parts:
                out.append(SidePart("\n".join(parts)))
                parts.clear()
            if more is not None:
                out.append(SidePart(more[1], more[0]))

        # where the data stops, beside the map (not above it: the map comes first)
        parts += [
            f'<p class="mapapp-data-stops"><b>{esc(credits.data_stops(ds, lang))}</b></p>',
            f"<h3>{esc(t('legend', lang))}</h3>",
        ]
        legend = legend_items(ds, list(states.values()), palette, lang, rule_key)
        parts.append(popups.legend_html(legend, lang))
        if summary:
            cut()
        day_fronts = fronts.fronts_on(ds, states)
        if day_fronts:
            items = front_legend_items(ds, day_fronts, "bloc", palette, lang)
            front_legend = popups.legend_html(items, lang, note=False)
            if summary and len(items) > FRONT_LIMIT:
                pairs = sum(1 for item in items if item.key != "front-tentative")
                parts.append(f"<p>{esc(t('fronts_count', lang).format(count=pairs))}</p>")
                cut(("fronts_all", front_legend))
            else:
                parts.append(front_legend)
        if compare_day is not None:
            differ = timeline.changes_between(compare_day, day)
            heading = t("differs", lang).format(day=compare_day.isoformat())
            parts.append(f"<h3>{esc(heading)}</h3>")
            names = [
                isolate(
                    ds.places[c.place_id].name_ar if lang == "ar" else ds.places[c.place_id].name_en
                )
                for c in differ
            ]

            def listed(names: list[str]) -> str:
                return (
                    '<ul class="mapapp-differs">'
                    + "".join(f"<li>{n}</li>" for n in names)
                    + "</ul>"
                )

            if summary and len(names) > LIST_LIMIT:
                parts.append(f"<p>{esc(t('differs_count', lang).format(count=len(names)))}</p>")
                parts.append(listed(names[:LIST_LIMIT]))
                cut(("differs_all", listed(names)))
            else:
                parts.append(listed(names) if names else f"<p>{esc(t('no_difference', lang))}</p>")
        if selected:
            name = ds.places[selected].name_ar if lang == "ar" else ds.places[selected].name_en
            parts.append(f"<h3>{isolate(name)}</h3>")
            parts.append(popups.place_popup(resolve(ds, states[selected]), lang))
        parts.append(f"<h3>{esc(t('what_changed', lang))}</h3>")
        if not changed:
            parts.append(f"<p>{esc(t('nothing_changed', lang))}</p>")
        shown = [(resolve(ds, c.before), resolve(ds, c.after)) for c in changed[:LIST_LIMIT]]
        if summary and shown:
            parts.append(f"<p>{esc(t('changes_count', lang).format(count=len(changed)))}</p>")
            lines = "".join(popups.change_line(before, after, lang) for before, after in shown)
            parts.append(f'<ul class="mapapp-changes">{lines}</ul>')
            details = "\n".join(popups.change_html(before, after, lang) for before, after in shown)
            cut(("change_sources", details))
        else:
            parts.extend(popups.change_html(before, after, lang) for before, after in shown)
        if len(changed) > LIST_LIMIT:
            more = t("more_changes", lang).format(count=len(changed) - LIST_LIMIT)
            parts.append(f"<p><small>{esc(more)}</small></p>")
        cut()
        return tuple(out)

    return cached(key, make)


def state_table(
    version: DataVersion,
    timeline: Timeline,
    rule_key: str,
    day: date,
    lang: Lang,
    selected: str | None,
) -> tuple[pa.Table | list[dict[str, str]], int | None]:
    """The state table of ``day`` (an Arrow table: Streamlit would otherwise build a pandas
    frame from the rows each rerun), and the number of places when it shows only some.

    Every place while the table is small; past :data:`TABLE_LIMIT`, the places that changed
    that day and the selected one (each rerun resends the table: 10,000 rows would be ~1 MB
    per date change)."""
    key = ("table", version, rule_key, day, lang, selected)

    def make() -> tuple[pa.Table | list[dict[str, str]], int | None]:
        states = timeline.state_at(day)
        shown = list(states.values())
        total = None
        if len(shown) > TABLE_LIMIT:
            changed = timeline.changes_between(day - timedelta(days=1), day)
            keep = {c.place_id for c in changed} | ({selected} if selected else set())
            shown = [s for s in shown if s.place_id in keep][:TABLE_LIMIT]
            total = len(states)
        rows = formats.display_rows(version.dataset, shown, lang)
        return (pa.Table.from_pylist(rows) if rows else rows), total

    return cached(key, make)
