#!/bin/sh
# Regenerate docs/graph-example.svg and docs/graph-large.svg with `wfc graph`
# and render them to PNG
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
cargo run --quiet -- graph examples/contact_lifecycle_journey.wf --format svg -o docs/graph-large.svg
echo "wrote docs/graph-large.svg (examples/contact_lifecycle_journey.wf, 45 steps)"
if command -v rsvg-convert >/dev/null 2>&1; then
    out=${TMPDIR:-/tmp}/graph-example.png
    rsvg-convert --background-color=white docs/graph-example.svg -o "$out"
    large=${TMPDIR:-/tmp}/graph-large.png
    rsvg-convert --background-color=white docs/graph-large.svg -o "$large"
    echo "rendered $out and $large"
else
    echo "rsvg-convert not found (apt-get install librsvg2-bin): PNG not rendered" >&2
fi
