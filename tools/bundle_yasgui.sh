#!/bin/sh
# Rebuild endpoint/static/yasgui/ from npm: the exact versions in tools/yasgui/package-lock.json.
# The built files are committed, so serving (and `pip install`) needs neither npm nor a CDN.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../endpoint/static/yasgui"
cd "$here/yasgui"
npm ci --no-audit --no-fund --ignore-scripts
build=node_modules/@zazuko/yasgui/build
mkdir -p "$out"
cp "$build/yasgui.min.js" "$build/yasgui.min.css" "$out/"
cp node_modules/@zazuko/yasgui/LICENSE "$out/LICENSE" 2>/dev/null || \
  printf 'MIT License: @zazuko/yasgui %s (https://github.com/zazuko/Yasgui)\n' \
    "$(node -p 'require("./node_modules/@zazuko/yasgui/package.json").version')" > "$out/LICENSE"
node -p '"@zazuko/yasgui " + require("./node_modules/@zazuko/yasgui/package.json").version' > "$out/VERSION"
echo "bundled into $out:"; ls -l "$out"
