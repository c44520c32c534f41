#!/bin/sh
# Build the seed corpora for the fuzz targets from the repository's own
# inputs: examples/, every .wf/.toml/.json under tests/, and a few small
# generated programs (wfc_dev::corpus, dev/wfc-dev). Nothing here is committed (see .gitignore).
# Usage: fuzz/seed.sh            (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
wf="$here/corpus/seed-wf"
rm -rf "$wf"
mkdir -p "$wf"
n=0
for f in $(find "$root/examples" "$root/tests" -name '*.wf' 2>/dev/null | sort); do
    n=$((n + 1))
    # libFuzzer's default -max_len is 4096 bytes: keep seeds smaller.
    head -c 4000 "$f" > "$wf/src_$n.wf"
done
# Small generated programs: every construct, valid.
(cd "$root" && cargo run -q --release -p wfc-dev --bin wfc-corpus -- --files "$wf/gen" 40 1500 7)
mv "$wf"/gen/*.wf "$wf"/ 2>/dev/null || true
rmdir "$wf/gen" 2>/dev/null || true
for t in parse parse_differential check fmt_roundtrip; do
    mkdir -p "$here/corpus/$t"
    cp "$wf"/* "$here/corpus/$t/"
done
# Plan loader: the JSON plans of the examples (when they build), plus scraps.
mkdir -p "$here/corpus/plan_load"
for f in $(find "$root/examples" "$root/tests" -name '*.json' 2>/dev/null | sort); do
    n=$((n + 1))
    head -c 4000 "$f" > "$here/corpus/plan_load/json_$n.json"
done
if [ -d "$root/examples" ]; then
    for f in "$root"/examples/*.wf; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        (cd "$root" && cargo run -q --release --bin wfc -- build "$f" 2>/dev/null | head -c 4000 > "$here/corpus/plan_load/plan_$n.json") || true
    done
fi
echo '{"format":"wfplan/1"}' > "$here/corpus/plan_load/min.json"
echo "seeds: $(ls "$wf" | wc -l) .wf, $(ls "$here/corpus/plan_load" | wc -l) plan files"
