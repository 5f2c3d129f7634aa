"""Parse legal-basis cells (实施依据 / 设定依据) into citations, resolve them, check quotes.

A cell cites instruments by 《title》 (with or without 中华人民共和国, split by OCR spaces,
abbreviated 《条例》 after the full title), by document number (国务院令第649号,
医保办发〔2022〕22号 in any bracket style), and articles (第八十七条, 第三十八条、第四十条,
第三十八至四十四条, 第五章第二十七条, 第二十七条第（五）项), often followed by a quote of the
article after a colon. Article numbers inside a quote ("实施了本条例第三十八条规定…") are
part of the quote, not citations: a reference starts a citation only at the start of a
segment, after a list separator, or after the end of a sentence.

Resolution tries the cheap, certain matches first (title or alias, then document number)
and the OCR repairs and fuzzy matching only when those fail; a citation that matches
nothing is returned as unresolved, never dropped.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from quanze.graph import paths
from quanze.graph.align.statutes import Instrument, chinese_number

_NUM = r"[零〇一二两三四五六七八九十百千\d]+"
_PREFIX = "中华人民共和国"
_TITLE = re.compile(r"《(?P<t>[^《》]{1,80})》")
_OPEN_TITLE = re.compile(r"《(?P<t>[^《》第;；,，(（]{2,30})")
_REF = re.compile(
    rf"(?:第(?P<chapter>{_NUM})章\s*)?第(?P<first>{_NUM})条(?:\s*(?:至|到|-|—|～|~)\s*第?(?P<last>{_NUM})条)?"
    rf"|第(?P<rfirst>{_NUM})(?:至|到)(?P<rlast>{_NUM})条"
)
_CLAUSE_TAIL = re.compile(rf"^(?:\s*第{_NUM}款)?(?:\s*第\s*[（(]?\s*(?P<item>{_NUM})\s*[）)]?\s*项)?")
_LIST_SEPARATOR = re.compile(r"^[\s、，,和及与]*$")
# where an entry ends: a sentence end or a list enumerator ("；2." "。 3、"), just before a new one
_SENTENCE_END = re.compile(r"(?:[。；;\n]|(?<![\d.])\d{1,2}\s*[.、．])\s*(?:\d{1,2}\s*[.、．]\s*)?$")
_ENUMERATOR_TAIL = re.compile(r"\s*\d{1,2}\s*[.、．]\s*$")
_SEPARATOR = re.compile(r"[；;。\n]|\d{1,2}\s*[.、．](?!\d)")

# document numbers: 医保办发〔2022〕22号 (any brackets), 国务院令第649号, 国家医疗保障局第二号令, …公告第23号
_DOC_BRACKET = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{1,10}?)\s*[〔\[(（【]\s*(?P<year>\d{4})\s*[〕\])）】]\s*第?\s*(?P<n>\d{1,4})\s*号"
)
_DOC_ORDER = re.compile(
    rf"(?P<issuer>[\u4e00-\u9fff]{{2,24}}?)\s*(?P<kind>令|公告)?\s*第\s*(?P<n>{_NUM})\s*号\s*(?P<suffix>令)?"
)
_ORGAN_END = re.compile(r"(?:院|部|委|局|厅|会|府|署|办|室|行)$")
_LEAD_WORDS = re.compile(r"^(?:依据|根据|按照|依照|参照|执行|落实|详见|见|和|及|与|或)+")


@dataclass(frozen=True)
class Citation:
    raw: str
    title_raw: str | None
    doc_number: str | None
    articles: tuple[int, ...]
    items: tuple[int, ...]
    quote: str | None
    quotes: tuple[tuple[int, str], ...] = ()
    """(article number, the text quoted after it) for each reference followed by a quote."""


@dataclass(frozen=True)
class Resolution:
    instrument_id: str | None
    method: str
    """exact (official title), alias, doc-number, ocr (a title that matches once the OCR
    confusions are undone), fuzzy, or unresolved; the ontology documents the same values."""
    score: float


@dataclass(frozen=True)
class DocNumber:
    """A document number split into what identifies it; issuers are compared loosely."""

    issuer: str
    kind: str  # 〔〕 for 发文字号, 令 for orders, 公告 for announcements
    year: int | None
    number: int

    def __str__(self) -> str:
        if self.kind == "〔〕":
            return f"{self.issuer}〔{self.year}〕{self.number}号"
        return f"{self.issuer}{self.kind}第{self.number}号"


# --- names and numbers --------------------------------------------------------------------


def _letters(text: str) -> str:
    """Text reduced to its letters and digits: full/half width, punctuation and spaces do not count."""
    return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", text))


def normalise_title(title: str) -> str:
    """Title reduced to its letters, without the 中华人民共和国 prefix."""
    text = _letters(title)
    return text[len(_PREFIX):] if text.startswith(_PREFIX) else text


def _issuer(raw: str) -> str:
    """中华人民共和国国务院 → 国务院; 根据国办发 → 国办发 (words that lead into a number)."""
    issuer = _LEAD_WORDS.sub("", raw)
    return issuer[len(_PREFIX):] if issuer.startswith(_PREFIX) and len(issuer) > len(_PREFIX) else issuer


def find_doc_numbers(text: str) -> list[tuple[int, int, DocNumber]]:
    """(start, end, number) of every document number in a text, in order."""
    found: list[tuple[int, int, DocNumber]] = []
    for match in _DOC_BRACKET.finditer(text):
        issuer = _issuer(match["issuer"])
        if issuer:
            found.append((match.start(), match.end(), DocNumber(issuer, "〔〕", int(match["year"]), int(match["n"]))))
    for match in _DOC_ORDER.finditer(text):
        if not (match["kind"] or match["suffix"]) or any(s <= match.start() < e for s, e, _ in found):
            continue
        issuer = _issuer(match["issuer"])
        if not _ORGAN_END.search(issuer):
            continue  # "…管理商令第三号令": OCR debris, not an organ that issues orders
        kind = match["kind"] or "令"
        found.append((match.start(), match.end(), DocNumber(issuer, kind, None, chinese_number(match["n"]))))
    return sorted(found, key=lambda hit: hit[0])


def parse_doc_number(text: str) -> DocNumber | None:
    """The first document number of a text."""
    return next((number for _, _, number in find_doc_numbers(re.sub(r"\s+", "", text))), None)


def normalise_doc_number(text: str) -> str | None:
    """国办发(2020)20号 → 国办发〔2020〕20号; 国家医疗保障局第二号令 → 国家医疗保障局令第2号."""
    number = parse_doc_number(text)
    return str(number) if number else None


def same_document(cited: DocNumber, known: DocNumber) -> float:
    """0–100: how surely two numbers name one document (same kind, year and number; issuer alike)."""
    if (cited.kind, cited.year, cited.number) != (known.kind, known.year, known.number):
        return 0.0
    if cited.issuer == known.issuer or cited.issuer.endswith(known.issuer):
        return 100.0
    return fuzz.ratio(cited.issuer, known.issuer)  # 国家医保局 / 国家医疗保障局


# --- parsing ------------------------------------------------------------------------------


def _titles(cell: str) -> list[tuple[str, int, int]]:
    """(title, start, end) of every 《…》; a title OCR left unclosed ends at the first 第/；/，/（."""
    found = []
    for match in re.finditer("《", cell):
        if closed := _TITLE.match(cell, match.start()):
            found.append((closed["t"], match.start(), closed.end()))
        elif cut := _OPEN_TITLE.match(cell, match.start()):
            found.append((cut["t"], match.start(), cut.end()))
    return found


def _cited_titles(cell: str) -> list[tuple[str, int, int]]:
    """The titles that start a citation: not nested, not inside an earlier quote or parenthesis."""
    cited: list[tuple[str, int, int]] = []
    for inner, start, end in _titles(cell):
        if cited and start < cited[-1][2]:
            continue
        before = cell[cited[-1][2] : start] if cited else ""
        # a title inside a quote of an earlier citation (after its colon) is part of that quote
        if cited and re.search(r"[:：]", before) and not _SENTENCE_END.search(before):
            continue
        # a title inside the previous citation's parenthesis ("根据《…决定》修订") belongs to it
        if cited and before.count("(") + before.count("（") > before.count(")") + before.count("）"):
            continue
        cited.append((inner, start, end))
    return cited


def _references(body: str) -> list[tuple[re.Match[str], list[int]]]:
    """Article references that start citations, with the article numbers each names."""
    found: list[tuple[re.Match[str], list[int]]] = []
    previous_end: int | None = None
    for match in _REF.finditer(body):
        gap = body[previous_end : match.start()] if previous_end is not None else None
        starts = (
            (previous_end is None and not re.search(r"[:：]", body[: match.start()]))
            or (gap is not None and _LIST_SEPARATOR.match(_CLAUSE_TAIL.sub("", gap, count=1)))
            or _SENTENCE_END.search(body[: match.start()])
        )
        if not starts:
            continue
        if match["rfirst"]:
            first, last = chinese_number(match["rfirst"]), chinese_number(match["rlast"])
        else:
            first = chinese_number(match["first"])
            last = chinese_number(match["last"]) if match["last"] else first
        found.append((match, list(range(first, last + 1)) if 0 < last - first < 60 else [first]))
        previous_end = match.end()
    return found


def _clean_quote(text: str) -> str:
    """A quote without its colon, quote marks, closing punctuation or the next entry's number."""
    text = re.sub(r"^\s*[:：]?", "", text, count=1).strip()
    text = _ENUMERATOR_TAIL.sub("", text)
    return text.strip().strip("“”\"").rstrip("；;。.，, \n").strip("“”\"").strip()


def _citation(raw: str, title: str | None, body: str, doc: str | None = None) -> Citation:
    """One citation: the instrument named by title (or number), its articles, items and quotes."""
    references = _references(body)
    head = body[: references[0][0].start()] if references else body
    doc = doc or normalise_doc_number(head) or (normalise_doc_number(title) if title else None)
    articles: list[int] = []
    items: list[int] = []
    quotes: list[tuple[int, str]] = []
    for index, (match, numbers) in enumerate(references):
        articles.extend(n for n in numbers if n not in articles)
        rest = body[match.end() : references[index + 1][0].start() if index + 1 < len(references) else len(body)]
        tail = _CLAUSE_TAIL.match(rest)
        if tail and tail["item"]:
            items.append(chinese_number(tail["item"]))
        rest = re.sub(r"^\s*(?:之|的)?规定", "", rest[tail.end() if tail else 0 :])  # 第十条规定：…
        if re.match(r"^[:：\s\u3000]", rest) and (quote := _clean_quote(rest)):
            quotes.append((numbers[0], quote))
    free = None
    if not references and (colon := re.search(r"[:：]", head)):
        free = _clean_quote(head[colon.end() :]) or None  # "（皖政〔2014〕83号）规定：…"
    quote = "\n".join(text for _, text in quotes) or free
    return Citation(raw.strip(), title, doc, tuple(articles), tuple(dict.fromkeys(items)), quote, tuple(quotes))


def _untitled(text: str) -> list[Citation]:
    """Citations of text that names no 《title》: one per document number, else one for the references."""
    anchors = find_doc_numbers(text)
    if not anchors:
        return [_citation(text, None, text)] if _REF.search(text) else []
    bounds = [0]
    for anchor, _, _ in anchors[1:]:
        separators = [m.end() for m in _SEPARATOR.finditer(text, bounds[-1], anchor)]
        bounds.append(separators[-1] if separators else anchor)
    stops = [*bounds[1:], len(text)]
    return [
        _citation(text[start:stop], None, text[start:stop], str(number))
        for start, stop, (_, _, number) in zip(bounds, stops, anchors)
    ]


def parse_citations(cell: str) -> list[Citation]:
    """Every citation of a legal-basis cell; a reference that names no known instrument is kept."""
    titles = _cited_titles(cell)
    citations = _untitled(cell[: titles[0][1]] if titles else cell)
    last_full: str | None = None
    for index, (title, start, end) in enumerate(titles):
        stop = titles[index + 1][1] if index + 1 < len(titles) else len(cell)
        short = normalise_title(title)
        if last_full and len(short) <= 4 and normalise_title(last_full).endswith(short):
            title = last_full  # 《条例》 after the full title
        else:
            last_full = title
        citations.append(_citation(cell[start:stop], title, cell[end:stop]))
    return citations


# --- resolution ---------------------------------------------------------------------------


def load_confusions(path: Path) -> dict[str, str]:
    """OCR character confusions (seen → meant), data/statutes/ocr_confusions.csv."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["seen"]: row["meant"] for row in csv.DictReader(handle) if row["seen"]}


@lru_cache(maxsize=1)
def _project_confusions() -> tuple[tuple[str, str], ...]:
    return tuple(load_confusions(paths.reference_file("statutes/ocr_confusions.csv")).items())


def ocr_variants(text: str, confusions: Mapping[str, str]) -> list[str]:
    """The text with every confusion undone, then with each single occurrence undone.

    Characters such as 地 are both a frequent misreading and a frequent real character, so
    a repair of one occurrence is tried on its own as well as all of them together.
    """
    if not confusions:
        return []
    variants = ["".join(confusions.get(c, c) for c in text)]
    for index, char in enumerate(text):
        if char in confusions:
            variants.append(text[:index] + confusions[char] + text[index + 1 :])
    return [v for v in dict.fromkeys(variants) if v != text]


def _dedupe_runs(text: str) -> str:
    """社会会保 → 社会保: OCR repeats a character where a line wrapped."""
    return re.sub(r"(.)\1+", r"\1", text)


def _cut_at_echo(text: str) -> str:
    """Cut a title where OCR starts repeating it ("中华人民共和国社会会保民共和国…" → "…社会会保")."""
    for index in range(4, len(text) - 2):
        if text[index : index + 3] in text[:index]:
            return text[:index]
    return text


def name_index(catalogue: Mapping[str, Instrument]) -> dict[str, tuple[str, str]]:
    """Normalised name → (instrument id, "exact" for official titles or "alias")."""
    names: dict[str, tuple[str, str]] = {}
    for instrument in catalogue.values():
        names.setdefault(normalise_title(instrument.title), (instrument.id, "exact"))
    for instrument in catalogue.values():
        for name in (*instrument.short_titles, *instrument.aliases):
            names.setdefault(normalise_title(name), (instrument.id, "alias"))
    return names


def resolve(
    citation: Citation,
    catalogue: Mapping[str, Instrument],
    confusions: Mapping[str, str] | None = None,
) -> Resolution:
    """The instrument a citation names, and how it was found.

    `confusions` defaults to the project's data/statutes/ocr_confusions.csv; pass {} for none.
    """
    if confusions is None:
        confusions = dict(_project_confusions())
    names = name_index(catalogue)
    if citation.title_raw and (hit := names.get(normalise_title(citation.title_raw))):
        return Resolution(hit[0], hit[1], 100.0)
    if citation.doc_number and (by_number := _by_doc_number(citation.doc_number, catalogue)):
        return by_number
    if not citation.title_raw:
        return Resolution(None, "unresolved", 0.0)
    for variant in ocr_variants(citation.title_raw, confusions):
        if hit := names.get(normalise_title(variant)):
            return Resolution(hit[0], "ocr", 100.0)
    queries = {citation.title_raw, *ocr_variants(citation.title_raw, confusions)}
    keys = {normalise_title(q) for q in queries} | {_dedupe_runs(normalise_title(_cut_at_echo(_letters(q)))) for q in queries}
    return _fuzzy([k for k in keys if k], names)


def _by_doc_number(doc_number: str, catalogue: Mapping[str, Instrument], accept: float = 80.0) -> Resolution | None:
    """The instrument whose document number the cited one is, if exactly one fits."""
    cited = parse_doc_number(doc_number)
    if cited is None:
        return None
    scored = []
    for instrument in catalogue.values():
        known = parse_doc_number(instrument.doc_number) if instrument.doc_number else None
        if known and (score := same_document(cited, known)) >= accept:
            scored.append((score, instrument.id))
    scored.sort(reverse=True)
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return Resolution(scored[0][1], "doc-number", round(scored[0][0], 1))
    return None


def _fuzzy(queries: list[str], names: Mapping[str, tuple[str, str]], accept: float = 85.0, margin: float = 5.0) -> Resolution:
    """Best fuzzy match of any query, also against the start of each name (OCR cut the title short)."""
    scores: dict[str, float] = {}
    for query in queries:
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


_plain = _letters


def clauses(text: str) -> list[str]:
    """A quote cut into clauses at ；。：“” and line ends (OCR and editors differ in commas)."""
    return [c.strip() for c in re.split(r"[；;。\n：:“”]", text) if len(_plain(c)) >= 4]


def missing_clauses(quote: str, article_text: str) -> list[str]:
    """Clauses of the quote that the article's text does not contain."""
    plain = _plain(article_text)
    return [c for c in clauses(quote) if _plain(c) not in plain and fuzz.partial_ratio(_plain(c), plain) < 90]


def _in_order(parts: list[str], text: str) -> bool:
    """Each part occurs in the text after the previous one (a quote that skips, not reorders)."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def compare_quote(
    quote: str,
    article_text: str,
    others: Mapping[int, str] | None = None,
) -> tuple[str, str | None]:
    """"exact", "excerpt" (a contiguous part of the article, or its lead-in and items in order)
    or "different" with a short note; `others` (number → text of the instrument's other
    articles) lets the note name the article the quote actually comes from."""
    q, a = _plain(quote), _plain(article_text)
    if not q or q == a:
        return "exact", None
    if q in a:
        return "excerpt", None
    parts = [_plain(part) for part in clauses(quote)]
    if len(parts) > 1 and _in_order(parts, a):
        return "excerpt", "节选（引文跳过了条文的部分内容）"
    if others and (elsewhere := _closest_article(q, a, others)):
        return "different", elsewhere
    missing = missing_clauses(quote, article_text)
    if missing:
        return "different", "以下引文不见于该条：" + "；".join(m[:40] for m in missing[:3])
    return "different", "与条文文字有出入：" + _first_difference(q, a)


def _closest_article(quote: str, cited: str, others: Mapping[int, str], accept: float = 90.0) -> str | None:
    """"引文与第N条最接近" when another article holds the quote clearly better than the cited one."""
    own = fuzz.partial_ratio(quote, cited)
    best = max(((fuzz.partial_ratio(quote, _plain(text)), number) for number, text in others.items()), default=None)
    if best and best[0] >= accept and best[0] > own + 5:
        return f"引文与第{best[1]}条最接近（相似度 {best[0]:.0f}%，所引条文 {own:.0f}%）"
    return None


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
