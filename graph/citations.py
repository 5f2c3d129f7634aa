"""Parse legal-basis cells (实施依据 / 设定依据) into citations, and resolve them.

A cell cites instruments by 《title》 (with or without 中华人民共和国, split by OCR spaces,
abbreviated 《条例》 after the full title), by document number (国务院令第649号,
医保办发〔2022〕22号 in any bracket style), and articles (第八十七条, 第三十八条、第四十条,
第三十八至四十四条, 第五章第二十七条, 第二十七条第（五）项), often followed by a quote of the
article after a colon. Article numbers inside a quote ("实施了本条例第三十八条规定…") are
part of the quote, not citations: a reference starts a citation only at the start of a
segment, after a list separator, or after the end of a sentence.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from graph.statutes import Instrument, chinese_number

_NUM = r"[零一二三四五六七八九十百千\d]+"
_TITLE = re.compile(r"《(?P<t>[^《》]{1,80})》")
_DOC_BRACKET = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{1,8}?)\s*[〔\[(（【]\s*(?P<year>\d{4})\s*[〕\])）】]\s*(?P<n>\d{1,4})\s*号"
)
_DOC_ORDER = re.compile(r"(?P<issuer>国务院|国家医疗保障局|[\u4e00-\u9fff]{2,10}?)\s*令?\s*第\s*(?P<n>[\d一二三四五六七八九十]+)\s*号令?")
_REF = re.compile(
    rf"(?:第(?P<chapter>{_NUM})章\s*)?第(?P<first>{_NUM})条(?:\s*(?:至|到|-|—)\s*第?(?P<last>{_NUM})条)?"
    rf"|第(?P<rfirst>{_NUM})(?:至|到)(?P<rlast>{_NUM})条"
)
_OPEN_TITLE = re.compile(r"《(?P<t>[^《》第;；,，(（]{2,30})")
_ITEM = re.compile(rf"^\s*第[（(](?P<item>{_NUM})[）)]项")
_LIST_SEPARATOR = re.compile(r"^[\s、，,和及与]*$")
_SENTENCE_END = re.compile(r"[。；;.\n]\s*(?:\d{1,2}\s*[.、．]\s*)?$")
_PREFIX = "中华人民共和国"


@dataclass(frozen=True)
class Citation:
    raw: str
    title_raw: str | None
    doc_number: str | None
    articles: tuple[int, ...]
    items: tuple[int, ...]
    quotes: tuple[tuple[int, str], ...]
    """(article number, the text quoted after it) for each reference followed by a quote."""

    @property
    def quote(self) -> str | None:
        return "\n".join(text for _, text in self.quotes) or None


@dataclass(frozen=True)
class Resolution:
    instrument_id: str | None
    method: str  # exact, alias, doc-number, ocr, fuzzy, unresolved
    score: float


def normalise_title(title: str) -> str:
    """Title without whitespace, brackets, quote marks or the 中华人民共和国 prefix."""
    text = re.sub(r"[\s《》<>〈〉“”\"'·]", "", title)
    return text[len(_PREFIX):] if text.startswith(_PREFIX) else text


def normalise_doc_number(text: str) -> str | None:
    """国办发(2020)20号 → 国办发〔2020〕20号; 国家医疗保障局第二号令 → 国家医疗保障局令第2号."""
    text = re.sub(r"\s+", "", text)
    if match := _DOC_BRACKET.search(text):
        return f"{match.group('issuer')}〔{match.group('year')}〕{match.group('n')}号"
    if match := _DOC_ORDER.search(text):
        issuer = match.group("issuer")
        if issuer.endswith("公告"):
            return None
        issuer = next((known for known in ("国务院", "国家医疗保障局") if known in issuer), issuer)
        return f"{issuer}令第{chinese_number(match.group('n'))}号"
    return None


# --- parsing ------------------------------------------------------------------------------


def _titles(cell: str) -> list[tuple[str, int, int]]:
    """(title, start, end) of every 《…》; a title OCR left unclosed ends at the first 第/；/，/（."""
    found = []
    for match in re.finditer("《", cell):
        closed = _TITLE.match(cell, match.start())
        if closed:
            found.append((closed.group("t"), match.start(), closed.end()))
        elif cut := _OPEN_TITLE.match(cell, match.start()):
            found.append((cut.group("t"), match.start(), cut.end()))
    return found


def _segments(cell: str) -> list[tuple[str | None, int, int, int]]:
    """(title, start, body start, end) of each part of the cell that cites one instrument."""
    cited: list[tuple[str, int, int]] = []
    for inner, start, end in _titles(cell):
        if cited and start < cited[-1][2]:
            continue
        before = cell[cited[-1][2] : start] if cited else ""
        # a title inside a quote of an earlier citation (after its colon) is part of that quote
        if cited and re.search(r"[:：]", before) and not re.search(r"[。；;\n]\s*(?:\d{1,2}\s*[.、．]\s*)?$", before):
            continue
        # a title inside the previous citation's parenthesis ("根据《…决定》修订") belongs to it
        if cited and before.count("(") + before.count("（") > before.count(")") + before.count("）"):
            continue
        cited.append((inner, start, end))
    if not cited:
        return [(None, 0, 0, len(cell))] if _REF.search(cell) or normalise_doc_number(cell) else []
    spans = []
    for index, (title, start, end) in enumerate(cited):
        stop = cited[index + 1][1] if index + 1 < len(cited) else len(cell)
        spans.append((title, start, end, stop))
    return spans


def _references(segment: str) -> list[tuple[re.Match[str], list[int]]]:
    """Article references that start citations, with the article numbers each names."""
    found: list[tuple[re.Match[str], list[int]]] = []
    previous_end = None
    for match in _REF.finditer(segment):
        gap = segment[previous_end : match.start()] if previous_end is not None else None
        starts = (
            previous_end is None
            and not re.search(r"[:：]", segment[: match.start()])
            or gap is not None and _LIST_SEPARATOR.match(gap)
            or _SENTENCE_END.search(segment[: match.start()])
        )
        if not starts:
            continue
        if match.group("rfirst"):
            first, last = chinese_number(match.group("rfirst")), chinese_number(match.group("rlast"))
        else:
            first = chinese_number(match.group("first"))
            last = chinese_number(match.group("last")) if match.group("last") else first
        numbers = list(range(first, last + 1)) if 0 < last - first < 60 else [first]
        found.append((match, numbers))
        previous_end = match.end()
    return found


def parse_citations(cell: str) -> list[Citation]:
    """Every citation of a legal-basis cell; text that names no instrument is kept, not dropped."""
    citations: list[Citation] = []
    last_full: str | None = None
    for title, start, body_start, stop in _segments(cell):
        segment = cell[start:stop]
        body = cell[body_start:stop]
        if title:
            if last_full and len(normalise_title(title)) <= 4 and normalise_title(last_full).endswith(normalise_title(title)):
                title = last_full  # 《条例》 after the full title
            else:
                last_full = title
        references = _references(body)
        head = body[: references[0][0].start()] if references else body
        doc = normalise_doc_number(head) or (normalise_doc_number(title) if title else None)
        articles: list[int] = []
        items: list[int] = []
        quote_parts: list[tuple[int, str]] = []
        for index, (match, numbers) in enumerate(references):
            articles.extend(n for n in numbers if n not in articles)
            rest_end = references[index + 1][0].start() if index + 1 < len(references) else len(body)
            rest = body[match.end() : rest_end]
            if item := _ITEM.match(rest):
                items.append(chinese_number(item.group("item")))
            quote = re.sub(r"^\s*(?:第[（(].*?[）)]项)?\s*[:：]?", "", rest, count=1) if re.match(r"^\s*(?:第[（(].*?[）)]项)?\s*[:：　 ]", rest) else ""
            quote = quote.strip().strip("“”\"").rstrip("；;。.，, \n").strip()
            quote = re.sub(r"\s*\d{1,2}\s*[.、．]?\s*$", "", quote)  # the next entry's enumerator
            if quote:
                quote_parts.append((numbers[0], quote))
        citations.append(
            Citation(
                raw=segment.strip(),
                title_raw=title,
                doc_number=doc,
                articles=tuple(articles),
                items=tuple(items),
                quotes=tuple(quote_parts),
            )
        )
    return citations


# --- resolution ---------------------------------------------------------------------------


def load_confusions(path: Path) -> dict[str, str]:
    """OCR character confusions (seen → meant), data/statutes/ocr_confusions.csv."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {row["seen"]: row["meant"] for row in csv.DictReader(handle)}


def _dedupe_runs(text: str) -> str:
    """社会会保 → 社会保: OCR repeats a character where a line wrapped."""
    return re.sub(r"(.)\1+", r"\1", text)


def _cut_at_echo(text: str) -> str:
    """Cut a title where OCR starts repeating it ("中华人民共和国社会会保民共和国…" → "…社会会保")."""
    for index in range(4, len(text) - 2):
        if text[index : index + 3] in text[:index]:
            return text[:index]
    return text


def resolve(citation: Citation, catalogue: dict[str, Instrument], confusions: dict[str, str] | None = None) -> Resolution:
    """The instrument a citation names, and how it was found."""
    names: dict[str, tuple[str, str]] = {}
    for instrument in catalogue.values():
        for index, name in enumerate(instrument.names):
            names.setdefault(normalise_title(name), (instrument.id, "exact" if index == 0 else "alias"))
    by_doc = {instrument.doc_number: instrument.id for instrument in catalogue.values() if instrument.doc_number}
    if citation.title_raw:
        key = normalise_title(citation.title_raw)
        if key in names:
            instrument_id, method = names[key]
            return Resolution(instrument_id, method, 100.0)
    if citation.doc_number and citation.doc_number in by_doc:
        return Resolution(by_doc[citation.doc_number], "doc-number", 100.0)
    if not citation.title_raw:
        return Resolution(None, "unresolved", 0.0)
    repaired = "".join((confusions or {}).get(c, c) for c in citation.title_raw)
    if normalise_title(repaired) in names:
        return Resolution(names[normalise_title(repaired)][0], "ocr", 100.0)
    return _fuzzy(_dedupe_runs(normalise_title(_cut_at_echo(re.sub(r"\s+", "", repaired)))), names)


def _fuzzy(query: str, names: dict[str, tuple[str, str]], accept: float = 85.0, margin: float = 5.0) -> Resolution:
    """Best fuzzy match, also against the start of each name (OCR cut the title short)."""
    scores: dict[str, float] = {}
    for name, (instrument_id, _) in names.items():
        score = fuzz.ratio(query, name)
        if 3 <= len(query) < len(name):
            score = max(score, 0.95 * fuzz.ratio(query, name[: len(query)]))
        scores[instrument_id] = max(scores.get(instrument_id, 0.0), score)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked and ranked[0][1] >= accept and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= margin):
        return Resolution(ranked[0][0], "fuzzy", round(ranked[0][1], 1))
    return Resolution(None, "unresolved", round(ranked[0][1], 1) if ranked else 0.0)


# --- quotes -------------------------------------------------------------------------------

_PUNCTUATION = str.maketrans({"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "。": ".", "、": ","})


def _plain(text: str) -> str:
    return re.sub(r"[\s“”\"'.,;:]", "", text.translate(_PUNCTUATION))


def clauses(text: str) -> list[str]:
    """A quote cut into clauses at ；。 and line ends (OCR and editors differ in commas)."""
    return [c.strip() for c in re.split(r"[；;。\n：:“”]", text) if len(_plain(c)) >= 4]


def missing_clauses(quote: str, article_text: str) -> list[str]:
    """Clauses of the quote that the article's text does not contain."""
    plain = _plain(article_text)
    return [c for c in clauses(quote) if _plain(c) not in plain and fuzz.partial_ratio(_plain(c), plain) < 90]


def compare_quote(quote: str, article_text: str) -> tuple[str, str | None]:
    """"exact", "excerpt" (a contiguous part of the article) or "different" with a short note."""
    q, a = _plain(quote), _plain(article_text)
    if not q or q == a:
        return "exact", None
    if q in a:
        return "excerpt", None
    parts = clauses(quote)
    if parts and all(_plain(part) in a for part in parts):
        return "excerpt", "节选（引文跳过了条文的部分内容）"
    missing = missing_clauses(quote, article_text)
    if missing:
        return "different", "以下引文不见于该条：" + "；".join(m[:40] for m in missing[:3])
    return "different", "与条文文字有出入：" + _first_difference(q, a)


def _first_difference(quote: str, article: str) -> str:
    """The first place where quote and article differ, as 条文「…」/引文「…」."""
    window = article[article.find(quote[:6]) :] if quote[:6] in article else article
    matcher = difflib.SequenceMatcher(None, quote, window, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and (i2 > i1 or j2 < len(window)):
            context = quote[max(0, i1 - 6) : i1]
            return f"…{context}，条文作「{window[j1:j2][:20]}」，引文作「{quote[i1:i2][:20]}」"
    return f"相似度 {fuzz.ratio(quote, article):.0f}%"


def source_article(clause: str, articles: Iterable[tuple[int, str]]) -> int | None:
    """The article whose text contains a clause (a clause quoted under the wrong number)."""
    plain = _plain(clause)
    for number, text in articles:
        if plain in _plain(text):
            return number
    return None
