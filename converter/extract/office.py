"""Old Word (.doc), WPS (.wps), RTF and OpenDocument (.odt) files, read through LibreOffice.

The file is converted to .docx by LibreOffice headless in a throw-away folder (with its own
throw-away profile, so that parallel workers and a user's running LibreOffice never meet), under a
time limit (the whole process group is killed when it runs out), and the .docx is read by the DOCX
reader. The ``SourceDoc`` keeps the ORIGINAL file's path, SHA-256 and media type, and carries a
``converted-by-libreoffice`` note.

The bytes decide, not the suffix: what government sites publish as ``.doc`` is often a .docx (a
ZIP), a web page saved by Word (HTML, or MHT: one MIME message holding the page), or RTF. A .docx
or HTML page is read by its own reader without LibreOffice; MHT has its page taken out first.

Settings (read at each call, so that worker processes inherit them):

- ``GONGKAI_SOFFICE``: the LibreOffice binary (default: ``soffice`` on the PATH);
- ``GONGKAI_OFFICE_TIMEOUT``: the time limit of one conversion in seconds (default 60).
"""

from __future__ import annotations

import contextlib
import dataclasses
import email
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from converter.errors import Issue, Severity, SourceUnreadable
from converter.extract import SUFFIXES, read_bytes
from converter.extract.docx import extract_docx
from converter.extract.html import extract_html
from converter.extract.text import extract_text
from converter.model import SourceDoc

SOFFICE_ENV = "GONGKAI_SOFFICE"
TIMEOUT_ENV = "GONGKAI_OFFICE_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
INSTALL_HINT = "install it (Debian: apt-get install libreoffice-writer-nogui)"

MSWORD = "application/msword"
RTF = "application/rtf"
ODT = "application/vnd.oasis.opendocument.text"
WORD_XML = "application/xml"  # Word 2003 XML (WordprocessingML), often saved as .doc

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")  # a stream of a password-protected .docx
_HTML_START = re.compile(
    rb"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|table|p|div)\b", re.I | re.S
)
_MHT_START = re.compile(rb"\s*(mime-version|from|date|subject|content-type|content-location|x-[\w-]+)\s*:", re.I)
_APPLICATION = re.compile(r"<Application>LibreOffice/(\d+\.\d+)")


def sniff(data: bytes) -> str:
    """What the bytes are: ``ole`` (.doc, .wps, .xls…), ``docx``, ``zip`` (ODT or other), ``rtf``,
    ``wordxml`` (Word 2003 XML), ``html``, ``mht`` or ``text``; ``unknown`` for anything else.

    >>> sniff(b"{\\\\rtf1\\\\ansi hello}"), sniff(b"\\xef\\xbb\\xbf<!DOCTYPE html><html>"), sniff(b"\\x00\\x01")
    ('rtf', 'html', 'unknown')
    """
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] and b"[Content_Types].xml" in data else "zip"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.lstrip().startswith(b"<?xml") and re.search(rb"Word\.Document|<w:wordDocument", head):
        return "wordxml"
    if _HTML_START.match(head):
        return "html"
    if _MHT_START.match(head) and re.search(rb"content-type:\s*multipart/related", head, re.I):
        return "mht"
    if b"\x00" not in head and _decodes(head):
        return "text"
    return "unknown"


def _decodes(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 4 KiB window
                return True
        else:
            return True
    return False


def extract_office(path: Path, timeout: float | None = None) -> SourceDoc:
    """Read a .doc, .wps, .rtf or .odt file (or a .docx that is really an old .doc).

    :raises SourceUnreadable: not one of these formats, LibreOffice missing, failing or too slow,
        or the converted document has no text.
    """
    data, digest = read_bytes(path)
    kind = sniff(data)
    suffix = path.suffix.lower()
    if kind == "docx":
        return extract_docx(path)
    if kind == "html":
        return extract_html(path)
    if kind == "mht":
        return _extract_mht(path, data, digest)
    if kind == "text":
        return dataclasses.replace(extract_text(path), media_type="text/plain")
    if kind == "unknown":
        raise SourceUnreadable(
            path, f"not a {_format_name(suffix)} file (its bytes are no Word, WPS, RTF, ODT, HTML or text document)"
        )
    if kind == "ole" and _ENCRYPTED_OOXML in data:
        raise SourceUnreadable(path, "the document is password-protected; save an unprotected copy as .docx")
    media_type = _media_type(kind, suffix)
    with tempfile.TemporaryDirectory(prefix="gongkai-office-") as folder:
        converted = convert_to_docx(path, Path(folder), _copy_suffix(kind), timeout)
        version = _libreoffice_version(converted)
        try:
            doc = extract_docx(converted)
        except SourceUnreadable as exc:
            raise SourceUnreadable(path, f"converted by LibreOffice, but {exc.reason}") from None
    note = Issue(
        "converted-by-libreoffice",
        Severity.INFO,
        f"{path.name} was converted to .docx by LibreOffice{f' {version}' if version else ''} before it was read",
    )
    return dataclasses.replace(doc, path=path, sha256=digest, media_type=media_type, issues=(*doc.issues, note))


def convert_to_docx(path: Path, folder: Path, suffix: str, timeout: float | None = None) -> Path:
    """Convert ``path`` to a .docx in ``folder`` with LibreOffice headless; the .docx's path.

    The file is copied first as ``source{suffix}`` (the suffix tells LibreOffice's filter detection
    what the bytes are; the fixed name spares it odd file names).

    :raises SourceUnreadable: LibreOffice is not installed, fails, produces nothing or runs out of time.
    """
    binary = soffice_binary()
    if binary is None:
        raise SourceUnreadable(path, f"{_needs(path)}: {INSTALL_HINT} or save the file as .docx")
    limit = timeout if timeout is not None else office_timeout()
    source = folder / f"source{suffix}"
    shutil.copyfile(path, source)
    out = folder / "out"
    command = [
        binary,
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(out),
        str(source),
    ]
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=folder,
            start_new_session=True,  # its own process group, killed whole on time-out
        )
    except OSError as exc:  # not found, not executable
        raise SourceUnreadable(
            path,
            f"{_needs(path)} ({binary}: {exc.strerror or exc}): {INSTALL_HINT} or save the file as .docx",
        ) from None
    try:
        stdout, stderr = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise SourceUnreadable(
            path,
            f"LibreOffice did not convert the file within the time limit of {limit:g} s ({TIMEOUT_ENV}); "
            "save it as .docx",
        ) from None
    converted = out / "source.docx"
    if not converted.is_file() or converted.stat().st_size == 0:
        said = _last_line(stderr) or _last_line(stdout) or f"exit status {proc.returncode}"
        raise SourceUnreadable(path, f"LibreOffice could not convert the file ({said}); save it as .docx")
    return converted


def _needs(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "an old Word .doc named .docx: needs LibreOffice to read it"
    return f"needs LibreOffice to read {suffix or 'such'} files"


def soffice_binary() -> str | None:
    """The LibreOffice binary to run, or ``None`` when there is none."""
    named = os.environ.get(SOFFICE_ENV, "").strip()
    if named:
        return shutil.which(named)  # a path is checked for being an executable file
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def office_timeout() -> float:
    """The time limit of one conversion (``GONGKAI_OFFICE_TIMEOUT``, else 60 s)."""
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        limit = float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return limit if limit > 0 else DEFAULT_TIMEOUT


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:  # a grandchild left the group and holds the pipes: stop waiting
        proc.kill()
        proc.wait()


def _last_line(output: bytes) -> str:
    lines = [
        line.strip()
        for line in output.decode("utf-8", "replace").splitlines()
        if line.strip() and "javaldx" not in line  # a harmless warning of every run without Java
    ]
    return lines[-1][:200] if lines else ""


def _libreoffice_version(docx: Path) -> str | None:
    """The LibreOffice version that wrote the .docx (``7.4``), from its docProps/app.xml."""
    try:
        with zipfile.ZipFile(docx) as package:
            app = package.read("docProps/app.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    match = _APPLICATION.search(app)
    return match.group(1) if match else None


def _media_type(kind: str, suffix: str) -> str:
    """The original file's media type, by its bytes (a WPS file is an OLE file like a .doc)."""
    if kind == "ole":
        return SUFFIXES[".wps"] if suffix == ".wps" else MSWORD
    return {"rtf": RTF, "zip": ODT, "wordxml": WORD_XML}[kind]


def _copy_suffix(kind: str) -> str:
    return {"ole": ".doc", "rtf": ".rtf", "zip": ".odt", "wordxml": ".xml"}[kind]


def _format_name(suffix: str) -> str:
    return {".doc": "Word .doc", ".wps": "WPS", ".rtf": "RTF", ".odt": "OpenDocument .odt"}.get(suffix, suffix)


def _extract_mht(path: Path, data: bytes, digest: str) -> SourceDoc:
    """A web page saved by Word as one MIME file (MHT): its HTML part, read by the HTML reader."""
    message = email.message_from_bytes(data)
    page = next((part for part in message.walk() if part.get_content_type() == "text/html"), None)
    raw = page.get_payload(decode=True) if page is not None else None
    if not isinstance(raw, bytes) or not raw.strip():
        raise SourceUnreadable(path, "a saved web page (MHT) with no HTML in it")
    charset = re.sub(r"[^\w.:-]", "", page.get_content_charset() or "") if page is not None else ""
    declared = f'<meta charset="{charset}">'.encode("ascii") if charset else b""  # the MIME header's word counts
    with tempfile.TemporaryDirectory(prefix="gongkai-mht-") as folder:
        page_path = Path(folder) / "page.html"
        page_path.write_bytes(declared + raw)
        try:
            doc = extract_html(page_path)
        except SourceUnreadable as exc:
            raise SourceUnreadable(path, f"a saved web page (MHT): {exc.reason}") from None
    return dataclasses.replace(doc, path=path, sha256=digest, media_type="multipart/related")
