#!/bin/sh
# Regenerate docs/graph-example.svg with `wfc graph` and render it to PNG
# (rsvg-convert, from the librsvg2-bin package) for a visual check.
#
#   scripts/render-graph.sh [EXAMPLE WORKFLOW]   (default: docs/graph-example.source)
set -eu
cd "$(dirname "$0")/.."
if [ $# -ge 2 ]; then
    printf '%s\n%s\n' "$1" "$2" > docs/graph-example.source
fi
example=$(sed -n 1p docs/graph-example.source)
workflow=$(sed -n 2p docs/graph-example.source)
cargo run --quiet -- graph "$example" --workflow "$workflow" --format svg -o docs/graph-example.svg
echo "wrote docs/graph-example.svg ($example, \"$workflow\")"
if command -v rsvg-convert >/dev/null 2>&1; then
    out=${TMPDIR:-/tmp}/graph-example.png
    rsvg-convert --background-color=white docs/graph-example.svg -o "$out"
    echo "rendered $out"
else
    echo "rsvg-convert not found (apt-get install librsvg2-bin): PNG not rendered" >&2
fi
