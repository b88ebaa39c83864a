"""Find the lexicons' names and cues in a text, as spans of the text itself.

The text is cut into words that keep their character offsets (:func:`tokenize`). A name
matches when its words follow one another in the text, its first word possibly carrying
clitics (و ف ب ل ك, their pairs, and لل for ال: «وبيلدا», «للحجر الأسود»); the longest name
wins where two overlap. Place names not found exactly are tried with rapidfuzz (a ratio of
at least :data:`FUZZY_CUTOFF` over a word or two), for spellings no one listed yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from mapapp.editing.propose.lexicon import WORD, Cue, Lexicon, Name, normalise

#: clitic prefixes, longest first; "لل" (and "ولل") stand for ل + ال
_CLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
#: the lowest rapidfuzz ratio accepted for a place name that is not in the gazetteer
FUZZY_CUTOFF = 90.0
#: shortest normalised name tried fuzzily (short names match too many words)
FUZZY_MIN_CHARS = 6
_MARKS = {"\u0640", *map(chr, range(0x064B, 0x0660)), "\u0670"}


@dataclass(frozen=True)
class Token:
    index: int
    word: str  # normalised
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A name or cue found in the text: ``text[start:end]`` is its surface form."""

    kind: str  # "place", "faction" or "cue"
    first: int  # token indices, inclusive
    last: int
    start: int
    end: int
    surface: str
    score: float = 100.0
    name: Name | None = None
    cue: Cue | None = None

    @property
    def id(self) -> str:
        return self.name.id if self.name is not None else ""


def tokenize(text: str) -> list[Token]:
    return [
        Token(i, normalise(m.group()), m.start(), m.end())
        for i, m in enumerate(WORD.finditer(text))
    ]


def clitic_forms(word: str) -> list[tuple[str, int]]:
    """The word, and the word without each clitic prefix it may carry (with the number
    of letters the prefix takes)."""
    forms = [(word, 0)]
    for prefix in ("ولل", "لل"):
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            forms.append(("ال" + word[len(prefix) :], len(prefix)))
    for prefix in _CLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            forms.append((word[len(prefix) :], len(prefix)))
    # the accusative's alif («حصاراً» → حصار): a word ending in ا is tried without it too
    forms += [
        (form[:-1], skip) for form, skip in list(forms) if form.endswith("ا") and len(form) >= 4
    ]
    return forms


def _skip_letters(text: str, start: int, letters: int) -> int:
    """The offset after ``letters`` letters from ``start`` (marks ride on their letter)."""
    pos = start
    while letters > 0 and pos < len(text):
        pos += 1
        while pos < len(text) and text[pos] in _MARKS:
            pos += 1
        letters -= 1
    return pos


def _match(
    tokens: list[Token], i: int, entries: Iterable[tuple[tuple[str, ...], object]]
) -> list[tuple[int, int, object]]:
    """Entries whose words start at token ``i``: (letters of clitic, last token, entry)."""
    found = []
    for form, skip in clitic_forms(tokens[i].word):
        for words, entry in entries:
            if words[0] != form:
                continue
            n = len(words)
            if i + n <= len(tokens) and all(tokens[i + k].word == words[k] for k in range(1, n)):
                found.append((skip, i + n - 1, entry))
    return found


def find_names(text: str, tokens: list[Token], lex: Lexicon) -> list[Mention]:
    """Every place and faction name, non-overlapping, longest first."""
    candidates: list[Mention] = []
    for i, tok in enumerate(tokens):
        entries: list[tuple[tuple[str, ...], object]] = []
        for form, _ in clitic_forms(tok.word):
            entries += [(n.words, n) for n in lex.name_index.get(form, [])]
        for skip, last, entry in _match(tokens, i, entries):
            assert isinstance(entry, Name)
            start = _skip_letters(text, tok.start, skip)
            end = tokens[last].end
            candidates.append(
                Mention(entry.kind, i, last, start, end, text[start:end], 100.0, name=entry)
            )
    chosen = _longest(candidates)
    chosen += _fuzzy_places(
        text, tokens, lex, {k for m in chosen for k in range(m.first, m.last + 1)}
    )
    return sorted(chosen, key=lambda m: m.start)


def _longest(candidates: list[Mention]) -> list[Mention]:
    taken: set[int] = set()
    chosen = []
    for m in sorted(candidates, key=lambda m: (-(m.last - m.first), -(m.end - m.start), m.start)):
        span = set(range(m.first, m.last + 1))
        if span & taken:
            continue
        taken |= span
        chosen.append(m)
    return chosen


def _fuzzy_places(text: str, tokens: list[Token], lex: Lexicon, taken: set[int]) -> list[Mention]:
    by_length: dict[int, dict[str, Name]] = {}
    for n in lex.names:
        joined = " ".join(n.words)
        if n.kind == "place" and len(joined) >= FUZZY_MIN_CHARS:
            by_length.setdefault(len(n.words), {})[joined] = n
    found: list[Mention] = []
    for size, choices in by_length.items():
        keys = list(choices)
        for i in range(len(tokens) - size + 1):
            span = range(i, i + size)
            if any(k in taken for k in span):
                continue
            rest = [tokens[k].word for k in span][1:]
            best: tuple[float, int, str] | None = None
            for form, skip in clitic_forms(tokens[i].word):
                query = " ".join([form, *rest])
                if len(query) < FUZZY_MIN_CHARS:
                    continue
                hit = process.extractOne(query, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if hit is not None and (best is None or hit[1] > best[0]):
                    best = (float(hit[1]), skip, str(hit[0]))
            if best is not None:
                score, skip, key = best
                start = _skip_letters(text, tokens[i].start, skip)
                end = tokens[i + size - 1].end
                name = choices[key]
                found.append(
                    Mention(
                        "place",
                        i,
                        i + size - 1,
                        start,
                        end,
                        text[start:end],
                        round(score, 1),
                        name=name,
                    )
                )
                taken.update(span)
    return found


def find_cues(text: str, tokens: list[Token], lex: Lexicon) -> list[Mention]:
    """Every cue; of two cues of the same role that overlap, the longer."""
    found: list[Mention] = []
    for i, tok in enumerate(tokens):
        entries: list[tuple[tuple[str, ...], object]] = []
        for form, _ in clitic_forms(tok.word):
            entries += [(c.words, c) for c in lex.cue_index.get(form, [])]
        for skip, last, entry in _match(tokens, i, entries):
            assert isinstance(entry, Cue)
            start = _skip_letters(text, tok.start, skip)
            end = tokens[last].end
            found.append(Mention("cue", i, last, start, end, text[start:end], cue=entry))
    kept: list[Mention] = []
    for m in sorted(found, key=lambda m: (-(m.last - m.first), m.start)):
        assert m.cue is not None
        role = m.cue.role
        if any(
            k.cue is not None
            and k.cue.role == role
            and k.first <= m.first
            and m.last <= k.last
            and (k.last - k.first) > (m.last - m.first)
            for k in kept
        ):
            continue
        if any(k.cue is not None and k.cue == m.cue and k.first == m.first for k in kept):
            continue
        kept.append(m)
    return sorted(kept, key=lambda m: m.start)
