"""HTTP content negotiation for pages that are also data: q-values, wildcards, specificity.

`choose(accept, offered)` picks the offered media type the client prefers (RFC 9110 §12.5.1):
the most specific matching range sets a type's quality; q=0 refuses it; ties go to the
server's order. None when nothing offered is acceptable (answer 406).
"""

from __future__ import annotations

ALIASES = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json", "json-ld": "application/ld+json",
           "nt": "application/n-triples", "ntriples": "application/n-triples", "html": "text/html", "rdfxml": "application/rdf+xml",
           "xml": "application/rdf+xml", "json": "application/ld+json"}


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """(media range, quality) pairs of an Accept header; a missing header accepts everything."""
    ranges = []
    for part in (accept or "*/*").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return ranges or [("*/*", 1.0)]


def quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the client gives `media`: from the most specific range that matches it."""
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for pattern, q in ranges:
        if pattern == media:
            specificity = 2
        elif pattern == f"{kind}/*":
            specificity = 1
        elif pattern == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def choose(accept: str | None, offered: list[str]) -> str | None:
    ranges = parse_accept(accept)
    scored = [(quality(media, ranges), -index, media) for index, media in enumerate(offered)]
    q, _, media = max(scored)
    return media if q > 0 else None


def wants_html(accept: str | None) -> bool:
    """Whether a client would rather have an HTML page than JSON (browsers, not scripts)."""
    return choose(accept, ["application/json", "text/html"]) == "text/html" and "text/html" in (accept or "")
