"""The article as HTML with what the proposer found marked: every character escaped.

Overlapping spans keep the first (then longest); each mark carries its kind as a class and
what it matched as a title, so an editor sees "yalda" on «يلدا» by hovering.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mapapp.editing.propose.proposer import Highlight

#: mark colours by kind (light, for black text)
COLOURS = {
    "place": "#ffe08a",
    "faction": "#b3d7ff",
    "control": "#c9f0c1",
    "partial": "#e6f5b0",
    "event": "#ffc9c9",
    "date": "#e3d1ff",
    "attribution": "#e0e0e0",
}


def highlight_html(text: str, highlights: Sequence[Highlight]) -> str:
    """``text`` as an RTL block with ``<mark>`` around each highlight (escaped throughout)."""
    chosen: list[Highlight] = []
    end = -1
    for h in sorted(highlights, key=lambda h: (h.start, -(h.end - h.start))):
        if h.start >= end and h.kind in COLOURS:
            chosen.append(h)
            end = h.end
    parts: list[str] = []
    pos = 0
    for h in chosen:
        parts.append(escape(text[pos : h.start]))
        parts.append(
            f'<mark class="mapapp-{h.kind}" style="background:{COLOURS[h.kind]}" '
            f'title="{escape(h.kind)}: {escape(h.label)}">{escape(text[h.start : h.end])}</mark>'
        )
        pos = h.end
    parts.append(escape(text[pos:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div dir="rtl" lang="ar" class="mapapp-article" style="line-height:1.9">{body}</div>'
