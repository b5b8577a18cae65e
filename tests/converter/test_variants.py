"""The same report in another shape yields the same cells: OCR→markdown text whose 表三 rows sit
under placeholder ("数据1…") and wrong headers ("本年新收件数|上年结转件数|予以公开…") — position in
the template decides, never the header text."""

from __future__ import annotations

from pathlib import Path

from converter.pipeline import convert_file

ROOT = Path(__file__).parents[2]


def test_markdown_with_wrong_headers_reads_like_the_text() -> None:
    text = convert_file(ROOT / "data" / "seeds" / "000_c5b0e1e384a688a1.txt")
    markdown = convert_file(ROOT / "tests" / "fixtures" / "seed_000_ocr_markdown.md")
    assert {c.key: c.value for c in markdown.cells} == {c.key: c.value for c in text.cells}
    assert not [i for i in markdown.issues if i.code in {"label-mismatch", "not-read", "missing-cell"}]
