"""Look inside an XLSX archive before any spreadsheet library opens it.

An XLSX file is a ZIP archive of XML parts. Before openpyxl sees it, the archive is checked
against the limits of graph/read/limits.py: the number of members, the total uncompressed
size (declared, and counted again while inflating, so neither a zip bomb nor a lying header
gets through), the number of sheets; every part is inflated once, in chunks, and refused if
it holds a DOCTYPE or ENTITY declaration (no external entity, no entity expansion; a sheet may
sit at any path, so no part is skipped), and an XML part if it is not UTF-8. Corrupt compressed data, bad CRCs and unsupported compression end here with one
line. What the scan learns that openpyxl's streaming reader does not give — merged ranges,
and whether any cell holds a formula — is returned for the reader.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from quanze.graph.read.limits import ZIP_MEMBERS, OverLimit, limit, over
from quanze.graph.read.text import UnreadableInput

_CHUNK = 1 << 20
_OVERLAP = 512
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}\d{1,7})(?::([A-Za-z]{1,3}\d{1,7}))?[\"']")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d{1,7})$")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass
class Scan:
    """What the archive holds that the reader needs: per worksheet part, its merged ranges."""

    merged: dict[str, set[tuple[int, int, int, int]]] = field(default_factory=dict)
    """Worksheet part name → merged ranges as (min_row, min_col, max_row, max_col), 1-based."""
    formulas: bool = False


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column) of a cell reference such as "XFD1048576"."""
    match = _CELL_REF.match(ref)
    if not match:
        raise ValueError(ref)
    col = 0
    for letter in match.group(1).upper():
        col = col * 26 + ord(letter) - 64
    return int(match.group(2)), col


def scan_xlsx(data: bytes, file: str) -> Scan:
    """Check the archive within the limits; UnreadableInput (OverLimit) with one line if not."""
    if not data.startswith(b"PK"):
        raise UnreadableInput(f"{file}: not an XLSX workbook")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise UnreadableInput(f"{file}: not a readable XLSX workbook ({error})") from error
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MEMBERS:
            raise OverLimit(f"{file}: the workbook archive has {len(members):,} parts, over the limit of {ZIP_MEMBERS:,}; 超出限制")
        budget = limit("QUANZE_MAX_XLSX_BYTES")
        declared = sum(m.file_size for m in members)
        if declared > budget:
            raise over(file, "the workbook's uncompressed size in bytes", "QUANZE_MAX_XLSX_BYTES", declared)
        sheets = [m for m in members if _is_worksheet(m.filename)]
        if len(sheets) > limit("QUANZE_MAX_SHEETS"):
            raise over(file, "the number of sheets", "QUANZE_MAX_SHEETS", len(sheets))
        scan = Scan()
        inflated = 0
        for member in members:  # every part: a sheet may sit at any path its relationships name
            inflated += _scan_member(archive, member, file, scan, budget - inflated)
    return scan


def _is_worksheet(name: str) -> bool:
    name = name.lower().lstrip("/")
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, file: str, scan: Scan, budget: int) -> int:
    """Inflate one XML part in chunks, checking it; returns its size."""
    worksheet = _is_worksheet(member.filename)
    xml = member.filename.lower().endswith(_XML_SUFFIXES)
    merged: set[tuple[int, int, int, int]] = set()
    size = 0
    tail = b""
    try:
        with archive.open(member) as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    break
                if size == 0 and xml and (chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:64]):
                    raise UnreadableInput(f"{file}: the XLSX part {member.filename} is not UTF-8 XML")
                size += len(chunk)
                if size > budget:
                    raise over(file, "the workbook's uncompressed size in bytes", "QUANZE_MAX_XLSX_BYTES")
                window = tail + chunk
                declaration = _DECLARATION.search(window)
                if declaration:
                    kind = declaration.group(1).decode().upper()
                    raise UnreadableInput(f"{file}: the XLSX part {member.filename} has a {kind} declaration, which is refused (no DTD, no entities)")
                if worksheet:
                    if not scan.formulas and _FORMULA.search(window):
                        scan.formulas = True
                    for match in _MERGE.finditer(window):
                        merged.add(_range(match))
                        if len(merged) > limit("QUANZE_MAX_XLSX_CELLS"):
                            raise over(file, "the number of merged ranges", "QUANZE_MAX_XLSX_CELLS")
                tail = window[-_OVERLAP:]
    except UnreadableInput:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as error:
        raise UnreadableInput(f"{file}: not a readable XLSX workbook ({member.filename}: {type(error).__name__}: {error})") from error
    if worksheet:
        scan.merged[member.filename.lstrip("/")] = merged
    return size


def _range(match: re.Match[bytes]) -> tuple[int, int, int, int]:
    first = cell_position(match.group(1).decode())
    last = cell_position(match.group(2).decode()) if match.group(2) else first
    return min(first[0], last[0]), min(first[1], last[1]), max(first[0], last[0]), max(first[1], last[1])
