#!/usr/bin/env bash
# Render the Mermaid output of `wfc graph` for every example with
# mermaid-cli in Debian's Chromium, and fail on a diagram that does not
# render or has an unreadable shape (tests/mermaid/check.mjs). The PNGs stay
# in the output folder to be looked at.
#
#   scripts/render-mermaid.sh [OUT_DIR]     (default: a new temporary folder)
#
# Needs Node 20 and npm, and Chromium (`apt-get install -y chromium`;
# another one with PUPPETEER_EXECUTABLE_PATH). Puppeteer never downloads a
# browser (tests/mermaid/.puppeteerrc.cjs). Uses target/debug/wfc, built
# first if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-$(mktemp -d)}
mkdir -p "$out"
rm -f "$out"/*.mmd "$out"/*.png

wfc=target/debug/wfc
[ -x "$wfc" ] || cargo build --quiet --bin wfc

# One diagram per example file (folders become part of the name), then the
# drawings of whole folders: a project's workflows side by side as
# subgraphs, and every example at once.
count=0
while IFS= read -r f; do
  name=${f#examples/}
  name=${name%.wf}
  "$wfc" graph "$f" --format mermaid -o "$out/${name//\//__}.mmd"
  count=$((count + 1))
done < <(find examples -name '*.wf' -not -path '*/tests/*' | sort)
"$wfc" graph examples/project --format mermaid -o "$out/folder__project.mmd"
"$wfc" graph examples --format mermaid -o "$out/folder__examples.mmd"
echo "wrote $count example diagrams and 2 folder drawings to $out"

npm ci --prefix tests/mermaid --no-audit --no-fund --silent
node tests/mermaid/check.mjs "$out"
