"""Resolve a power-type cell (权力类型, 职权类别 …) to one concept of the power-type scheme.

OCR reorders characters (行处政罚), drops them (行处, 行确, 行强制) or splits words
(行政 给付). A cell resolves when it is one of a concept's labels, or when its characters
all occur in the labels of exactly one concept and include more than the shared 行政.
"""

from __future__ import annotations

import re
from collections import Counter

_GENERIC = set("行政类")


def normalise_type_label(text: str) -> str:
    """Whitespace and a trailing 类 removed ("行政处罚类" → "行政处罚")."""
    text = re.sub(r"\s+", "", text)
    return text[:-1] if text.endswith("类") and len(text) > 2 else text


def resolve_power_type(raw: str, labels: dict[str, list[str]]) -> tuple[str | None, str]:
    """(concept key, method) with method "exact", "ocr" or "unresolved".

    `labels` maps a concept key to its prefLabel and altLabels in Chinese.
    """
    text = normalise_type_label(raw)
    if not text:
        return None, "unresolved"
    for concept, names in labels.items():
        if text in {normalise_type_label(name) for name in names}:
            return concept, "exact"
    wanted = Counter(text)
    if not set(text) - _GENERIC:
        return None, "unresolved"
    matches = {
        concept
        for concept, names in labels.items()
        for name in names
        if not wanted - Counter(normalise_type_label(name))
    }
    if len(matches) == 1:
        return matches.pop(), "ocr"
    return None, "unresolved"
