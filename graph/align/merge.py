"""Merge the items of one jurisdiction's registers that describe the same power.

A county often publishes a power list and a risk register of the same powers (潘集区 003
and 000). Items pair up when their power types agree and their names are nearly the same
(or their codes are equal); each pair becomes one power item with both registers as sources.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from quanze.graph.model import ItemDraft
from quanze.graph.repair.text import compact

SAME_NAME = 80.0


def similarity(a: ItemDraft, b: ItemDraft) -> float:
    """0–100: 100 for equal codes, else name similarity when the power types agree."""
    if a.internal != b.internal:  # an internal matter (岗位 register) is never a statutory power
        return 0.0
    if a.code and b.code:
        return 100.0 if a.code == b.code else 0.0
    if a.power_type != b.power_type or not a.label or not b.label:
        return 0.0
    return fuzz.ratio(compact(a.label), compact(b.label))


def merge(registers: list[list[ItemDraft]]) -> list[list[ItemDraft]]:
    """Groups of drafts, one group per power; the first register's items lead their groups."""
    groups: list[list[ItemDraft]] = []
    for drafts in registers:
        pairs = sorted(
            (
                (similarity(group[0], draft), g, d)
                for g, group in enumerate(groups)
                for d, draft in enumerate(drafts)
            ),
            reverse=True,
        )
        taken_groups: set[int] = set()
        taken_drafts: set[int] = set()
        for score, g, d in pairs:
            if score < SAME_NAME or g in taken_groups or d in taken_drafts:
                continue
            if any(member.file == drafts[d].file for member in groups[g]):
                continue
            groups[g].append(drafts[d])
            taken_groups.add(g)
            taken_drafts.add(d)
        groups.extend([draft] for d, draft in enumerate(drafts) if d not in taken_drafts)
    return groups
