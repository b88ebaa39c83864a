"""The one escaping helper: text from data files and URLs is inert wherever it lands."""

from __future__ import annotations

import pytest

from mapapp.draw.escape import esc, safe_url

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "${alert(1)}",
    "`;alert(1);`",
    "\\`",
    "</script><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "{{7*7}}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_has_no_markup_or_template_syntax(payload: str) -> None:
    out = esc(payload)
    for bad in ("<", ">", '"', "'", "`", "${", "\\", "{{"):
        assert bad not in out, (payload, out)


def test_escaped_text_reads_the_same_once_rendered() -> None:
    import html

    for payload in PAYLOADS:
        assert html.unescape(esc(payload)) == payload


def test_none_and_numbers() -> None:
    assert esc(None) == ""
    assert esc(3) == "3"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://elaph.com/Web/News/2015/9/1038541.html", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ('https://example.org/"onmouseover=alert(1)', False),
        ("", False),
        ("ftp://example.org/file", False),
    ],
)
def test_only_http_links_are_kept(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok
