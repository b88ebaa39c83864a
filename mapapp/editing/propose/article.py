"""Read an article for the proposer: a text file or a saved HTML page, as one string.

The offsets of every proposal refer to :attr:`Article.text`:

* a text file: the file's bytes decoded as UTF-8 (a leading byte-order mark dropped), line
  endings as they are -- so ``text[start:end]`` is exactly what an editor sees in the file;
* an HTML page: its *visible* text, as extracted by BeautifulSoup (Python's own HTML parser;
  ``script``, ``style``, ``noscript``, ``template`` and ``head`` dropped, each block element
  on its own line). ``mapapp propose PAGE --print-text`` prints that text.

Anything that is not an article (empty, binary, not UTF-8, too large, no Arabic letters)
raises :class:`ArticleError` with a message that says what to do; nothing is proposed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the largest article read, in bytes (a long news article is well under 200 KB)
MAX_ARTICLE_BYTES = 2_000_000
_ARABIC = re.compile(r"[\u0621-\u064A]")
_HTML_START = re.compile(
    rb"^\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[\s>]|<article)", re.I
)
_DROP = ("script", "style", "noscript", "template", "head", "svg", "iframe")
_BLOCKS = (
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "article", "section",
    "header", "footer", "blockquote", "figcaption", "title",
)  # fmt: skip


class ArticleError(Exception):
    """The input is not an article the proposer can read; the message says why."""


@dataclass(frozen=True)
class Article:
    """The text proposals refer to, and what the page itself says about its date."""

    text: str
    #: "text" or "html"
    kind: str
    #: the publication date the page declares (HTML meta), YYYY-MM-DD; "" when none
    published: str = ""
    title: str = ""


def _meta_date(soup: object) -> str:
    from bs4 import BeautifulSoup

    assert isinstance(soup, BeautifulSoup)
    choices: list[dict[str, Any]] = [
        {"property": "article:published_time"},
        {"name": "pubdate"},
        {"name": "date"},
        {"itemprop": "datePublished"},
    ]
    for attrs in choices:
        tag = soup.find("meta", attrs=attrs)
        value = tag.get("content") if tag is not None else None
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return value.strip()[:10]
    tag = soup.find("time", attrs={"datetime": True})
    value = tag.get("datetime") if tag is not None else None
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()[:10]
    return ""


def _visible_text(html: str) -> tuple[str, str, str]:
    """The page's visible text (blocks on their own lines), its declared date and title."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    published = _meta_date(soup)
    title = soup.title.get_text(" ", strip=True) if soup.title is not None else ""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in soup.get_text().split("\n"))
    return "\n".join(line for line in lines if line), published, title


def looks_like_html(data: bytes, name: str = "") -> bool:
    return name.lower().endswith((".html", ".htm")) or bool(_HTML_START.match(data[:512]))


def read_article_bytes(data: bytes, name: str = "article") -> Article:
    """An article from its bytes (a file's content, or text pasted in the app)."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{name} is {len(data) / 1e6:.1f} MB; an article is at most "
            f"{MAX_ARTICLE_BYTES / 1e6:.0f} MB. Give the article's own text or page, "
            "not a whole site or archive."
        )
    if not data.strip():
        raise ArticleError(f"{name} is empty: give the article's text or its saved page")
    if b"\x00" in data[:4096]:
        raise ArticleError(f"{name} is not text (it contains NUL bytes): give a text or HTML file")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{name} is not UTF-8 (byte {exc.start + 1} cannot be read): save it as UTF-8 "
            "text and try again"
        ) from None
    if looks_like_html(data, name):
        text, published, title = _visible_text(raw)
        kind = "html"
        where = "the visible text of the page (scripts and styles are not read)"
    else:
        text, published, title, kind = raw, "", "", "text"
        where = "the text"
    if not _ARABIC.search(text):
        raise ArticleError(
            f"{name}: no Arabic letters in {where}; the proposer reads Arabic news articles. "
            "For a page that builds its text with scripts, save it after it has loaded, "
            "or paste the article's text."
        )
    return Article(text, kind, published, title)


def read_article(path: Path) -> Article:
    """Read ``path`` (checked for size before a byte is read)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ArticleError(f"{path} is not a file")
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{path} is {size / 1e6:.1f} MB; an article is at most "
            f"{MAX_ARTICLE_BYTES / 1e6:.0f} MB. Give the article's own text or page."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_article_bytes(data, str(path))
