"""Decode a register file's bytes into text, refusing what is not text.

Chinese registers arrive as UTF-8 (with or without BOM) or as GBK/GB18030 exports from Excel;
binary or empty input must fail with one clear message, not a traceback.
"""

from __future__ import annotations

from pathlib import Path


class UnreadableInput(ValueError):
    """The input cannot be read as a register (empty, binary, unknown encoding)."""


def decode(data: bytes, name: str = "<input>") -> str:
    """Return the text of `data`, trying UTF-8 (BOM or not) and then GB18030."""
    if not data.strip():
        raise UnreadableInput(f"{name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise UnreadableInput(f"{name}: the file is binary, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UnreadableInput(f"{name}: the text is neither UTF-8 nor GBK/GB18030")


def read_text(path: Path) -> str:
    """Read and decode a file (see `decode`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableInput(f"{path}: {error.strerror or error}") from error
    return decode(data, str(path))
