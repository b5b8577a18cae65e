#!/usr/bin/env bash
# Regenerate the DOCX/PDF test fixtures in tests/fixtures/ from real reports.
#
# Only needed to REGENERATE the fixtures: the tests use the committed files and need neither
# LibreOffice nor poppler. Needs root (or the packages below already installed) and the
# project's venv (.venv, for Pillow, a pdfplumber dependency).
#
#   shanghai_municipal_office_2019.{docx,pdf}  from tests/fixtures/shanghai_municipal_office_2019.html
#   seed_000.{docx,pdf}                        from data/seeds/000_c5b0e1e384a688a1.txt
#   scanned.pdf      page 4 of the Shanghai PDF as a picture only (no text layer)
#   encrypted.pdf    page 1 of the seed 000 PDF, AES-256, user password "gongkai"
#
# HTML/text → (tools/fixture_html.py) → print HTML → LibreOffice Writer → .docx → LibreOffice → .pdf
# PDFs embed their creation date, so a rerun gives new bytes but the same text.
set -euo pipefail

cd "$(dirname "$0")/.."
out=tests/fixtures
python=${PYTHON:-.venv/bin/python}

if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v qpdf >/dev/null \
    || [ -z "$(fc-list "WenQuanYi Micro Hei")" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libreoffice-writer-nogui poppler-utils qpdf fonts-wqy-microhei
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
office() { soffice -env:UserInstallation="file://$work/profile" --headless "$@" >/dev/null; }

python3 tools/fixture_html.py html "$out/shanghai_municipal_office_2019.html" > "$work/shanghai_municipal_office_2019.html"
python3 tools/fixture_html.py text data/seeds/000_c5b0e1e384a688a1.txt > "$work/seed_000.html"

for name in shanghai_municipal_office_2019 seed_000; do
    office --infilter="HTML (StarWriter)" --convert-to 'docx:MS Word 2007 XML' --outdir "$work" "$work/$name.html"
    office --convert-to pdf --outdir "$work" "$work/$name.docx"
    cp "$work/$name.docx" "$work/$name.pdf" "$out/"
done

# A scan: one page rendered to a grey picture at 60 dpi, wrapped back into a PDF with no text.
pdftoppm -f 4 -l 4 -r 60 -gray -png "$out/shanghai_municipal_office_2019.pdf" "$work/scan"
"$python" -c 'import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2], resolution=60)' \
    "$(ls "$work"/scan*.png | head -n 1)" "$out/scanned.pdf"

qpdf --empty --pages "$out/seed_000.pdf" 1 -- "$work/page1.pdf"
qpdf --encrypt gongkai gongkai-owner 256 -- "$work/page1.pdf" "$out/encrypted.pdf"

ls -l "$out"

# Realistic agency-made PDFs (Word → LibreOffice) with their ground truth: tests/fixtures/made/
"$python" tools/make_pdf_fixtures.py
