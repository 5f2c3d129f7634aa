"""Link a power item to the statutes its legal-basis cell cites.

Each citation is parsed (graph.citations), resolved to an instrument of the catalogue, its
article numbers checked against the instrument's text (an article the text lacks is kept as
a number, never linked), and its quote compared with the official text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quanze.graph.align.citations import (
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
    match: str  # exact, excerpt, different
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
                    checks.append(_check(quote, number, instrument))
        cited = None
        if resolution.instrument_id is None:
            start = cell.find(citation.raw[:20]) if citation.raw else -1
            cited = uncatalogued(citation.title_raw, citation.doc_number, cell[max(0, start - 12) : max(0, start)], resolution.score)
            if cited is not None:
                resolution = Resolution(None, "uncatalogued", resolution.score)
        links.append(CitationLink(citation, resolution, tuple(found), tuple(missing), tuple(checks), cited))
    return links


def _check(quote: str, number: int, instrument: Instrument) -> QuoteCheck:
    match, note = compare_quote(quote, instrument.articles[number].text)
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
