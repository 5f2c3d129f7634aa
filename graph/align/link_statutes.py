"""Link a power item to the statutes its legal-basis cell cites.

Each citation is parsed (graph.citations), resolved to an instrument of the catalogue, its
article numbers checked against the instrument's text (an article the text lacks is kept as
a number, never linked), and its quote compared with the official text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from quanze.graph.align.citations import (
    _letters,
    Citation,
    Resolution,
    compare_quote,
    missing_clauses,
    parse_citations,
    resolve,
    source_article,
)
from quanze.graph.align.instruments import CitedInstrument, uncatalogued
from quanze.graph.align.statutes import Instrument


@dataclass(frozen=True)
class QuoteCheck:
    article: int
    match: str  # exact, excerpt, ocr-exact, ocr-excerpt, different
    note: str | None


@dataclass(frozen=True)
class CitationLink:
    citation: Citation
    resolution: Resolution
    found: tuple[int, ...]
    """Cited article numbers that exist in the instrument's known text."""
    missing: tuple[int, ...]
    """Cited numbers beyond the instrument's text (only where the text is known)."""
    quotes: tuple[QuoteCheck, ...] = field(default=())
    cited: CitedInstrument | None = None
    """The instrument the citation names where the catalogue lacks it (resolution "uncatalogued")."""


def link(cell: str, catalogue: dict[str, Instrument], confusions: dict[str, str]) -> list[CitationLink]:
    """Every citation of a legal-basis cell, resolved and checked."""
    links = []
    for citation in parse_citations(cell):
        resolution = resolve(citation, catalogue, confusions)
        instrument = catalogue.get(resolution.instrument_id or "")
        found, missing, checks = [], [], []
        if instrument and instrument.articles:
            found = [n for n in citation.articles if n in instrument.articles]
            missing = [n for n in citation.articles if n not in instrument.articles]
            for number, quote in citation.quotes:
                if number in instrument.articles:
                    checks.append(_check(quote, number, instrument, confusions))
        cited = None
        if resolution.instrument_id is None:
            start = cell.find(citation.raw[:20]) if citation.raw else -1
            cited = uncatalogued(citation.title_raw, citation.doc_number, cell[max(0, start - 12) : max(0, start)], resolution.score)
            if cited is not None:
                resolution = Resolution(None, "uncatalogued", resolution.score)
        links.append(CitationLink(citation, resolution, tuple(found), tuple(missing), tuple(checks), cited))
    return links


MATCH_ORDER = ("exact", "excerpt", "ocr-exact", "ocr-excerpt", "different")
"""qz:quoteMatch values from best to worst; ocr-* is a quote that differs from the official
text only by known OCR character confusions (data/statutes/ocr_confusions.csv)."""


def ocr_reading(quote: str, article_text: str, confusions: dict[str, str]) -> tuple[str, list[str]]:
    """The quote with each character OCR is known to misread put back where the official text
    has the meant character at that place (教→救 in 医疗教助); and the confusions undone.

    Only same-length substitutions whose every pair is a known confusion are undone, so a
    real difference of wording stays a difference."""
    q, a = _letters(quote), _letters(article_text)
    matcher = difflib.SequenceMatcher(None, q, a, autojunk=False)
    chars = list(q)
    undone: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 != j2 - j1:
            continue
        pairs = list(zip(q[i1:i2], a[j1:j2]))
        if all(confusions.get(seen) == meant for seen, meant in pairs):
            for offset, (seen, meant) in enumerate(pairs):
                chars[i1 + offset] = meant
                undone.append(f"{seen}→{meant}")
    return "".join(chars), undone


def _check(quote: str, number: int, instrument: Instrument, confusions: dict[str, str] | None = None) -> QuoteCheck:
    match, note = compare_quote(quote, instrument.articles[number].text)
    if match == "different" and confusions:
        reading, undone = ocr_reading(quote, instrument.articles[number].text, confusions)
        if undone:
            again, again_note = compare_quote(reading, instrument.articles[number].text)
            kinds = "、".join(dict.fromkeys(undone))
            if again in ("exact", "excerpt"):
                return QuoteCheck(number, f"ocr-{again}", f"仅有 OCR 误识之差（{kinds}）")
            # a real difference remains: say it of the quote as meant, and name the misreadings apart
            return QuoteCheck(number, "different", f"{again_note}（另有 OCR 误识：{kinds}）")
    if match == "different":
        others = [(n, a.text) for n, a in instrument.articles.items() if n != number]
        elsewhere = [
            f"“{clause[:30]}”出自第{found}条"
            for clause in missing_clauses(quote, instrument.articles[number].text)
            if (found := source_article(clause, others))
        ]
        if elsewhere:
            note = "；".join(elsewhere)
    return QuoteCheck(number, match, note)
