"""Old Word (.doc), WPS (.wps), RTF and ODT files read through LibreOffice: each variant of two real
reports (tests/fixtures/office, made by tools/make_office_fixtures.sh) yields the same cells as the
.docx it was made from; what government sites publish as ".doc" but is really a .docx, a web page
or RTF is still read; a missing LibreOffice, a corrupt file or a conversion that takes too long is
one line naming the file, and the rest of the batch goes on."""

from __future__ import annotations

import hashlib
import quopri
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from converter.errors import ISSUE_CODES, SourceUnreadable
from converter.extract import DOCX, SUFFIXES, extract
from converter.extract.office import OLE_MAGIC, SOFFICE_ENV, TIMEOUT_ENV, sniff, soffice_binary
from converter.model import Report
from converter.pipeline import convert_file, convert_many

FIXTURES = Path(__file__).parents[1] / "fixtures"
OFFICE = FIXTURES / "office"
REPORTS = ("seed_000", "shanghai_municipal_office_2019")
CONVERTED = "converted-by-libreoffice"

needs_soffice = pytest.mark.skipif(
    soffice_binary() is None,
    reason=f"LibreOffice is not installed (no soffice on the PATH or at ${SOFFICE_ENV}) and `make system-packages` "
    "could not install it (it installs only as root: apt-get install libreoffice-writer-nogui)",
)


def cells(report: Report) -> dict[tuple[str, ...], Decimal]:
    return {c.key: c.value for c in report.cells}


def notes(report: Report) -> set[tuple[str, tuple[str, ...] | None]]:
    """The report's quality notes, but for the one saying it was converted."""
    return {(i.code, i.target) for i in report.issues if i.code != CONVERTED}


def one_line_error(path: Path) -> str:
    with pytest.raises(SourceUnreadable) as caught:
        convert_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


@pytest.fixture(scope="module")
def originals() -> dict[str, Report]:
    return {name: convert_file(FIXTURES / f"{name}.docx") for name in REPORTS}


@needs_soffice
@pytest.mark.parametrize(
    ("name", "suffix", "media_type"),
    [
        (name, suffix, media_type)
        for name in REPORTS
        for suffix, media_type in (
            (".doc", "application/msword"),
            (".wps", "application/vnd.ms-works"),
            (".rtf", "application/rtf"),
            (".odt", "application/vnd.oasis.opendocument.text"),
        )
    ],
)
def test_each_format_yields_the_cells_of_its_docx(
    name: str, suffix: str, media_type: str, originals: dict[str, Report]
) -> None:
    path = OFFICE / f"{name}{suffix}"
    report = convert_file(path)
    original = originals[name]
    assert len(cells(original)) > 100
    assert cells(report) == cells(original)
    assert notes(report) == notes(original)
    assert (report.meta.agency, report.meta.year) == (original.meta.agency, original.meta.year)
    # the source is the ORIGINAL file, not the .docx LibreOffice made of it
    assert report.source.path == path
    assert report.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.source.media_type == media_type
    [note] = [i for i in report.issues if i.code == CONVERTED]
    assert note.target is None
    assert note.message.startswith(f"{path.name} was converted to .docx by LibreOffice ")


def test_the_new_suffixes_are_registered() -> None:
    assert {".doc", ".wps", ".rtf", ".odt"} <= SUFFIXES.keys()
    assert CONVERTED in ISSUE_CODES


@needs_soffice
def test_a_docx_that_is_really_an_old_doc(tmp_path: Path, originals: dict[str, Report]) -> None:
    path = tmp_path / "report.docx"
    shutil.copyfile(OFFICE / "seed_000.doc", path)
    report = convert_file(path)
    assert cells(report) == cells(originals["seed_000"])
    assert report.source.media_type == "application/msword"


@needs_soffice
def test_a_doc_that_is_really_rtf(tmp_path: Path, originals: dict[str, Report]) -> None:
    path = tmp_path / "report.doc"
    shutil.copyfile(OFFICE / "seed_000.rtf", path)
    report = convert_file(path)
    assert cells(report) == cells(originals["seed_000"])
    assert report.source.media_type == "application/rtf"


@needs_soffice
def test_a_doc_that_is_really_word_2003_xml(tmp_path: Path, originals: dict[str, Report]) -> None:
    """Word's "XML document" (WordprocessingML 2003), another thing published under .doc."""
    office = [str(soffice_binary()), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless"]
    command = [
        *office,
        "--convert-to",
        "xml:MS Word 2003 XML",
        "--outdir",
        str(tmp_path),
        str(FIXTURES / "seed_000.docx"),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    path = tmp_path / "report.doc"
    (tmp_path / "seed_000.xml").rename(path)
    assert sniff(path.read_bytes()) == "wordxml"
    report = convert_file(path)
    assert cells(report) == cells(originals["seed_000"])
    assert CONVERTED in {i.code for i in report.issues}


def test_a_doc_that_is_really_a_docx_needs_no_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, originals: dict[str, Report]
) -> None:
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    path = tmp_path / "report.doc"
    shutil.copyfile(FIXTURES / "seed_000.docx", path)
    report = convert_file(path)
    assert cells(report) == cells(originals["seed_000"])
    assert report.source.media_type == DOCX
    assert CONVERTED not in {i.code for i in report.issues}


def test_a_web_page_saved_as_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    page = FIXTURES / "shanghai_municipal_office_2019.html"
    path = tmp_path / "report.doc"
    shutil.copyfile(page, path)
    report = convert_file(path)
    assert cells(report) == cells(convert_file(page))
    assert report.source.media_type == "text/html"


def test_a_web_page_saved_by_word_as_one_mht_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Word's "single file web page": a MIME message, the page quoted-printable in GB2312."""
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    page = FIXTURES / "shanghai_municipal_office_2019.html"
    html = f"<html><head><title>报告</title></head><body>{page.read_text(encoding='utf-8')}</body></html>"
    body = quopri.encodestring(html.encode("gb18030")).decode("ascii")
    mht = (
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="----=_NextPart_01D5D7F1.2B3A4C50"\r\n\r\n'
        "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n"
        "------=_NextPart_01D5D7F1.2B3A4C50\r\n"
        "Content-Location: file:///C:/D5D7F1/report.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        'Content-Type: text/html; charset="gb2312"\r\n\r\n'
        f"{body}\r\n"
        "------=_NextPart_01D5D7F1.2B3A4C50--\r\n"
    )
    path = tmp_path / "report.doc"
    path.write_bytes(mht.encode("gb18030"))
    assert sniff(path.read_bytes()) == "mht"
    report = convert_file(path)
    assert cells(report) == cells(convert_file(page))
    assert report.source.path == path


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (OLE_MAGIC + bytes(600), "ole"),
        (b"PK\x03\x04\x14\x00mimetypeapplication/vnd.oasis.opendocument.text", "zip"),
        (b"{\\rtf1\\ansi\\ansicpg936 \\f0 \\'b1\\'ed}", "rtf"),
        (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument>', "wordxml"),
        (b"\r\n<!DOCTYPE html PUBLIC><html><head>", "html"),
        (b'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>', "html"),
        (b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=x\n", "mht"),
        ("2020年政府信息公开工作年度报告\n表三".encode("gb18030"), "text"),
        (b"\x00\x01\x02\xff\xfe" * 40, "unknown"),
    ],
)
def test_the_bytes_decide_not_the_suffix(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_bytes_of_no_office_format_are_refused_without_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "report.wps"
    path.write_bytes(bytes(range(256)) * 8)
    assert "not a WPS file" in one_line_error(path)


def test_a_password_protected_docx(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"  # an encrypted .docx is an OLE file with an EncryptedPackage stream
    path.write_bytes(OLE_MAGIC + bytes(1016) + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    assert "password-protected" in one_line_error(path)


@needs_soffice
def test_a_corrupt_doc_is_one_line(tmp_path: Path) -> None:
    data = (OFFICE / "seed_000.doc").read_bytes()
    path = tmp_path / "report.doc"
    path.write_bytes(data[:512] + bytes(len(data) - 512))  # the OLE header, then nothing
    assert "LibreOffice could not convert the file" in one_line_error(path)


def test_no_libreoffice_is_one_line_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    wps = OFFICE / "seed_000.wps"
    message = one_line_error(wps)
    assert message == (
        f"{wps}: needs LibreOffice to read .wps files: install it (Debian: apt-get install "
        "libreoffice-writer-nogui) or save the file as .docx"
    )
    others = [FIXTURES / "seed_000.docx", FIXTURES / "shanghai_municipal_office_2019.html"]
    outcomes = convert_many([wps, *others, OFFICE / "shanghai_municipal_office_2019.rtf"])
    assert [o.ok for o in outcomes] == [False, True, True, False]
    assert outcomes[0].error == message
    assert outcomes[3].error is not None and "needs LibreOffice to read .rtf files" in outcomes[3].error


@needs_soffice
def test_a_conversion_past_the_time_limit_is_one_line_and_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "0.05")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # LibreOffice's folder and profile go here
    path = OFFICE / "seed_000.doc"
    message = one_line_error(path)
    assert "within the time limit of 0.05 s" in message
    assert not list(tmp_path.iterdir()), "the temporary folder is removed"
    assert not _processes_mentioning(str(tmp_path)), "the whole LibreOffice process group is killed"


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\x00", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def test_extract_dispatches_by_suffix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    for suffix in (".doc", ".wps", ".rtf", ".odt"):
        path = tmp_path / f"report{suffix}"
        path.write_bytes(OLE_MAGIC + bytes(600))
        with pytest.raises(SourceUnreadable, match=f"needs LibreOffice to read \\{suffix} files"):
            extract(path)
