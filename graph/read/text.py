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
            raise UnreadableInput(f"{path}: {info.st_size} bytes is over the limit of {limit} bytes for a register")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read ({error.strerror or error})") from error
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise UnreadableInput(f"{path}: over the limit of {limit} bytes for a register")
    return data


def read_text(path: Path) -> str:
    """Read and decode a file (see `decode` and `read_bytes`)."""
    return decode(read_bytes(path), str(path))
