#!/usr/bin/env bash
# Lists the snapshot files no test asserted and exits 1 if there are any.
#
#   scripts/orphan-snapshots.sh REFERENCES
#
# REFERENCES is the file insta wrote during `cargo test` when
# INSTA_SNAPSHOT_REFERENCES_FILE pointed at it (one snapshot path a line;
# .ci/run does this). Every `.snap` below tests/ and src/ must be in it: an
# orphan is the snapshot of a case that was deleted or renamed. Read it, then
# delete it (or restore its case).
set -euo pipefail
cd "$(dirname "$0")/.."

refs=${1:?usage: scripts/orphan-snapshots.sh REFERENCES}
[[ -s "$refs" ]] || { echo "error: $refs is empty: did cargo test run with INSTA_SNAPSHOT_REFERENCES_FILE?" >&2; exit 1; }

export LC_ALL=C
on_disk=$(find tests src -name '*.snap' -type f -print0 | xargs -0 -r realpath -e | sort -u)
referenced=$(xargs -d '\n' -r realpath -m < "$refs" | sort -u)
orphans=$(comm -23 <(printf '%s\n' "$on_disk") <(printf '%s\n' "$referenced") | sed "s|^$PWD/||")

if [[ -n "$orphans" ]]; then
    echo "error: $(wc -l <<<"$orphans") snapshot(s) that no test asserts:" >&2
    sed 's/^/  /' <<<"$orphans" >&2
    echo "read each; delete it if its case is gone, or restore the case" >&2
    exit 1
fi
echo "every snapshot on disk ($(wc -l <<<"$on_disk")) is asserted by a test"
