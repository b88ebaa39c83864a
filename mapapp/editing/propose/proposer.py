"""From an article's text to proposed control claims and events.

The text is cut into paragraphs (lines), sentences (at . ! ? ؟ ؛) and clauses (at the
``clause`` cues: بينما, فيما, في حين, الذي...). In each clause:

* a **control** cue («يسيطر على», «تتواجد») with factions and places gives one proposal per
  place: the factions named in the clause (or, if none, the subject of the clause before, in
  the same sentence); status ``partial`` when a partial cue («أجزاء من») stands just before
  the place, else the cue's own (``presence``), else ``shared`` for several factions, else
  ``sole``; a negation just before the cue drops it;
* an **event** cue («هجوم», «قصف», «حصار», «تظاهرة») gives one event at the first place after
  it in the clause (not one after a ``not-location`` cue: «تضامنية مع حي القدم»), else the
  last place before it in the sentence (a relative clause: «حي القدم، الذي يتعرض لهجمة»),
  else the last place of the sentence before in the paragraph. No place, no proposal.

Dates: the clause's date phrase, else the sentence's, else the publication date (exact for
states and conditions, approximate ``~`` for past events: they happened shortly before).
Claimant: the sentence's attribution cue («بحسب الناشطين»), else the outlet's own voice.
A short line without final punctuation followed by a longer one is a crosshead: it is
highlighted but proposes nothing (it repeats the paragraph below, often loosely).

Every quote is ``text[quote_start:quote_end]``: the clause, trimmed of punctuation, and
starting after a quotation mark that opens inside it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from mapapp.core.dates import FuzzyDate, literal_date, parse_date_cell, resolve_cell
from mapapp.editing.propose.lexicon import Lexicon
from mapapp.editing.propose.mentions import Mention, Token, find_cues, find_names, tokenize
from mapapp.editing.propose.when import DateMention, find_dates

_SENTENCE_END = re.compile(r"[.!?؟؛;]+(?=[\s\"'«»“”)]|$)")
_TRIM = " \t\r\n،,.:;؛!?؟\"'«»“”()[]-–—&*"
_QUOTES = '"«“'
#: how far before a place a partial cue or a not-location cue may stand (words)
_NEAR = 3


@dataclass
class Proposal:
    """One proposed control claim or event; see the ``mapapp propose`` contract."""

    kind: str  # "control" or "event"
    place_id: str
    faction_ids: list[str]
    status: str  # control only
    event_kind: str  # event only
    date: str
    date_precision: str
    claimant: str
    source_id: str
    quote_ar: str
    quote_start: int
    quote_end: int
    confidence: float
    reasons: list[str] = field(default_factory=list)
    #: the data row that already says this ("control.csv line 5"), "" when new
    existing: str = ""
    #: the English translation of the quote: the editor writes it
    quote_en: str = ""

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Highlight:
    """A span of the text to highlight: a place, faction, cue or date."""

    start: int
    end: int
    kind: str  # place, faction, control, event, partial, attribution, date
    label: str


@dataclass
class Analysis:
    text: str
    proposals: list[Proposal]
    highlights: list[Highlight]


@dataclass
class _Clause:
    start: int
    end: int
    first: int  # token indices
    last: int


@dataclass
class _Sentence:
    start: int
    end: int
    first: int
    last: int
    paragraph: int
    clauses: list[_Clause]


def _segments(text: str, tokens: list[Token], lex_clause: set[int]) -> list[_Sentence]:
    """Sentences (with their clauses) of the lines that are not crossheads."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    starts = [t.start for t in tokens]

    def tok_range(a: int, b: int) -> tuple[int, int]:
        return bisect.bisect_left(starts, a), bisect.bisect_left(starts, b) - 1

    sentences: list[_Sentence] = []
    nonblank = [(a, b) for a, b in lines if text[a:b].strip(_TRIM)]
    for p, (a, b) in enumerate(nonblank):
        first, last = tok_range(a, b)
        line = text[a:b].strip()
        if (
            last - first + 1 <= 6
            and not re.search(r"[.!?؟:]$", line.rstrip(_TRIM[:4] + "\"'»”"))
            and p + 1 < len(nonblank)
        ):
            nf, nl = tok_range(*nonblank[p + 1])
            if nl - nf > last - first:
                continue  # a crosshead
        cuts = [a] + [m.end() + a for m in _SENTENCE_END.finditer(text[a:b])] + [b]
        for s, e in itertools.pairwise(cuts):
            f, l_ = tok_range(s, e)
            if l_ < f:
                continue
            clauses: list[_Clause] = []
            c_start, c_first = s, f
            for k in range(f + 1, l_ + 1):
                if k in lex_clause:
                    clauses.append(_Clause(c_start, tokens[k].start, c_first, k - 1))
                    c_start, c_first = tokens[k].start, k
            clauses.append(_Clause(c_start, e, c_first, l_))
            sentences.append(_Sentence(s, e, f, l_, p, clauses))
    return sentences


def _quote(text: str, clause: _Clause, first_mention: int) -> tuple[int, int]:
    """The clause, trimmed; from after a quotation mark that opens before its first mention."""
    start, end = clause.start, clause.end
    opening = max(text.rfind(q, start, first_mention) for q in _QUOTES)
    if opening >= 0:
        start = opening + 1
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _inside(m: Mention | DateMention, c: _Clause | _Sentence, tokens: list[Token]) -> bool:
    return (
        tokens[c.first].start <= m.start and m.end <= tokens[c.last].end
        if c.last >= c.first
        else False
    )


class _Proposer:
    def __init__(
        self, text: str, lex: Lexicon, source_id: str, published: FuzzyDate | None, outlet: str
    ) -> None:
        self.text, self.lex, self.source_id, self.published = text, lex, source_id, published
        self.outlet = outlet
        self.tokens = tokenize(text)
        self.names = find_names(text, self.tokens, lex)
        self.cues = find_cues(text, self.tokens, lex)
        ds = lex.dataset
        relative = {
            (s.published.earliest - ds.sources[s.quoted_in].published.earliest).days: s.id
            for s in ds.sources.values()
            if s.quoted_in == source_id and source_id in ds.sources
        }
        self.dates = find_dates(text, self.tokens, published, source_id, relative)
        self.default_cell = f"source:{source_id}" if source_id in ds.sources else ""
        if not self.default_cell and published is not None:
            self.default_cell = published.iso()

    def run(self) -> list[Proposal]:
        clause_starts = {m.first for m in self.cues if m.cue is not None and m.cue.role == "clause"}
        sentences = _segments(self.text, self.tokens, clause_starts)
        out: list[Proposal] = []
        for index, sentence in enumerate(sentences):
            previous = sentences[index - 1] if index else None
            if previous is not None and previous.paragraph != sentence.paragraph:
                previous = None
            out += self.sentence(sentence, previous)
        return _merge(out)

    # -- helpers ------------------------------------------------------------------------
    def within(self, kind: str, span: _Clause | _Sentence) -> list[Mention]:
        return [m for m in self.names if m.kind == kind and _inside(m, span, self.tokens)]

    def cues_in(self, role: str, span: _Clause | _Sentence) -> list[Mention]:
        return [
            m
            for m in self.cues
            if m.cue is not None and m.cue.role == role and _inside(m, span, self.tokens)
        ]

    def near_before(self, role: str, token: int) -> Mention | None:
        for m in self.cues:
            if m.cue is not None and m.cue.role == role and token - _NEAR <= m.last < token:
                return m
        return None

    def same_subject(self, clause: _Clause) -> bool:
        """Whether the clause opens with a cue that keeps the subject (بعدما, كما)."""
        return any(
            m.cue is not None and m.cue.role == "clause" and m.cue.value == "same-subject"
            for m in self.cues
            if m.first == clause.first
        )

    def claimant(self, sentence: _Sentence) -> tuple[str, str]:
        for m in self.cues_in("attribution", sentence):
            assert m.cue is not None
            return m.cue.value, f"claimant {m.cue.value}: «{m.surface}» in the sentence"
        return (
            self.outlet,
            f"claimant {self.outlet}: the outlet's own voice (no attribution in the sentence)",
        )

    def date_for(
        self, clause: _Clause, sentence: _Sentence, aspect: str
    ) -> tuple[str, str, str, str, float]:
        """(cell, precision, source_id, reason, confidence factor)."""
        for span in (clause, sentence):
            found = [d for d in self.dates if _inside(d, span, self.tokens) and d.cell]
            if found:
                d = found[0]
                return d.cell, d.precision, d.source_id or self.source_id, d.reason, 1.0
        cell = self.default_cell
        if not cell:
            return (
                "",
                "",
                self.source_id,
                "no date: give --published or add the source to sources.csv",
                0.5,
            )
        literal = parse_date_cell(cell).literal
        precision = literal.precision.value if literal is not None else ""
        if aspect == "past":
            return (
                cell + "~",
                precision,
                self.source_id,
                f"date {cell}~: no date in the sentence; a past event, dated about the publication",
                0.9,
            )
        return (
            cell,
            precision,
            self.source_id,
            f"date {cell}: no date in the sentence; a state reported at publication",
            0.9,
        )

    def factions_reason(self, factions: list[Mention]) -> tuple[list[str], list[str], float]:
        ids: list[str] = []
        reasons: list[str] = []
        factor = 1.0
        for m in factions:
            assert m.name is not None
            if m.name.id not in ids:
                ids.append(m.name.id)
            reasons.append(f"faction matched «{m.surface}» → {m.name.id}, {m.score:.0f}")
            warning = self.out_of_period(m)
            if warning:
                reasons.append(warning)
                factor = min(factor, 0.5)
        return ids, reasons, factor

    def out_of_period(self, m: Mention) -> str:
        name, pub = m.name, self.published
        if name is None or pub is None:
            return ""
        if name.used_from is not None and pub.latest < name.used_from.earliest:
            return (
                f"«{m.surface}» was used from {name.used_from.iso()}; "
                f"the article is of {pub.iso()}: check"
            )
        if name.used_until is not None and pub.earliest > name.used_until.latest:
            return (
                f"«{m.surface}» was used until {name.used_until.iso()}; "
                f"the article is of {pub.iso()}: check"
            )
        return ""

    # -- the rules ----------------------------------------------------------------------
    def sentence(self, sentence: _Sentence, previous: _Sentence | None) -> list[Proposal]:
        out: list[Proposal] = []
        claimant, claimant_reason = self.claimant(sentence)
        subject: list[Mention] = []
        for clause in sentence.clauses:
            factions = self.within("faction", clause)
            inherited = False
            if factions:
                subject = factions
            elif subject and self.same_subject(clause):
                factions, inherited = subject, True
            places = self.within("place", clause)
            for cue in self.cues_in("control", clause):
                if self.near_before("negation", cue.first):
                    continue
                if not factions:
                    continue
                after = [p for p in places if p.first > cue.last] or places
                for place in after:
                    out.append(
                        self.control(
                            cue,
                            place,
                            factions,
                            inherited,
                            clause,
                            sentence,
                            claimant,
                            claimant_reason,
                        )
                    )
            for cue in self.cues_in("event", clause):
                if self.near_before("negation", cue.first):
                    continue
                found = self.event_place(cue, clause, sentence, previous)
                if found is None:
                    continue
                place, how, factor = found
                assert cue.cue is not None
                ids, f_reasons, f_factor = self.factions_reason(factions)
                cell, precision, source, d_reason, d_factor = self.date_for(
                    clause, sentence, cue.cue.aspect
                )
                start, end = _quote(
                    self.text,
                    clause,
                    min(
                        cue.start, place.start if _inside(place, clause, self.tokens) else cue.start
                    ),
                )
                reasons = [
                    f"event cue «{cue.surface}» → {cue.cue.value}",
                    f"place matched «{place.surface}» → {place.id}, {place.score:.0f} ({how})",
                    *f_reasons,
                    *(["factions: the subject of the clause before"] if inherited and ids else []),
                    d_reason,
                    claimant_reason,
                ]
                confidence = 0.95 * factor * f_factor * d_factor * (place.score / 100)
                out.append(
                    Proposal(
                        "event", place.id, ids, "", cue.cue.value, cell, precision, claimant,
                        source, self.text[start:end], start, end, round(confidence, 2), reasons,
                    )
                )  # fmt: skip
        return out

    def control(
        self,
        cue: Mention,
        place: Mention,
        factions: list[Mention],
        inherited: bool,
        clause: _Clause,
        sentence: _Sentence,
        claimant: str,
        claimant_reason: str,
    ) -> Proposal:
        assert cue.cue is not None
        ids, f_reasons, f_factor = self.factions_reason(factions)
        partial = self.near_before("partial", place.first)
        if partial is not None and any(
            partial.last < p.first < place.first for p in self.names if p.kind == "place"
        ):
            partial = None  # «أجزاء من السبينة وطريق المطار»: parts of the first only
        if partial is not None:
            status, why = "partial", f"status partial: «{partial.surface}» before the place"
        elif cue.cue.value != "sole":
            status, why = cue.cue.value, f"status {cue.cue.value}: control cue «{cue.surface}»"
        elif len(ids) > 1:
            status, why = "shared", f"status shared: {len(ids)} factions named together"
        else:
            status, why = "sole", f"status sole: one faction, control cue «{cue.surface}»"
        if self.lex.statuses and status not in self.lex.statuses:
            status = cue.cue.value
        cell, precision, source, d_reason, d_factor = self.date_for(clause, sentence, "state")
        first = min([cue.start, place.start, *(f.start for f in factions if not inherited)])
        start, end = _quote(self.text, clause, first)
        reasons = [
            f"place matched «{place.surface}» → {place.id}, {place.score:.0f}",
            *f_reasons,
            *(
                ["factions: the subject of the clause before (not named again)"]
                if inherited
                else []
            ),
            f"control cue «{cue.surface}»",
            why,
            d_reason,
            claimant_reason,
        ]
        confidence = 0.95 * f_factor * d_factor * (place.score / 100) * (0.85 if inherited else 1.0)
        return Proposal(
            "control", place.id, ids, status, "", cell, precision, claimant, source,
            self.text[start:end], start, end, round(confidence, 2), reasons,
        )  # fmt: skip

    def event_place(
        self, cue: Mention, clause: _Clause, sentence: _Sentence, previous: _Sentence | None
    ) -> tuple[Mention, str, float] | None:
        for p in self.within("place", clause):
            if p.first > cue.last and self.near_before("not-location", p.first) is None:
                return p, "after the event word", 1.0
        before = [p for p in self.within("place", sentence) if p.last < cue.first]
        if before:
            return before[-1], "named before the event word in the sentence", 0.9
        if previous is not None:
            earlier = self.within("place", previous)
            if earlier:
                return earlier[-1], "named in the sentence before", 0.6
        return None

    def highlights(self) -> list[Highlight]:
        out = [Highlight(m.start, m.end, m.kind, m.id) for m in self.names]
        out += [
            Highlight(m.start, m.end, m.cue.role, m.cue.value)
            for m in self.cues
            if m.cue is not None and m.cue.role in ("control", "event", "partial", "attribution")
        ]
        out += [Highlight(d.start, d.end, "date", d.cell) for d in self.dates]
        return sorted(out, key=lambda h: (h.start, -h.end))


def _merge(proposals: list[Proposal]) -> list[Proposal]:
    """One event per kind, place and date: later mentions add their factions and a reason."""
    out: list[Proposal] = []
    seen: dict[tuple[str, ...], Proposal] = {}
    key: tuple[str, ...]
    for p in proposals:
        key = (p.kind, p.place_id, p.event_kind, p.status, p.date, p.source_id)
        if p.kind == "control":
            key += (",".join(p.faction_ids),)
        first = seen.get(key)
        if first is None:
            seen[key] = p
            out.append(p)
            continue
        for f in p.faction_ids:
            if f not in first.faction_ids:
                first.faction_ids.append(f)
        first.reasons.append(
            f"also said at characters {p.quote_start}–{p.quote_end}: «{p.quote_ar[:60]}»"
        )
        first.confidence = round(min(0.99, max(first.confidence, p.confidence) + 0.02), 2)
    return out


def outlet_claimant(lex: Lexicon, source_id: str) -> str:
    """The claimant id of the outlet's own voice: the outlet's name as an id."""
    source = lex.dataset.sources.get(source_id)
    outlet = source.outlet if source is not None else source_id.split("_")[0]
    return re.sub(r"[^a-z0-9]+", "_", outlet.lower()).strip("_") or "outlet"


def publication_date(
    lex: Lexicon, source_id: str, published: str = "", page_date: str = ""
) -> FuzzyDate | None:
    """--published, else the page's own date, else the source's date in sources.csv."""
    for text in (published, page_date):
        if text:
            spec = parse_date_cell(text.strip())
            assert spec.literal is not None
            return spec.literal
    source = lex.dataset.sources.get(source_id)
    return source.published if source is not None else None


def mark_existing(lex: Lexicon, proposals: list[Proposal]) -> None:
    """Point each proposal at the row that already says it, if there is one."""
    ds = lex.dataset
    dates = {sid: s.published for sid, s in ds.sources.items()}

    def window(cell: str) -> tuple[date, date] | None:
        if not cell:
            return None
        try:
            value = resolve_cell(parse_date_cell(cell), dates)
        except (ValueError, KeyError):
            return None
        return value.earliest, value.latest

    for p in proposals:
        when = window(p.date)
        if p.kind == "control":
            lines = [
                r.line
                for r in ds.control
                if r.place_id == p.place_id
                and r.faction_id in p.faction_ids
                and r.status == p.status
                and r.source_id == p.source_id
                # a claim holds from its start, or without one as of its report
                and (begin := r.start or r.as_of) is not None
                and (begin.earliest, begin.latest) == when
            ]
            if lines and len(lines) >= len(p.faction_ids):
                p.existing = "control.csv line " + ", ".join(map(str, lines))
        else:
            for e in ds.events:
                if (
                    e.place_id == p.place_id
                    and e.kind == p.event_kind
                    and e.source_id == p.source_id
                    and (e.date.earliest, e.date.latest) == when
                ):
                    p.existing = f"events.csv line {e.line}"
                    break


def analyse(
    text: str,
    lex: Lexicon,
    source_id: str,
    published: str = "",
    page_date: str = "",
) -> Analysis:
    """Every proposal for ``text`` (cited as ``source_id``), and what to highlight."""
    pub = publication_date(lex, source_id, published, page_date)
    proposer = _Proposer(text, lex, source_id, pub, outlet_claimant(lex, source_id))
    proposals = proposer.run()
    mark_existing(lex, proposals)
    return Analysis(text, proposals, proposer.highlights())


__all__ = ["Analysis", "Highlight", "Proposal", "analyse", "literal_date"]
