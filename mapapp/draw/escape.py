"""The one way text from data files or URLs reaches HTML.

``html.escape`` alone is not enough here: folium places some text inside JavaScript
template literals, where ``${...}``, backticks and backslashes act even after HTML
escaping. :func:`esc` turns those into character references too, so escaped text is
inert in HTML, in attribute values and inside a template literal, and shows literally.

Line breaks become character references too: Streamlit renders HTML through Markdown, where
a blank line ends an HTML block and the text after it would be read as Markdown (live links,
remote images). Escaped text never holds a line break, so it can never end a block.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

_EXTRA = str.maketrans(
    {
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
        "{": "&#123;",
        "}": "&#125;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


def esc(value: object) -> str:
    """Text made safe for HTML element content and quoted attribute values."""
    return html.escape("" if value is None else str(value), quote=True).translate(_EXTRA)


def isolate(value: object) -> str:
    """Escaped text in a ``<bdi>`` element, so that right-to-left or override characters in
    the data cannot reorder the words around it."""
    return f"<bdi>{esc(value)}</bdi>"


def safe_url(url: str) -> str | None:
    """The URL if it is an absolute http(s) address, else None (never javascript: etc.)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in text for c in "\"'<> \t\r\n"):
        return None
    return text
