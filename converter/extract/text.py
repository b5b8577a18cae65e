"""Plain text (crawled pages, text extracted from Word or PDF): decode and split into lines."""

from __future__ import annotations

from pathlib import Path

from converter.errors import SourceUnreadable
from converter.extract import SUFFIXES, read_bytes
from converter.model import SourceDoc

ENCODINGS = ("utf-8-sig", "gb18030")


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else GB18030.

    :raises UnicodeDecodeError: neither encoding fits, or the bytes look binary.

    >>> decode("表三".encode("gb18030"))
    '表三'
    """
    if b"\x00" in data[:4096]:
        raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "NUL bytes: a binary file, not text")
    last: UnicodeDecodeError | None = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    raise last


def extract_text(path: Path) -> SourceDoc:
    data, digest = read_bytes(path)
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        raise SourceUnreadable(path, f"cannot decode as UTF-8 or GB18030 ({exc.reason})") from None
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    media_type = SUFFIXES.get(path.suffix.lower(), "text/plain")
    return SourceDoc(path=path, sha256=digest, media_type=media_type, lines=lines)
