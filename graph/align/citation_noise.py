"""Which parsed citations are OCR noise rather than a reference to a legal instrument.

A legal-basis cell that OCR damaged yields 《…》 spans that name nothing: 《里里看看一个。9.》,
《世界》, 《社会》 repeating a citation already made. A title the catalogue cannot resolve is
still a citation when it reads like a title: it holds a word that names a kind of instrument
(法, 条例, 办法, 规定, 通知 …) or a document number. Otherwise it is noise and yields no
qz:Citation (the cell's raw text stays in qz:legalBasisText). A citation that repeats an
earlier one of the same cell (same instrument, same articles) is one citation.
"""

from __future__ import annotations

import re

from quanze.graph.align.link_statutes import CitationLink

KIND_WORDS = re.compile(r"法|条例|办法|规定|规则|细则|决定|通知|意见|纲要|标准|规范|目录|方案|公告|批复|令|号")
"""Words one of which every title of a law, regulation, rule or normative document holds."""
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def reads_like_title(title: str | None) -> bool:
    """True for a title of at least four characters that names a kind of instrument."""
    if not title:
        return False
    return len(_HAN.findall(title)) >= 4 and bool(KIND_WORDS.search(title))


def is_noise(link: CitationLink) -> bool:
    """An unresolved citation whose title is not a title and that gives no document number."""
    citation = link.citation
    if link.resolution.instrument_id:
        return False
    if citation.title_raw is None:
        return not (citation.doc_number or citation.articles)  # "…37号）第二条": a title lost, not noise
    return not reads_like_title(citation.title_raw) and not citation.doc_number


def without_noise(links: list[CitationLink]) -> list[CitationLink]:
    """The cell's citations without noise and without repeats of an earlier citation."""
    kept: list[CitationLink] = []
    seen: set[tuple[str, tuple[int, ...]]] = set()
    for link in links:
        if is_noise(link):
            continue
        key = (link.resolution.instrument_id or "", link.citation.articles)
        if link.resolution.instrument_id and key in seen:
            continue
        seen.add(key)
        kept.append(link)
    return kept
