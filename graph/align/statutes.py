"""The statute catalogue: instruments (data/statutes/instruments.csv) and their articles.

Official texts are Markdown files (see data/statutes/SOURCES.md): a header block before
`<!-- INFO END -->` (title, then the source's own adoption / amendment record), `## 第X章`
chapter headings (`### 第X节` section headings below them), then one paragraph per article
starting `第X条` and a space, further paragraphs of the same article following it.

`load_catalogue` checks what the rest of the graph relies on and fails loudly otherwise:
every text's articles run 1..N, every replacement names a known instrument, levels,
statuses and dates use the catalogue's closed vocabularies.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from quanze.graph.numerals import to_int


LEVELS = ("法律", "行政法规", "部门规章", "地方性法规", "规范性文件", "党内法规")
STATUSES = ("in-force", "repealed", "superseded")
COLUMNS = (
    "id", "title", "short_titles", "aliases", "level", "issuer", "doc_number",
    "adopted", "effective", "status", "replaced_by", "text_file", "source",
)

_NUMERAL = "零〇一二两三四五六七八九十百千"
_ARTICLE = re.compile(rf"^第(?P<n>[{_NUMERAL}]+)条[\s\u3000]+(?P<text>.*)$")
_CHAPTER = re.compile(rf"^##\s*(?P<title>第[{_NUMERAL}]+章.*)$")
_HEADER_DATE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日\s*(?P<event>.*)")
_INFO_END = "<!-- INFO END -->"


@dataclass(frozen=True)
class Article:
    number: int
    text: str
    chapter: str | None


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    short_titles: tuple[str, ...]
    aliases: tuple[str, ...]
    level: str
    issuer: str
    doc_number: str
    adopted: str
    effective: str
    status: str
    replaced_by: str
    text_file: str
    source: str
    articles: dict[int, Article] = field(default_factory=dict, hash=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the instrument goes by, the official title first."""
        return (self.title, *self.short_titles, *self.aliases)


def chinese_number(text: str) -> int:
    """八十七 → 87, 一百零四 → 104, 十 → 10 (cn2an); Arabic digits pass through."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return to_int(text.replace("两", "二").replace("〇", "零"), "smart")


def _squeeze(heading: str) -> str:
    """第十一章  法律 责任 → 第十一章法律责任: the sources space headings for typesetting only."""
    return re.sub(r"\s+", "", heading)


def split_header(markdown: str) -> tuple[str, str]:
    """(header block, body) of an official text; no marker means no header."""
    if _INFO_END not in markdown:
        return "", markdown
    header, body = markdown.split(_INFO_END, 1)
    return header, body


def header_events(markdown: str) -> list[tuple[str, str]]:
    """(ISO date, event) of each dated line of the header: adoption, amendments, promulgation."""
    events = []
    for line in split_header(markdown)[0].splitlines():
        if match := _HEADER_DATE.match(line.strip()):
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            events.append((day.isoformat(), match["event"].strip()))
    return events


def parse_articles(markdown: str) -> dict[int, Article]:
    """Articles of an official text, numbered, with the chapter each stands under."""
    articles: dict[int, Article] = {}
    chapter: str | None = None
    current: tuple[int, str | None, list[str]] | None = None

    def close() -> None:
        if current is not None:
            number, at, paragraphs = current
            if number in articles:
                raise ValueError(f"article {number} appears twice")
            articles[number] = Article(number, "\n".join(paragraphs), at)

    for raw in split_header(markdown)[1].splitlines():
        line = raw.strip()
        if not line:
            continue
        if heading := _CHAPTER.match(line):
            chapter = _squeeze(heading["title"])
        elif line.startswith("#"):
            continue  # sections (节) and other headings carry no article text
        elif match := _ARTICLE.match(line):
            close()
            current = (chinese_number(match["n"]), chapter, [match["text"].strip()])
        elif current is not None:
            current[2].append(line)
    close()
    return articles


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _check_row(row: dict[str, str]) -> None:
    """A catalogue row uses the closed vocabularies and ISO dates."""
    if row["level"] and row["level"] not in LEVELS:
        raise ValueError(f"{row['id']}: unknown level {row['level']!r}")
    if row["status"] and row["status"] not in STATUSES:
        raise ValueError(f"{row['id']}: unknown status {row['status']!r}")
    for column in ("adopted", "effective"):
        if row[column]:
            date.fromisoformat(row[column])
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", row["id"]):
        raise ValueError(f"{row['id']!r} is not an ascii slug")


def _check_catalogue(catalogue: dict[str, Instrument]) -> None:
    """Replacements name known instruments; each text's articles run 1..N without gaps."""
    for instrument in catalogue.values():
        if instrument.replaced_by and instrument.replaced_by not in catalogue:
            raise ValueError(f"{instrument.id}: replaced_by {instrument.replaced_by!r} is not in the catalogue")
        if instrument.text_file and sorted(instrument.articles) != list(range(1, len(instrument.articles) + 1)):
            raise ValueError(f"{instrument.id}: articles of {instrument.text_file} do not run 1..N")


def instrument_from_row(row: dict[str, str], articles: dict[int, Article]) -> Instrument:
    """One catalogue row as an Instrument."""
    _check_row(row)
    return Instrument(
        id=row["id"],
        title=row["title"].strip(),
        short_titles=_split(row["short_titles"]),
        aliases=_split(row["aliases"]),
        level=row["level"],
        issuer=row["issuer"],
        doc_number=row["doc_number"],
        adopted=row["adopted"],
        effective=row["effective"],
        status=row["status"],
        replaced_by=row["replaced_by"],
        text_file=row["text_file"],
        source=row["source"],
        articles=articles,
    )


def load_catalogue(directory: Path) -> dict[str, Instrument]:
    """Every instrument of instruments.csv, with the articles of those whose text is there."""
    catalogue: dict[str, Instrument] = {}
    with (directory / "instruments.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"instruments.csv columns must be {', '.join(COLUMNS)}")
        for row in reader:
            if row["id"] in catalogue:
                raise ValueError(f"{row['id']} appears twice in instruments.csv")
            text = (directory / row["text_file"]).read_text(encoding="utf-8") if row["text_file"] else ""
            catalogue[row["id"]] = instrument_from_row(row, parse_articles(text) if text else {})
    _check_catalogue(catalogue)
    return catalogue
