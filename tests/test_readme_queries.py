"""The README's ten questions for legal staff: each query runs on the seeds and gives the rows
the README shows (its <!-- rows: N --> marker and its answer table)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _questions() -> list[tuple[str, int, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Writing your own queries"):text.index("## Legal basis")]
    found = re.findall(r"```sparql\n(.*?)```\n\s*<!-- rows: (\d+) -->\n(.*?)(?=\n\d+\. \*\*|\Z)", section, re.S)
    return [(re.sub(r"^   ", "", q, flags=re.M), int(n), answer) for q, n, answer in found]


def test_ten_questions(select):
    questions = _questions()
    assert len(questions) == 10
    for query, expected, answer in questions:
        rows = select(query)
        assert len(rows) == expected, query
        first = rows[0]
        assert all(str(v) in answer for v in first.values() if v is not None), (query, first)
