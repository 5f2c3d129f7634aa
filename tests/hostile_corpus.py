"""Hostile register files for `quanze validate FILE`, generated at test time.

Every case is a short id, a description of what it tests and a function that writes the file
into a given directory and returns the path to hand to the CLI (some cases return a directory,
a named pipe, a device or a path that does not exist). Nothing large is committed: the 200 MB
CSV, the 1 GB zip bomb and the million-triple Turtle file are streamed into the directory when
the case runs, and the test removes them afterwards.

Cases that could make the product reach out to the network point at
http://127.0.0.1:<port>, where `port` is a loopback listener owned by the test; the test checks
that nobody connected to it.

`expect` is the set of exit codes a correct product may give (0 conforms, 1 violations,
2 unreadable input); where the right answer is a matter of design it is all three, and the
test still checks the rest (one line on stderr, no traceback, time, memory, no connection).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ANY = frozenset({0, 1, 2})
READ = frozenset({0, 1})
REFUSED = frozenset({2})

NO_ITEMS = r"(?i)\bno\b.*\b(items?|rows?|records?|entries)\b|未找到|没有|无事项|无数据"
"""What the one stderr line must say when a file has a header but yields no items."""

OVER_LIMIT = r"over the limit of [\d,]+ \(QUANZE_MAX_\w+\)"
"""What the one stderr line says when a file crosses one of the limits (README.md, Limits)."""

PASSWD_MARK = "root:x:0:"
"""A line of /etc/passwd: if it shows up in the output, a file:// entity or context was read."""


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    make: Callable[[Path, int], Path]
    """Writes the input into the directory (second argument: the loopback listener's port)."""
    expect: frozenset[int] = ANY
    message: str | None = None
    """A regular expression the stderr line must match when the exit status is 2."""
    forbidden: tuple[str, ...] = ()
    """Text that must not appear on stdout or stderr."""
    argv: str = "absolute"
    """How the path is given: "absolute"; "bare" (its name only, run in its folder);
    "dashdash" (its name after `--`, run in its folder)."""
    slow: bool = False

    def __str__(self) -> str:
        return self.id


CASES: list[Case] = []


def case(id: str, description: str, **options) -> Callable[[Callable[[Path, int], Path]], Callable[[Path, int], Path]]:
    def register(make: Callable[[Path, int], Path]) -> Callable[[Path, int], Path]:
        CASES.append(Case(id, description, make, **options))
        return make

    return register


# --- a well-formed register to start from ---------------------------------------------------

HEADER = ["序号", "权力类型", "事项名称", "事项编码", "实施主体", "实施依据", "责任事项", "追责情形", "风险点数量", "表现形式", "等级", "防控措施", "责任人"]

PENALTY = [
    "1",
    "行政处罚",
    "对定点医药机构骗取医疗保障基金支出的处罚",
    "4105030039B0001",
    "北关区医疗保障局",
    "《中华人民共和国社会保险法》第八十七条",
    "1.立案阶段责任：对涉嫌违法行为依法立案；\n2.调查取证阶段责任：全面、客观、公正地调查，收集证据；\n"
    "3.审核阶段责任：对案件进行法制审核；\n4.告知阶段责任：告知当事人陈述、申辩和要求听证的权利；\n"
    "5.决定阶段责任：制作行政处罚决定书；\n6.送达阶段责任：决定书七日内送达当事人；\n7.执行阶段责任：依法执行处罚决定。",
    "1.没有法律和事实依据实施行政处罚的；\n2.违反法定的行政处罚程序的。",
    "2个",
    "1.对应当立案的案件不立案；\n2.随意行使自由裁量权。",
    "中",
    "1.严格执行立案审批制度；\n2.执行行政处罚自由裁量基准。",
    "科室负责人",
]

BENEFIT = [
    "2",
    "行政给付",
    "医疗保障待遇支付",
    "4105030039E0001",
    "北关区医疗保障局",
    "《中华人民共和国社会保险法》第二十八条",
    "1.受理环节责任：受理待遇申请；\n2.审核环节责任：审核申请材料；\n3.给付环节责任：按规定拨付待遇。",
    "1.对符合法定条件的申请不予受理的。",
    "1个",
    "对符合条件的申请不予受理。",
    "低",
    "实行首问负责和一次性告知制度。",
    "政务窗口受理人",
]

ROWS = [PENALTY, BENEFIT]


def row(number: int, template: list[str] = PENALTY, **changes: str) -> list[str]:
    """A copy of a register row with its 序号 (and item code) set to `number`, and cells changed by column name."""
    cells = list(template)
    cells[0] = str(number)
    cells[3] = cells[3][:-4] + f"{number % 10000:04d}"
    for column, value in changes.items():
        cells[HEADER.index(column)] = value
    return cells


def csv_text(rows: Iterable[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def register_csv(delimiter: str = ",", newline: str = "\n", rows: list[list[str]] | None = None) -> str:
    return csv_text([HEADER, *(ROWS if rows is None else rows)], delimiter, newline)


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def stream(path: Path, chunks: Iterable[bytes]) -> Path:
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


# --- a small XLSX writer (inline strings, enough for openpyxl and Excel) ----------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column(n: int) -> str:
    """Spreadsheet column letters of the 1-based column number n (1 → A, 16384 → XFD)."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_escape(value)}</t></is></c>'


def row_xml(number: int, values: list[str], first_column: int = 1) -> str:
    cells = "".join(cell(f"{column(first_column + i)}{number}", v) for i, v in enumerate(values) if v != "")
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: Iterable[str], head: str = "", tail: str = "", doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f'<worksheet {_NS} xmlns:r="{_RNS}">{head}<sheetData>{"".join(rows)}</sheetData>{tail}</worksheet>'
    )


def register_sheet(rows: list[list[str]] | None = None, **options: str) -> str:
    return sheet_xml((row_xml(n, r) for n, r in enumerate([HEADER, *(ROWS if rows is None else rows)], start=1)), **options)


def workbook_parts(sheet_names: list[str], shared_strings: bool = False) -> dict[str, str]:
    """Every part of a workbook except the sheets (xl/worksheets/sheetN.xml) and shared strings."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheet_names) + 1)
    )
    if shared_strings:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    sheets = "".join(f'<sheet name="{xml_escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheet_names, start=1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_RNS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_names) + 1)
    )
    n = len(sheet_names)
    rels += f'<Relationship Id="rId{n + 1}" Type="{_RNS}/styles" Target="styles.xml"/>'
    if shared_strings:
        rels += f'<Relationship Id="rId{n + 2}" Type="{_RNS}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_RNS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook {_NS} xmlns:r="{_RNS}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
        ),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }


def write_xlsx(path: Path, sheets: list[tuple[str, str]], shared: str | None = None) -> Path:
    """A workbook of (sheet name, sheet XML) pairs, and optionally a shared-strings part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, part in workbook_parts([n for n, _ in sheets], shared is not None).items():
            book.writestr(name, part)
        for i, (_, xml) in enumerate(sheets, start=1):
            book.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", shared)
    return path


def register_xlsx(path: Path, rows: list[list[str]] | None = None) -> Path:
    return write_xlsx(path, [("权责清单", register_sheet(rows))])


def deflate_bomb(prefix: bytes, unit: bytes, copies: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate data of prefix + unit * copies + suffix, its CRC-32 and its size, made
    without compressing the whole: `unit` is compressed once, ending on a full flush (no
    reference to earlier data, byte-aligned), and those bytes are repeated."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = body.compress(unit) + body.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = tail.compress(suffix) + tail.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(copies):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    return start + repeated * copies + end, crc & 0xFFFFFFFF, len(prefix) + len(unit) * copies + len(suffix)


def write_zip_raw(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A ZIP archive of (name, data, method, crc, uncompressed size) members written by hand
    (method 0 stored, 8 deflated), for members zipfile would take minutes to compress."""
    directory = b""
    with path.open("wb") as out:
        for name, data, method, crc, size in members:
            encoded = name.encode()
            offset = out.tell()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, method, 0, 0x21, crc, len(data), size, len(encoded), 0))
            out.write(encoded)
            out.write(data)
            directory += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, method, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset
            ) + encoded
        start = out.tell()
        out.write(directory)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0))
    return path


def stored(name: str, text: str) -> tuple[str, bytes, int, int, int]:
    data = text.encode()
    return name, data, 0, zlib.crc32(data) & 0xFFFFFFFF, len(data)


# ============================================================================================
# controls: well-formed files that must be read, so the hostile cases are measured against a
# product that works at all
# ============================================================================================


@case("control-csv", "well-formed UTF-8 CSV register (two items): must be read", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "control.csv", register_csv())


@case("control-xlsx", "well-formed XLSX written by the corpus's own writer: must be read", expect=READ)
def _(d: Path, port: int) -> Path:
    return register_xlsx(d / "control.xlsx")


@case("control-ttl", "small Turtle file with one qz:PowerItem: must be read", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "control.ttl", TURTLE_ITEM)


TURTLE_ITEM = """@prefix qz: <https://w3id.org/quanze/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/quanze/id/power/410503/4105030039E0001> a qz:PowerItem ;
    rdfs:label "医疗保障待遇支付"@zh ;
    qz:powerType qz:Benefit ;
    qz:itemCode "4105030039E0001" .
"""

# ============================================================================================
# CSV: size
# ============================================================================================


@case("csv-huge-cell", "one 实施依据 cell of 200,019 characters, 600 KB (over the csv module's 131,072 field limit)")
def _(d: Path, port: int) -> Path:
    big = "《中华人民共和国社会保险法》第八十七条" + "依法" * 100_000  # 3 bytes a character
    return write(d / "huge-cell.csv", register_csv(rows=[row(1, 实施依据=big), BENEFIT]))


@case(
    "csv-20k-rows",
    "20,000 well-formed rows (a provincial register merged into one file): over QUANZE_MAX_ROWS, refused early "
    "(validation costs 20-40 ms a row, so 20,000 rows cannot end within 30 s)",
    expect=REFUSED,
    message=OVER_LIMIT,
)
def _(d: Path, port: int) -> Path:
    rows = [row(n, PENALTY if n % 2 else BENEFIT) for n in range(1, 20_001)]
    return write(d / "rows-20000.csv", register_csv(rows=rows))


@case("csv-200mb", "200 MB CSV of well-formed rows, written as a stream", slow=True)
def _(d: Path, port: int) -> Path:
    def chunks() -> Iterator[bytes]:
        size = 0
        yield (written := csv_text([HEADER]).encode())
        size += len(written)
        n = 0
        while size < 200 * 1024 * 1024:
            block = csv_text(row(n + i, PENALTY if (n + i) % 2 else BENEFIT) for i in range(1, 1001)).encode()
            n += 1000
            size += len(block)
            yield block

    return stream(d / "register-200mb.csv", chunks())


@case("csv-10000-columns", "header of the 13 register columns followed by 9,987 extra columns, rows as wide", expect=READ)
def _(d: Path, port: int) -> Path:
    extra = [f"备注{i}" for i in range(1, 9988)]
    return write(d / "columns-10000.csv", csv_text([HEADER + extra, *(r + ["x"] * len(extra) for r in ROWS)]))


@case("csv-million-commas", "after a good header and row, a row of 1,000,000 commas (1,000,001 empty cells)")
def _(d: Path, port: int) -> Path:
    return write(d / "commas.csv", register_csv() + "3,行政检查,对定点医药机构的检查" + "," * 1_000_000 + "\n")


@case("csv-header-million-commas", "the header line itself ends in 1,000,000 commas")
def _(d: Path, port: int) -> Path:
    return write(d / "header-commas.csv", ",".join(HEADER) + "," * 1_000_000 + "\n" + csv_text(ROWS))


@case("long-line-50mb", "one 50 MB line without any newline (no header anywhere)", expect=REFUSED, slow=True)
def _(d: Path, port: int) -> Path:
    return stream(d / "one-line.csv", (b"ABCDEFGH" * 131_072 for _ in range(50)))


@case("csv-unbalanced-quote", "a quote opened in row 1 and never closed: 5 MB of rows inside one field")
def _(d: Path, port: int) -> Path:
    body = csv_text([row(n) for n in range(2, 5000)])
    return write(d / "unbalanced.csv", ",".join(HEADER) + '\n1,行政处罚,"对定点医药机构的处罚,' + body)


# ============================================================================================
# CSV: encodings and characters
# ============================================================================================


@case("utf16le-bom-tab", "Excel 'Unicode text': UTF-16 LE with BOM, tab-separated, CRLF, named .csv", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "unicode-le.csv", codecs.BOM_UTF16_LE + register_csv("\t", "\r\n").encode("utf-16-le"))


@case("utf16be-bom-tab", "UTF-16 BE with BOM, tab-separated, CRLF, named .csv", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "unicode-be.csv", codecs.BOM_UTF16_BE + register_csv("\t", "\r\n").encode("utf-16-be"))


@case("excel-unicode-text-txt", "Excel 'Unicode text' as Excel names it: UTF-16 LE with BOM, tabs, .txt", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "权责清单.txt", codecs.BOM_UTF16_LE + register_csv("\t", "\r\n").encode("utf-16-le"))


@case("utf8-bom", "UTF-8 with BOM (Excel 'CSV UTF-8')", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "bom.csv", codecs.BOM_UTF8 + register_csv().encode())


@case("gbk", "GBK-encoded CSV (Excel 'CSV' on a Chinese Windows)", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "gbk.csv", register_csv(), "gbk")


@case("gb18030-4byte", "GB18030 CSV with characters outside GBK (four-byte sequences: 𠀀, 䶵, €)", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "gb18030.csv", register_csv(rows=[row(1, 责任人="𠀀䶵科室负责人€"), BENEFIT]), "gb18030")


@case("mixed-utf8-gbk", "UTF-8 header and first row, GBK second row")
def _(d: Path, port: int) -> Path:
    return write(d / "mixed.csv", register_csv(rows=[PENALTY]).encode() + csv_text([BENEFIT]).encode("gbk"))


@case("invalid-utf8", "UTF-8 with stray continuation bytes, overlong forms and encoded surrogates inside cells")
def _(d: Path, port: int) -> Path:
    text = register_csv().encode()
    at = text.index("医疗保障待遇支付".encode())
    return write(d / "invalid-utf8.csv", text[:at] + b"\x80\xc0\xaf\xed\xa0\x80\xff" + text[at:])


@case("big5", "Traditional-Chinese register in Big5 (neither UTF-8 nor GBK)")
def _(d: Path, port: int) -> Path:
    traditional = register_csv().replace("处罚", "處罰").replace("医疗保障", "醫療保障").replace("给付", "給付")
    return write(d / "big5.csv", traditional.encode("big5", errors="replace"))


@case("nul-bytes", "NUL bytes inside cells, beyond the first 4 KB")
def _(d: Path, port: int) -> Path:
    rows = [row(n, 实施依据=PENALTY[5] + "\x00\x00" + "说明" * 400) for n in range(1, 4)]
    return write(d / "nul.csv", register_csv(rows=rows))


@case("crlf", "CRLF line endings, also inside quoted cells", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "crlf.csv", register_csv().replace("\n", "\r\n"))


@case("cr-only", "CR-only line endings (classic Mac), also inside quoted cells", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "cr.csv", register_csv().replace("\n", "\r"))


@case("bidi-zero-width-names", "right-to-left override, zero-width space/joiner and BOM characters inside item names", expect=READ)
def _(d: Path, port: int) -> Path:
    rows = [row(1, 事项名称="对定点医药机构\u202e罚处的\u202c骗取\u200b基金\u200d支出\ufeff的处罚"), row(2, BENEFIT, 事项名称="\u2066医疗保障\u2069待遇\u200b支付\u061c")]
    return write(d / "bidi.csv", register_csv(rows=rows))


@case("zero-width-header", "zero-width spaces inside the header names (序\\u200b号, 事项\\u200b名称)")
def _(d: Path, port: int) -> Path:
    header = [h[:1] + "\u200b" + h[1:] for h in HEADER]
    return write(d / "zw-header.csv", csv_text([header, *ROWS]))


@case("formula-injection-csv", "item names that spreadsheets run: =HYPERLINK(loopback), +cmd|, -1+1, @SUM(1+1)", expect=READ)
def _(d: Path, port: int) -> Path:
    names = [
        f'=HYPERLINK("http://127.0.0.1:{port}/leak?x="&A1,"点击查看")',
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(1+1)*cmd|' /C notepad'!A1",
        "\t=1+1",
    ]
    rows = [row(n, PENALTY if n % 2 else BENEFIT, 事项名称=name) for n, name in enumerate(names, start=1)]
    return write(d / "injection.csv", register_csv(rows=rows))


# ============================================================================================
# CSV / text: structure
# ============================================================================================


@case("empty", "a file of zero bytes", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "empty.csv", b"")


@case("header-only", "the header row and nothing else", expect=REFUSED, message=NO_ITEMS)
def _(d: Path, port: int) -> Path:
    return write(d / "header-only.csv", csv_text([HEADER]))


@case("header-blank-rows", "the header, then 200 rows of empty cells (,,,,)", expect=REFUSED, message=NO_ITEMS)
def _(d: Path, port: int) -> Path:
    return write(d / "blank-rows.csv", csv_text([HEADER, *([""] * len(HEADER) for _ in range(200))]))


@case("whitespace-only", "spaces, tabs, newlines and ideographic spaces only", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "blank.csv", " \t\n\r\n   \u3000\u3000\n" * 100)


@case("png-as-csv", "a PNG image (signature and IHDR chunk) named .csv", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return write(d / "scan.csv", png + bytes(range(256)) * 64)


@case("header-after-junk", "100 rows of junk (title lines, notes, stray numbers) before the header row")
def _(d: Path, port: int) -> Path:
    junk = [[f"附注第{n}行：本清单所列事项以最新公布为准", str(n * 7), "", "x" * (n % 13)] for n in range(1, 101)]
    return write(d / "late-header.csv", csv_text([*junk, HEADER, *ROWS]))


@case("tsv-random-bytes", "1 MB of random bytes (seeded) named .tsv", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "noise.tsv", random.Random(11).randbytes(1 << 20))


@case("ocr-repetition-loop", "seed-like text layout (tab table under a ## title) whose 责任事项 cell repeats one phrase 100,000 times", expect=READ)
def _(d: Path, port: int) -> Path:
    header = "序号\t事项名称\t子项名称\t权力类型\t行使主体\t实施依据\t责任事项内容\t追责情形\t备注"
    loop = "依法立案并调查取证，" * 100_000
    first = f"1\t对定点医药机构骗取医疗保障基金支出的处罚\t\t行政处罚\t瓜州县医疗保障局\t《中华人民共和国社会保险法》第八十七条\t{loop}\t违反法定程序的\t"
    second = "2\t医疗保障待遇支付\t\t行政给付\t瓜州县医疗保障局\t《中华人民共和国社会保险法》第二十八条\t1.受理环节责任：受理申请\t不予受理的\t"
    return write(d / "ocr-loop.txt", f"## 瓜州县医疗保障局权责清单\n\n{header}\n{first}\n{second}\n")


# ============================================================================================
# XLSX
# ============================================================================================


@case("xlsx-zip-bomb", "an XLSX of 3 MB whose sheet XML inflates to 1.1 GB of identical rows", slow=True)
def _(d: Path, port: int) -> Path:
    head = register_sheet().encode()
    cut = head.index(b"</sheetData>")
    unit = ('<row><c t="inlineStr"><is><t>重复</t></is></c></row>' * 20_000).encode()
    data, crc, size = deflate_bomb(head[:cut], unit, (1100 << 20) // len(unit), head[cut:])
    members = [stored(n, p) for n, p in workbook_parts(["Sheet1"]).items()]
    return write_zip_raw(d / "bomb.xlsx", [*members, ("xl/worksheets/sheet1.xml", data, 8, crc, size)])


@case("xlsx-huge-shared-strings", "shared-strings part of 300,000 unique strings plus one of 20 MB; the cells use shared strings", expect=READ)
def _(d: Path, port: int) -> Path:
    strings = [*HEADER, *PENALTY, *BENEFIT, "无" * 7_000_000, *(f"填充字符串{i}" for i in range(300_000))]
    shared = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f'<si><t xml:space="preserve">{xml_escape(s)}</t></si>' for s in strings)
        + "</sst>"
    )
    rows = []
    for r in range(3):
        cells = "".join(f'<c r="{column(c + 1)}{r + 1}" t="s"><v>{r * len(HEADER) + c}</v></c>' for c in range(len(HEADER)))
        rows.append(f'<row r="{r + 1}">{cells}</row>')
    return write_xlsx(d / "shared.xlsx", [("Sheet1", sheet_xml(rows))], shared)


@case("xlsx-1000-sheets", "1,000 sheets, each with the header and one item", expect=READ, slow=True)
def _(d: Path, port: int) -> Path:
    sheets = [(f"第{i}页", register_sheet([row(i, PENALTY if i % 2 else BENEFIT)])) for i in range(1, 1001)]
    return write_xlsx(d / "sheets-1000.xlsx", sheets)


@case("xlsx-16384-columns", "header and rows filled out to column XFD (16,384 columns, Excel's maximum)", expect=READ)
def _(d: Path, port: int) -> Path:
    width = 16_384 - len(HEADER)
    rows = [row_xml(1, HEADER + [f"列{i}" for i in range(width)])]
    rows += [row_xml(n, r + ["x"] * width) for n, r in enumerate(ROWS, start=2)]
    return write_xlsx(d / "cols-16384.xlsx", [("Sheet1", sheet_xml(rows))])


@case("xlsx-far-cell", "a good register in A1:M3 and one stray cell at XFD1048576 (the last cell of a sheet)")
def _(d: Path, port: int) -> Path:
    return write_xlsx(d / "far-cell.xlsx", [("Sheet1", register_sheet().replace("</sheetData>", '<row r="1048576">' + cell("XFD1048576", "x") + "</row></sheetData>"))])


@case("xlsx-merged-cell-bomb", "a good register and one merged range A4:XFD1048576 (17 billion cells)")
def _(d: Path, port: int) -> Path:
    return write_xlsx(d / "merged.xlsx", [("Sheet1", register_sheet(tail='<mergeCells count="1"><mergeCell ref="A4:XFD1048576"/></mergeCells>'))])


@case("xlsx-dimension-lie", "a good register whose <dimension> claims A1:XFD1048576", expect=READ)
def _(d: Path, port: int) -> Path:
    return write_xlsx(d / "dimension.xlsx", [("Sheet1", register_sheet(head='<dimension ref="A1:XFD1048576"/>'))])


@case("xlsx-renamed-text", "a plain-text letter renamed to .xlsx", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "letter.xlsx", "关于报送权责清单的函\n\n各科室：请于本周内报送。\n" * 20)


@case("xlsx-renamed-csv-pk", "a text file beginning with the letters PK, renamed to .xlsx", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "pk.xlsx", "PK 序号,事项名称\n1,医疗保障待遇支付\n")


@case("xlsx-truncated", "a good XLSX cut off at 60 % of its bytes (no central directory)", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = register_xlsx(d / "truncated.xlsx")
    data = path.read_bytes()
    return write(path, data[: len(data) * 6 // 10])


@case("xlsx-corrupt-deflate", "a good XLSX whose sheet's compressed bytes are overwritten with noise (directory intact)", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = register_xlsx(d / "corrupt.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    noise = random.Random(5).randbytes(info.compress_size)
    data[start : start + info.compress_size] = noise
    return write(path, bytes(data))


@case("xlsx-no-workbook", "a valid ZIP archive without any workbook part, named .xlsx", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = d / "not-a-book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "这不是工作簿")
    return path


@case("xlsx-ole2", "a legacy/encrypted Office compound file (D0 CF 11 E0 signature) named .xlsx", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "legacy.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + random.Random(3).randbytes(4096))


@case("xlsx-no-style-no-header", "a workbook without a default cell style (library warnings on stderr) and no header row", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = d / "no-style.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, part in workbook_parts(["Sheet1"]).items():
            book.writestr(name, part.replace("<cellStyles", "<!--").replace("</cellStyles>", "-->"))
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml([row_xml(1, ["名称", "数量"]), row_xml(2, ["苹果", "3"])]))
    return path


@case("xlsx-formula-no-cache", "name and type cells are formulas with no cached value (a workbook saved by a library, never opened in Excel)")
def _(d: Path, port: int) -> Path:
    def formula_row(number: int, values: list[str]) -> str:
        cells = []
        for i, value in enumerate(values):
            ref = f"{column(i + 1)}{number}"
            if HEADER[i] in ("事项名称", "权力类型", "序号"):
                cells.append(f'<c r="{ref}"><f>CONCATENATE("{value[:2]}","{value[2:]}")</f></c>')
            else:
                cells.append(cell(ref, value))
        return f'<row r="{number}">{"".join(cells)}</row>'

    rows = [row_xml(1, HEADER), *(formula_row(n, r) for n, r in enumerate(ROWS, start=2))]
    return write_xlsx(d / "formulas.xlsx", [("Sheet1", sheet_xml(rows))])


@case("xlsx-formula-injection", "item names that are formula text (=HYPERLINK to loopback, +cmd|, -1+1, @SUM) and a real HYPERLINK formula cell", expect=READ)
def _(d: Path, port: int) -> Path:
    names = [f'=HYPERLINK("http://127.0.0.1:{port}/x","点击")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)"]
    rows = [row(n, PENALTY if n % 2 else BENEFIT, 事项名称=name) for n, name in enumerate(names, start=1)]
    sheet = register_sheet(rows).replace(
        "</sheetData>",
        f'<row r="9"><c r="N9" t="str"><f>HYPERLINK("http://127.0.0.1:{port}/f","x")</f><v>x</v></c></row></sheetData>',
    )
    return write_xlsx(d / "injection.xlsx", [("Sheet1", sheet)])


@case("xlsx-xxe-http", "sheet XML with a DOCTYPE: external DTD and external entity on the loopback listener")
def _(d: Path, port: int) -> Path:
    doctype = f'<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:{port}/sheet.dtd" [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/xxe">]>\n'
    sheet = register_sheet(doctype=doctype).replace("医疗保障待遇支付", "医疗保障待遇支付&xxe;")
    return write_xlsx(d / "xxe-http.xlsx", [("Sheet1", sheet)])


@case("xlsx-xxe-file", "sheet XML whose item name is an external entity for file:///etc/passwd", forbidden=(PASSWD_MARK,))
def _(d: Path, port: int) -> Path:
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    sheet = register_sheet(doctype=doctype).replace("医疗保障待遇支付", "&xxe;")
    return write_xlsx(d / "xxe-file.xlsx", [("Sheet1", sheet)])


@case("xlsx-billion-laughs", "shared-strings part with nested entity definitions (billion laughs, 10^9 expansions)")
def _(d: Path, port: int) -> Path:
    shared = '<?xml version="1.0" encoding="UTF-8"?>\n' + LAUGHS_DTD.replace("ROOT", "sst") + f'<sst {_NS}><si><t>&lol9;</t></si><si><t>事项名称</t></si></sst>'
    sheet = register_sheet().replace(cell("C2", PENALTY[2]), '<c r="C2" t="s"><v>0</v></c>')
    return write_xlsx(d / "laughs.xlsx", [("Sheet1", sheet)], shared)


LAUGHS_DTD = '<!DOCTYPE ROOT [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
) + "]>\n"

# ============================================================================================
# RDF: XML, JSON-LD, Turtle
# ============================================================================================

QZ = "https://w3id.org/quanze/ontology#"
RDFXML_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    f'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:qz="{QZ}">'
)


@case("rdfxml-billion-laughs", "RDF/XML with nested entities expanding to 10^9 'lol's", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    body = f'{RDFXML_HEAD}<qz:PowerItem rdf:about="urn:x:1"><rdfs:label>&lol9;</rdfs:label></qz:PowerItem></rdf:RDF>'
    return write(d / "laughs.rdf", '<?xml version="1.0"?>\n' + LAUGHS_DTD.replace("ROOT", "rdf:RDF") + body)


@case("rdfxml-xxe-file", "RDF/XML whose item label is an external entity for file:///etc/passwd", forbidden=(PASSWD_MARK,))
def _(d: Path, port: int) -> Path:
    doctype = '<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    body = f'{RDFXML_HEAD}<qz:PowerItem rdf:about="urn:x:1"><rdfs:label>&xxe;</rdfs:label></qz:PowerItem></rdf:RDF>'
    return write(d / "xxe-file.rdf", '<?xml version="1.0"?>\n' + doctype + body)


@case("rdfxml-xxe-http", "RDF/XML with an external DTD and an external entity on the loopback listener")
def _(d: Path, port: int) -> Path:
    doctype = f'<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:{port}/rdf.dtd" [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/xxe">]>\n'
    body = f'{RDFXML_HEAD}<qz:PowerItem rdf:about="urn:x:1"><rdfs:label>名称&xxe;</rdfs:label></qz:PowerItem></rdf:RDF>'
    return write(d / "xxe-http.rdf", '<?xml version="1.0"?>\n' + doctype + body)


@case("jsonld-remote-context", "JSON-LD whose @context is a URL on the loopback listener (must not be fetched)")
def _(d: Path, port: int) -> Path:
    doc = (
        f'{{"@context": "http://127.0.0.1:{port}/context.jsonld", "@id": "urn:x:1", '
        f'"@type": "{QZ}PowerItem", "{QZ}itemCode": "4105030039E0001", "label": "医疗保障待遇支付"}}'
    )
    return write(d / "remote-context.jsonld", doc)


@case("jsonld-file-context", "JSON-LD whose @context is file:///etc/passwd", forbidden=(PASSWD_MARK,))
def _(d: Path, port: int) -> Path:
    doc = f'{{"@context": ["file:///etc/passwd"], "@id": "urn:x:1", "@type": "{QZ}PowerItem", "label": "x"}}'
    return write(d / "file-context.jsonld", doc)


@case("jsonld-deep-nesting", "JSON-LD with 100,000 nested arrays", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "deep.jsonld", '{"@id": "urn:x:1", "urn:p": ' + "[" * 100_000 + "]" * 100_000 + "}")


@case("json-not-jsonld", "a .json file that is a plain JSON array of numbers", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "numbers.json", "[1, 2, 3]")


@case("ttl-1m-triples", "Turtle of 1,000,000 triples (one item, 999,995 label triples), streamed", slow=True)
def _(d: Path, port: int) -> Path:
    def chunks() -> Iterator[bytes]:
        yield TURTLE_ITEM.encode()
        for start in range(0, 999_995, 5_000):
            yield "".join(f'<urn:x:n{i}> <urn:x:p> "值{i}" .\n' for i in range(start, min(start + 5_000, 999_995))).encode()

    return stream(d / "million.ttl", chunks())


@case("ttl-deep-brackets", "Turtle with 100,000 nested blank-node brackets [ :p [ :p … ] ]", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "deep.ttl", "@prefix : <urn:x:> .\n:a :p " + "[ :p " * 100_000 + ":b" + " ]" * 100_000 + " .\n")


@case("ttl-deep-collections", "Turtle with 100,000 nested collections ( ( ( … ) ) )", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "deep-list.ttl", "@prefix : <urn:x:> .\n:a :p " + "(" * 100_000 + ":b" + ")" * 100_000 + " .\n")


@case(
    "ttl-owl-imports",
    "Turtle with one item and owl:imports of an ontology on the loopback listener (must not be fetched; refused, as graph/read/rdf.py documents)",
    expect=REFUSED,
    message="owl:imports",
)
def _(d: Path, port: int) -> Path:
    return write(
        d / "imports.ttl",
        f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<urn:x:onto> a owl:Ontology ; owl:imports <http://127.0.0.1:{port}/onto.ttl> .\n"
        + TURTLE_ITEM,
    )


@case("ttl-syntax-error", "Turtle cut off in the middle of a statement", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "broken.ttl", TURTLE_ITEM[: len(TURTLE_ITEM) // 2])


# ============================================================================================
# the file system: things that are not regular files, and odd names
# ============================================================================================


@case("directory", "a directory named like a register", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = d / "清单.csv"
    path.mkdir()
    return path


@case("fifo", "a named pipe with no writer (must not hang)", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    path = d / "pipe.csv"
    os.mkfifo(path)
    return path


@case("symlink-to-fifo", "a symbolic link named .csv pointing at a named pipe (must not hang)", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    os.mkfifo(d / "pipe")
    (d / "link.csv").symlink_to(d / "pipe")
    return d / "link.csv"


@case("dev-zero", "/dev/zero: endless zero bytes", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return Path("/dev/zero")


@case("symlink-to-dev-zero", "a symbolic link named .csv pointing at /dev/zero", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    (d / "zero.csv").symlink_to("/dev/zero")
    return d / "zero.csv"


@case("nonexistent", "a path that does not exist", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return d / "不存在.csv"


@case("symlink-loop", "a.csv → b.csv → a.csv", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    (d / "a.csv").symlink_to(d / "b.csv")
    (d / "b.csv").symlink_to(d / "a.csv")
    return d / "a.csv"


@case("name-spaces-chinese", "a good register named with spaces, Chinese and full-width brackets", expect=READ)
def _(d: Path, port: int) -> Path:
    return write(d / "北关区 医保局 权责清单（2024 版）.csv", register_csv())


@case("name-leading-dash", "a good register named -rf.csv, given bare as `quanze validate -rf.csv`", argv="bare")
def _(d: Path, port: int) -> Path:
    return write(d / "-rf.csv", register_csv())


@case("name-leading-dash-after-ddash", "a good register named -rf.csv, given as `quanze validate -- -rf.csv`", expect=READ, argv="dashdash")
def _(d: Path, port: int) -> Path:
    return write(d / "-rf.csv", register_csv())


@case("name-with-newline", "an empty file whose name contains a newline (the error line must stay one line)", expect=REFUSED)
def _(d: Path, port: int) -> Path:
    return write(d / "bad\nname.csv", b"")


CASES_BY_ID = {c.id: c for c in CASES}
assert len(CASES_BY_ID) == len(CASES), "case ids must be unique"
