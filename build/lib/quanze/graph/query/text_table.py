"""Plain-text tables that line up Chinese text (double-width characters) in a terminal."""

from __future__ import annotations

import unicodedata


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(header: list[str], rows: list[list[str]], max_cell: int = 60) -> str:
    """A plain-text table that lines up Chinese text (double-width characters)."""
    def clip(cell: str) -> str:
        cell = cell.replace("\n", " ")
        return cell if _width(cell) <= max_cell else cell[: max_cell // 2 - 1] + "…"

    body = [[clip(c) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in body]) for i, h in enumerate(header)]
    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in body]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)
