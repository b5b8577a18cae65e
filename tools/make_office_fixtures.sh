#!/usr/bin/env bash
# Regenerate tests/fixtures/office/: the two DOCX fixtures saved by LibreOffice as .doc, .wps, .rtf
# and .odt (provenance in tests/fixtures/office/README.md).
#
#   {seed_000,shanghai_municipal_office_2019}.doc   Word 97-2003 ("MS Word 97" filter)
#   {seed_000,shanghai_municipal_office_2019}.wps   the same bytes as the .doc: LibreOffice cannot
#        WRITE .wps, and a .wps from WPS Office is a Word-compatible OLE file; each is checked to
#        open in LibreOffice under its .wps name
#   {seed_000,shanghai_municipal_office_2019}.rtf   "Rich Text Format"
#   {seed_000,shanghai_municipal_office_2019}.odt   OpenDocument Text ("writer8")
#
# Needs LibreOffice (`make system-packages` installs it). The files embed the time they were made,
# so a rerun gives new bytes but the same text and cells (tests/converter/test_extract_office.py).
set -euo pipefail

cd "$(dirname "$0")/.."
src=tests/fixtures
out=tests/fixtures/office
command -v soffice >/dev/null || { echo "soffice not found: run 'make system-packages' first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# a profile that saves no thumbnail picture in the .odt (it would be most of the file)
mkdir -p "$work/profile/user"
cat > "$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
XCU
office() { soffice -env:UserInstallation="file://$work/profile" --headless --norestore "$@" >/dev/null 2>&1; }

mkdir -p "$out"
for name in seed_000 shanghai_municipal_office_2019; do
    office --convert-to 'doc:MS Word 97' --outdir "$work" "$src/$name.docx"
    office --convert-to 'rtf:Rich Text Format' --outdir "$work" "$src/$name.docx"
    office --convert-to 'odt:writer8' --outdir "$work" "$src/$name.docx"
    cp "$work/$name.doc" "$work/$name.wps"
    # LibreOffice must open the .wps under that name (it reads it back to .docx)
    mkdir -p "$work/check"
    office --convert-to docx --outdir "$work/check" "$work/$name.wps"
    [ -s "$work/check/$name.docx" ] || { echo "LibreOffice cannot open $name.wps" >&2; exit 1; }
    cp "$work/$name".{doc,wps,rtf,odt} "$out/"
done
ls -l "$out"
