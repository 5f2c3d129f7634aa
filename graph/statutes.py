"""The statute catalogue: instruments (data/statutes/instruments.csv) and their articles.

Official texts are Markdown files (see data/statutes/SOURCES.md): a header block before
`<!-- INFO END -->`, `## 第X章` chapter headings, then one paragraph per article starting
`第X条`, further paragraphs of the same article following it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import cn2an

_ARTICLE = re.compile(r"^第(?P<n>[零一二三四五六七八九十百千]+)条\s*(?P<text>.*)$")
_CHAPTER = re.compile(r"^#+\s*(?P<title>第[零一二三四五六七八九十百]+章.*)$")


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
    articles: dict[int, Article] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the instrument goes by."""
        return (self.title, *self.short_titles, *self.aliases)


def chinese_number(text: str) -> int:
    """第八十七 → 87, 一百零四 → 104 (cn2an); Arabic digits pass through."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return int(cn2an.cn2an(text, "smart"))


def parse_articles(markdown: str) -> dict[int, Article]:
    """Articles of an official text, numbered, with their chapter."""
    body = markdown.split("<!-- INFO END -->", 1)[-1]
    articles: dict[int, Article] = {}
    chapter: str | None = None
    number: int | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if number is not None:
            articles[number] = Article(number, "\n".join(paragraphs), current_chapter)

    current_chapter: str | None = None
    for line in body.split("\n"):
        line = line.strip()
        if not line:
            continue
        if heading := _CHAPTER.match(line):
            chapter = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", heading.group("title"))
            continue
        if line.startswith("#"):
            continue
        if match := _ARTICLE.match(line):
            close()
            number, current_chapter = chinese_number(match.group("n")), chapter
            paragraphs = [match.group("text").strip()]
        elif number is not None:
            paragraphs.append(line)
    close()
    return articles


def load_catalogue(directory: Path) -> dict[str, Instrument]:
    """Every instrument of instruments.csv, with the articles of those whose text is there."""
    catalogue: dict[str, Instrument] = {}
    with (directory / "instruments.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            articles = {}
            if row["text_file"]:
                articles = parse_articles((directory / row["text_file"]).read_text(encoding="utf-8"))
            catalogue[row["id"]] = Instrument(
                id=row["id"],
                title=row["title"],
                short_titles=tuple(filter(None, row["short_titles"].split("|"))),
                aliases=tuple(filter(None, row["aliases"].split("|"))),
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
    return catalogue
