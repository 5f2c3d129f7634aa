"""Decode a register file's bytes into text, refusing what is not text.

Chinese registers arrive as UTF-8 (with or without BOM) or as GBK/GB18030 exports from Excel;
binary or empty input must fail with one clear message, not a traceback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest register file read (QUANZE_MAX_FILE_BYTES overrides): a county's register is a few hundred KB."""


class UnreadableInput(ValueError):
    """The input cannot be read as a register (empty, binary, unknown encoding)."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
"""Byte-order marks, longest first (UTF-32 LE begins like UTF-16 LE)."""


def decode(data: bytes, name: str = "<input>") -> str:
    """Return the text of `data`: UTF-8/16/32 by their byte-order mark, UTF-16 without one
    where its zero bytes give it away (Excel's "Unicode text"), else UTF-8 and then GB18030."""
    if not data.strip():
        raise UnreadableInput(f"{name}: the file is empty")
    text = _unicode(data)
    if text is None:
        if b"\x00" in data[:4096]:
            raise UnreadableInput(f"{name}: the file is binary, not text")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            break
        else:
            raise UnreadableInput(f"{name}: the text is neither UTF-8 nor GBK/GB18030 (nor UTF-16 with a byte-order mark)")
    if not text.strip():
        raise UnreadableInput(f"{name}: the file is empty")
    if "\x00" in text:
        raise UnreadableInput(f"{name}: the file is binary, not text (it holds NUL characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unicode(data: bytes) -> str | None:
    """The text of UTF-8/16/32 with a byte-order mark, or of UTF-16 without one; None if it is neither."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if encoding == "utf-8-sig" or _plausible(text) else None
    head = data[: 4096 - 4096 % 2]
    if len(data) % 2 == 0 and len(head) >= 4:
        for encoding, high, low in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
            # ASCII in UTF-16 has a zero high byte; CJK characters have none. A register has
            # some ASCII (digits, commas, tabs, newlines) and no zero low bytes at all.
            if high.count(0) * 20 >= len(high) and low.count(0) == 0:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if _plausible(text):
                    return text
    return None


def _plausible(text: str) -> bool:
    """Whether decoded UTF-16/32 looks like a register: mostly ASCII, CJK and their punctuation."""
    sample = text[:2048].lstrip("\ufeff")
    if not sample:
        return False
    usual = sum(
        1
        for c in sample
        if c in "\t\n\r" or " " <= c <= "~" or "\u3000" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"
        or "\u2000" <= c <= "\u206f" or "\u2460" <= c <= "\u24ff" or "\u3400" <= c <= "\u4dbf"
    )
    return usual >= 0.9 * len(sample)


def max_file_bytes() -> int:
    value = os.environ.get("QUANZE_MAX_FILE_BYTES", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_FILE_BYTES


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing directories, pipes, devices and files over the limit.

    The file is opened without blocking and checked with fstat before a byte is read, so a
    FIFO or /dev/zero named as a register ends at once with one line instead of hanging.
    """
    limit = limit or max_file_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{path}: is a directory, not a register file") from None
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot open ({error.strerror or error})") from error
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableInput(f"{path}: is a directory, not a register file")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableInput(f"{path}: is not a regular file (a pipe, socket or device)")
        if info.st_size > limit:
            raise UnreadableInput(f"{path}: the size in bytes ({info.st_size:,}) is over the limit of {limit:,} (QUANZE_MAX_FILE_BYTES); 超出限制")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read ({error.strerror or error})") from error
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise UnreadableInput(f"{path}: the size in bytes is over the limit of {limit:,} (QUANZE_MAX_FILE_BYTES); 超出限制")
    return data


def read_text(path: Path) -> str:
    """Read and decode a file (see `decode` and `read_bytes`)."""
    return decode(read_bytes(path), str(path))
