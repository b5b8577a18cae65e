"""Extractors: one module per input shape, each ``extract(path) -> SourceDoc``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from converter.errors import SourceUnreadable
from converter.model import SourceDoc

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIXES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": DOCX,
    ".pdf": "application/pdf",
    # read through LibreOffice (converter/extract/office.py)
    ".doc": "application/msword",
    ".wps": "application/vnd.ms-works",  # WPS Office's own .wps is a Word-compatible OLE file
    ".rtf": "application/rtf",
    ".odt": "application/vnd.oasis.opendocument.text",
    # page scans, read by OCR (converter/extract/ocr.py)
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
OFFICE = (".doc", ".wps", ".rtf", ".odt")


def extract(path: Path) -> SourceDoc:
    """Read any supported file into lines of text.

    :raises SourceUnreadable: unknown type, unreadable, empty or undecodable file.
    """
    suffix = path.suffix.lower()
    media_type = SUFFIXES.get(suffix)
    if media_type == "text/html":
        from converter.extract.html import extract_html

        return extract_html(path)
    if media_type == DOCX:
        from converter.extract.docx import extract_docx

        return extract_docx(path)
    if suffix in OFFICE:
        from converter.extract.office import extract_office

        return extract_office(path)
    if media_type is not None and media_type.startswith("image/"):
        from converter.extract.ocr import extract_image

        return extract_image(path)
    if media_type == "application/pdf":
        from converter.extract.pdf import extract_pdf

        return extract_pdf(path)
    if media_type is not None:
        from converter.extract.text import extract_text

        return extract_text(path)
    supported = ", ".join(sorted(SUFFIXES))
    raise SourceUnreadable(path, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}")


def read_bytes(path: Path) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256.

    :raises SourceUnreadable: the file cannot be read or is empty.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceUnreadable(path, f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise SourceUnreadable(path, "file is empty")
    return data, hashlib.sha256(data).hexdigest()
