"""What a register says of an item's procedure beyond its stage list, and what its basis implies.

A 决定 duty that reads "经医保行政部门负责人批准，决定采取行政强制措施，应告知…理由、依据…" describes
the stages 批准 and 告知 although the register prints no such stage; a register that writes
"执法人员不得少于两人" or "制作现场笔录" states features the law prescribes. The stage types'
and procedure features' qz:textPattern find them in the register's own text of the item (its
name, duties, stages, risk points and controls; not its accountability cases, which describe
failures). The features' qz:basisPattern find what the official text of the articles the item
rests on implies (a fine of two to five times the defrauded amount is a large fine, so the
party must be told of the right to a hearing).
"""

from __future__ import annotations

from collections.abc import Mapping

from quanze.graph.align.statutes import Instrument
from quanze.graph.model import ItemDraft
from quanze.graph.vocab import Vocabulary


def item_text(draft: ItemDraft) -> str:
    """The register's own words about the item, as one text."""
    parts: list[str] = [draft.label or "", draft.raw_label or "", draft.sub_item or "", draft.remark or ""]
    parts += [duty.text.text for duty in draft.duties]
    parts += [f"{stage.label} {stage.description or ''}" for stage in draft.stages]
    for risk in draft.risks:
        parts.append(risk.text.text)
        parts += [control.text for control in risk.controls]
    return "\n".join(parts)


def basis_text(draft: ItemDraft, catalogue: Mapping[str, Instrument]) -> str:
    """The official text of the articles the item's citations found."""
    texts = []
    for link in draft.citations:
        instrument = catalogue.get(link.resolution.instrument_id or "")
        if instrument:
            texts += [instrument.articles[n].text for n in link.found if n in instrument.articles]
    return "\n".join(texts)


def describe_procedure(draft: ItemDraft, vocabulary: Vocabulary, catalogue: Mapping[str, Instrument]) -> None:
    """Fill the draft's described stages, stated features, basis features and cited levels."""
    text = item_text(draft)
    own = {stage.stage_type for stage in draft.stages}
    draft.described_stages = sorted(
        str(stage.iri) for stage in vocabulary.stages
        if stage.text_pattern and str(stage.iri) not in own and stage.text_pattern.search(text)
    )
    draft.features = sorted(str(f.iri) for f in vocabulary.features if f.text_pattern and f.text_pattern.search(text))
    basis = basis_text(draft, catalogue)
    draft.basis_features = sorted(str(f.iri) for f in vocabulary.features if f.basis_pattern and f.basis_pattern.search(basis))
    draft.cited_levels = [
        (catalogue[link.resolution.instrument_id].level if link.resolution.instrument_id in catalogue else None)
        for link in draft.citations
    ]
