"""Instruments a register cites that the statute catalogue lacks (issue 12).

A county's legal-basis cell often cites a local government rule (渝府令第231号), a provincial
regulation (安徽省人口与计划生育条例), a departmental rule (劳动和社会保障部令第3号) or a
normative document (皖政〔2014〕83号) whose text Quanze does not hold. Such a citation is still
a legal basis: it is recognised by its title (it ends as instruments' titles end) and typed by
level where a 【法律】-style tag, the document number or the title says it. The mapper makes an
instrument node for it (id/law/cited/<normalised title>) and validation warns that its articles
cannot be checked, instead of calling the basis empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TITLE_END = re.compile(r"(?:法|条例|办法|规定|规则|细则|意见|通知|决定|方案|目录|标准|规章|纲要|决议|批复|通告)$")
_NOTICE = re.compile(r"关于(?:印发|发布|颁布|转发)\s*[〈<《](?P<inner>[^〉>》]{2,60})[〉>》]\s*的通知$")
_TAG = re.compile(r"【\s*(?P<tag>[^】]{2,8})\s*】\s*$")
_TAGS = {
    "法律": "法律", "行政法规": "行政法规", "部门规章": "部门规章", "规章": "规章", "政府规章": "地方政府规章",
    "地方政府规章": "地方政府规章", "地方性法规": "地方性法规", "规范性文件": "规范性文件", "其他": "规范性文件",
}
_PROVINCES = re.compile(
    r"^(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆)"
)


@dataclass(frozen=True)
class CitedInstrument:
    title: str
    level: str | None
    doc_number: str | None


def clean_title(title: str) -> str:
    """The instrument a title names: the measures a 关于印发〈…〉的通知 issued; inner 〈〉 as 《》."""
    text = re.sub(r"\s+", "", title)
    if match := _NOTICE.search(text):
        return match["inner"]
    return text.replace("〈", "《").replace("〉", "》")


def level_of(title: str, doc_number: str | None, before: str) -> str | None:
    """法律 / 行政法规 / 部门规章 / 地方政府规章 / 地方性法规 / 规范性文件, where the tag printed
    before the title, the document number or the title says it."""
    tagged = _TAGS.get(tag["tag"].replace(" ", "")) if (tag := _TAG.search(before or "")) else None
    by_number = _level_of_number(title, doc_number or "")
    if tagged == "规章" and by_number in ("部门规章", "地方政府规章"):
        return by_number  # 【规章】 劳动和社会保障部令第3号: the number says which kind of rule
    return tagged or by_number


def _level_of_number(title: str, number: str) -> str | None:
    if "主席令" in number:
        return "法律"
    if "国务院令" in number:
        return "行政法规"
    if re.search(r"府令|政府令", number):
        return "地方政府规章"
    if re.search(r"(?:部|局|委员会|署)令", number):
        return "部门规章"
    if "〔" in number or re.search(r"发\s*[〔\[(（【]", number):
        return "规范性文件"
    if (_PROVINCES.match(title) and title.endswith("条例")) or re.search(r"人民代表大会常务委员会公告|人大常委会公告", number):
        return "地方性法规"
    return None


def uncatalogued(title_raw: str | None, doc_number: str | None, before: str, score: float) -> CitedInstrument | None:
    """The instrument a citation names when the catalogue has no entry for it, or None when the
    title does not read as an instrument's (OCR debris such as 《中华人民共和国基本本户程度》 or
    a near miss of a catalogued title stays unresolved)."""
    if not title_raw or score >= 75:
        return None
    title = clean_title(title_raw)
    plain = re.sub(r"[《》]", "", title)
    if len(plain) < 6 or not _TITLE_END.search(plain) or re.search(r"[^\u4e00-\u9fff《》（）()、·]", title):
        return None
    return CitedInstrument(title, level_of(title, doc_number, before), doc_number)
