"""Error messages in the language the user asked for (`--lang zh|en`, `lang=` on the server).

The readers and commands raise their errors in English, one line each; `localise` rewrites the
known ones into Chinese, keeping the file names and details they carry. Unknown messages are
left as they are.
"""

from __future__ import annotations

import re

_HEADER = "（序号、事项名称、权力类型……）"
_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<f>.+?): no header row with known register columns .*$"), "{f}：没有找到含已知列名{h}的表头行"),
    (re.compile(r"^(?P<f>.+?): no sheet has a header row with known register columns .*$"), "{f}：没有一个工作表含已知列名{h}的表头行"),
    (re.compile(r"^(?P<f>.+?): the file is empty$"), "{f}：文件是空的"),
    (re.compile(r"^(?P<f>.+?): the file is binary, not text$"), "{f}：这是二进制文件，不是文本"),
    (re.compile(r"^(?P<f>.+?): the text is neither UTF-8 nor GBK/GB18030$"), "{f}：文本编码既不是 UTF-8 也不是 GBK/GB18030"),
    (re.compile(r"^(?P<f>.+?): not a readable XLSX workbook \((?P<d>.*)\)$"), "{f}：无法读取的 XLSX 工作簿（{d}）"),
    (re.compile(r"^(?P<f>.+?): not an XLSX workbook$"), "{f}：不是 XLSX 工作簿"),
    (re.compile(r"^(?P<f>.+?): the register has a header but no rows$"), "{f}：清单只有表头，没有数据行"),
    (re.compile(r"^(?P<f>.+?): not valid RDF \((?P<d>.*)\)$"), "{f}：不是有效的 RDF（{d}）"),
    (re.compile(r"^(?P<f>.+?): the RDF holds no qz:PowerItem$"), "{f}：RDF 中没有 qz:PowerItem（权力事项）"),
    (re.compile(r"^(?P<f>.+?): no flowchart header \(职权编码：…\) found$"), "{f}：没有找到风险防控图的表头（职权编码：…）"),
    (re.compile(r"^(?P<f>.+?): no such file$"), "{f}：文件不存在"),
    (re.compile(r"^(?P<f>.+?): No such file or directory$"), "{f}：文件不存在"),
    (re.compile(r"^name one or more register files, or use --store$"), "请指定一个或多个清单文件，或使用 --store 校验整个图库"),
    (re.compile(r"^no store at (?P<f>.+?): run `quanze build` first$"), "{f} 没有图库：请先运行 quanze build"),
    (re.compile(r"^--format xlsx writes a workbook: give a file with -o$"), "--format xlsx 输出的是工作簿：请用 -o 指定文件"),
    (re.compile(r"^port (?P<p>\d+) on (?P<h>\S+) is in use.*$"), "{h} 的端口 {p} 已被占用：换一个端口（--port），或先停止占用它的程序"),
    # a SPARQL server as the store (graph/store/remote.py)
    (re.compile(r"^cannot reach the SPARQL server (?P<s>\S+): (?P<d>.*)$"), "无法连接 SPARQL 服务器 {s}：{d}"),
    (re.compile(r"^the SPARQL server (?P<s>\S+) did not answer (in time|within (?P<t>\S+) s)$"), "SPARQL 服务器 {s} 未在限定时间内应答"),
    (re.compile(r"^the SPARQL server (?P<s>\S+) stopped the query: it took too long(?P<d>.*)$"), "SPARQL 服务器 {s} 因超时中止了查询{d}"),
    (re.compile(r"^the SPARQL server (?P<s>\S+) refused the request \((?P<c>\d+)\)(?P<d>.*)$"), "SPARQL 服务器 {s} 拒绝了请求（{c}）{d}"),
    (re.compile(r"^the SPARQL server (?P<s>\S+) answered (?P<c>\d+): (?P<d>.*)$"), "SPARQL 服务器 {s} 返回错误 {c}：{d}"),
    (re.compile(r"^the SPARQL server refused the query: (?P<d>.*)$"), "SPARQL 服务器拒绝了该查询：{d}"),
    (re.compile(r"^the SPARQL server (?P<s>\S+) holds no Quanze data: .*$"), "SPARQL 服务器 {s} 中没有 Quanze 数据：请先运行 quanze --store {s} build"),
    (re.compile(r"^the store URL may not hold a user or password: .*$"), "图库地址中不能写用户名或密码：请设置环境变量 QUANZE_STORE_USER 和 QUANZE_STORE_PASSWORD"),
]


def localise(message: str, lang: str) -> str:
    """The message in `lang` (zh: Chinese where known; en: as raised)."""
    if lang != "zh":
        return message
    for pattern, template in _ZH:
        match = pattern.match(message)
        if match:
            return template.format(h=_HEADER, **match.groupdict())
    return message
