"""Render a validation report as text, JSON (the contract's schema) or an HTML page.

Text and HTML group findings by file, then by row (the item), then by rule, with counts, so
bureau staff can work through a register row by row; the store's report groups by
jurisdiction first, for provincial reviewers.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from itertools import groupby

from quanze.graph.align.divisions import lookup
from quanze.graph.validate.shapes import Finding, Report

WORDS = {
    "zh": {
        "Violation": "违规", "Warning": "警告", "Info": "提示", "row": "第{n}行", "norow": "（无行号）",
        "conforms": "通过：未发现违规。", "fails": "未通过：发现 {n} 项违规。", "summary": "共 {v} 项违规、{w} 项警告、{i} 项提示",
        "items": "{n} 个事项", "title": "权责清单校验报告", "unnamed": "（无名称）", "value": "值",
        "jurisdiction": "辖区", "file": "文件",
    },
    "en": {
        "Violation": "Violation", "Warning": "Warning", "Info": "Info", "row": "row {n}", "norow": "(no row)",
        "conforms": "Conforms: no violations.", "fails": "Does not conform: {n} violations.",
        "summary": "{v} violations, {w} warnings, {i} infos", "items": "{n} items", "title": "Register validation report",
        "unnamed": "(no name)", "value": "value", "jurisdiction": "Jurisdiction", "file": "File",
    },
}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def to_json(report: Report) -> str:
    data: dict[str, object] = {"conforms": report.conforms, "results": [f.as_json() for f in report.findings]}
    if report.jurisdictions:  # an extension: each file's jurisdiction and the evidence that decided it
        data["jurisdictions"] = [
            {"file": file, "division_code": code or None, "jurisdiction": name or None, "evidence": evidence or None}
            for file, (code, name, evidence) in report.jurisdictions.items()
        ]
    if report.alignments:  # an extension of the contract's schema: how each item aligns
        data["alignments"] = [
            {"file": file, "row": row, "item": item, "canonical": a.canonical, "score": a.score, "method": a.method, "evidence": a.evidence}
            for file, row, item, a in report.alignments
        ]
    return json.dumps(data, ensure_ascii=False, indent=2)


def _counts(findings: list[Finding], w: dict[str, str]) -> str:
    c = Counter(f.severity for f in findings)
    return w["summary"].format(v=c["Violation"], w=c["Warning"], i=c["Info"])


def _rows(findings: list[Finding]) -> list[tuple[tuple[int | None, str | None], list[Finding]]]:
    def key(f: Finding) -> tuple[int, str]:
        return (f.row if f.row is not None else 10**9, f.item or "")

    ordered = sorted(findings, key=lambda f: (key(f), _ORDER.get(f.severity, 3), f.message))
    return [((k[0] if k[0] != 10**9 else None, k[1] or None), list(g)) for k, g in groupby(ordered, key)]


def _group_label(findings: list[Finding], by_jurisdiction: bool, w: dict[str, str]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if by_jurisdiction:
            division = lookup(f.jurisdiction) if f.jurisdiction else None
            groups[f"{division.name} {division.code}" if division else (f.jurisdiction or "?")].append(f)
        else:
            groups[f.file].append(f)
    return sorted(groups.items())


def to_text(report: Report, lang: str = "zh", by_jurisdiction: bool = False) -> str:
    w = WORDS[lang]
    out = [w["conforms"] if report.conforms else w["fails"].format(n=sum(f.severity == "Violation" for f in report.findings))]
    out.append(_counts(report.findings, w))
    for group, findings in _group_label(report.findings, by_jurisdiction, w):
        out.append("")
        count = report.items.get(group.split()[-1] if by_jurisdiction else group)
        out.append(f"== {group}" + (f" ({w['items'].format(n=count)})" if count else "") + f" — {_counts(findings, w)}")
        for (row, item), row_findings in _rows(findings):
            where = w["row"].format(n=row) if row is not None else w["norow"]
            file = f"{row_findings[0].file} " if by_jurisdiction else ""
            out.append(f"  {file}{where}  {item or w['unnamed']}")
            for (severity, message), same in groupby(row_findings, lambda f: (f.severity, f.message)):
                same = list(same)
                values = [f.value for f in same if f.value]
                suffix = f" ×{len(same)}" if len(same) > 1 else ""
                detail = f"（{w['value']}: {'; '.join(dict.fromkeys(values))[:120]}）" if values else ""
                out.append(f"    [{w[severity]}] {message}{detail}{suffix}")
    if report.jurisdictions:
        out.append("")
        out.append("== 辖区及其依据" if lang == "zh" else "== Jurisdiction and its evidence")
        for file, (code, name, evidence) in report.jurisdictions.items():
            found = f"{name} {code}" if code else ("未能确定" if lang == "zh" else "unknown")
            out.append(f"  {file}: {found}" + (f"（{evidence}）" if evidence else ""))
    if report.alignments:
        out.append("")
        out.append("== 与标准权力事项的对齐" if lang == "zh" else "== Alignment to the canonical catalogue")
        for file, row, item, a in report.alignments:
            where = w["row"].format(n=row) if row is not None else w["norow"]
            target = a.canonical or ("待人工复核" if lang == "zh" else "needs review")
            out.append(f"  {where}  {item or w['unnamed']} → {target}  ({a.score:.2f})")
    return "\n".join(out) + "\n"


_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} .sum{margin:.5em 0 1.5em} section{margin-bottom:2em}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3} .Violation{background:#fde2e1} .Warning{background:#fff4d6} .Info{background:#e6f0fb}
.badge{font-weight:bold;white-space:nowrap} .ok{color:#1a7f37;font-weight:bold} .bad{color:#b42318;font-weight:bold}
@media print{body{margin:0} .Violation,.Warning,.Info{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def to_html(report: Report, lang: str = "zh", by_jurisdiction: bool = False) -> str:
    w = WORDS[lang]
    e = html.escape
    status = (
        f'<p class="ok">{e(w["conforms"])}</p>' if report.conforms
        else f'<p class="bad">{e(w["fails"].format(n=sum(f.severity == "Violation" for f in report.findings)))}</p>'
    )
    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(w["title"])}</title><style>{_STYLE}</style></head><body>',
        f"<h1>{e(w['title'])}</h1>{status}<p class='sum'>{e(_counts(report.findings, w))}</p>",
    ]
    for group, findings in _group_label(report.findings, by_jurisdiction, w):
        parts.append(f"<section><h2>{e(group)}</h2><p>{e(_counts(findings, w))}</p><table>")
        parts.append(f"<tr><th>{'行' if lang == 'zh' else 'Row'}</th><th>{'事项' if lang == 'zh' else 'Item'}</th>"
                     f"<th>{'级别' if lang == 'zh' else 'Severity'}</th><th>{'问题' if lang == 'zh' else 'Finding'}</th>"
                     f"<th>{e(w['value'])}</th></tr>")
        for (row, item), row_findings in _rows(findings):
            for index, f in enumerate(row_findings):
                head = (
                    f'<td rowspan="{len(row_findings)}">{e(str(row) if row is not None else "")}</td>'
                    f'<td rowspan="{len(row_findings)}">{e(item or w["unnamed"])}</td>'
                ) if index == 0 else ""
                parts.append(
                    f'<tr class="{f.severity}">{head}<td class="badge">{e(w[f.severity])}</td>'
                    f"<td>{e(f.message)}<br><small>{e(f.constraint)}{' · ' + e(f.path) if f.path else ''}</small></td>"
                    f"<td>{e(f.value or '')}</td></tr>"
                )
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)
