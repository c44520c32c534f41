#!/usr/bin/env bash
# Move snapshots from the old flat folder `tests/snapshots/` to the folder
# next to the suite or corpus case they belong to (see CONTRIBUTING.md,
# "Tests"). Contents are not touched: every move is a `git mv`, so
# `git diff -M --stat` shows pure renames.
#
#   check__<G>__<rest>               -> tests/check/<G>/snapshots/check__<rest>
#   render__check__<G>__<rest>       -> tests/check/<G>/snapshots/render__<rest>
#   render__syntax_errors__<rest>    -> tests/syntax_errors/snapshots/render__<rest>
#   parse_errors__<rest>             -> tests/syntax_errors/snapshots/parse_errors__<rest>
#   render__<rest>                   -> tests/render/snapshots/<rest>
#   examples__<rest>                 -> tests/examples/snapshots/<rest>
#   graph__<rest>                    -> tests/graph/snapshots/<rest>
#
# Safe to re-run (e.g. after merging a branch that still writes snapshots to
# the flat folder): files already moved are not there any more. A file whose
# suite has no rule is left in place and listed; the script then exits 1.
#
#   -n  print the moves without doing them
#   -f  when the destination exists already, replace it with the flat-folder
#       file. After a merge, a snapshot that the other branch changed may come
#       back in the flat folder (git did not see the rename: a modify/delete
#       conflict resolved by keeping that branch's file); its content is the
#       newer one. Without -f such a pair stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."

dry=false
replace=false
for arg in "$@"; do
    case "$arg" in
        -n) dry=true ;;
        -f) replace=true ;;
        *) echo "usage: scripts/relocate-snapshots.sh [-n] [-f]" >&2; exit 2 ;;
    esac
done

flat=tests/snapshots
[[ -d "$flat" ]] || { echo "no $flat: nothing to move"; exit 0; }

unknown=()
moved=0
for path in "$flat"/*.snap; do
    [[ -e "$path" ]] || continue
    file=${path##*/}
    dest=
    case "$file" in
        render__check__*)
            rest=${file#render__check__}
            dest="tests/check/${rest%%__*}/snapshots/render__${rest#*__}" ;;
        render__syntax_errors__*)
            dest="tests/syntax_errors/snapshots/render__${file#render__syntax_errors__}" ;;
        render__*)
            dest="tests/render/snapshots/${file#render__}" ;;
        check__*)
            rest=${file#check__}
            dest="tests/check/${rest%%__*}/snapshots/check__${rest#*__}" ;;
        parse_errors__*)
            dest="tests/syntax_errors/snapshots/$file" ;;
        examples__*)
            dest="tests/examples/snapshots/${file#examples__}" ;;
        graph__*)
            dest="tests/graph/snapshots/${file#graph__}" ;;
    esac
    if [[ -z "$dest" ]]; then
        unknown+=("$path")
        continue
    fi
    if [[ -e "$dest" ]]; then
        if cmp -s "$path" "$dest"; then
            echo "$path: the same as $dest, removed"
            if ! $dry; then
                git rm -q -f "$path" 2>/dev/null || rm -f "$path"
            fi
            continue
        fi
        if ! $replace; then
            echo "error: $dest exists and differs from $path; read both, then re-run with -f to keep $path" >&2
            exit 1
        fi
        echo "$path replaces $dest"
        if ! $dry; then
            git rm -q -f "$dest" 2>/dev/null || rm -f "$dest"
        fi
    fi
    if $dry; then
        echo "$path -> $dest"
    else
        mkdir -p "${dest%/*}"
        if git ls-files --error-unmatch "$path" >/dev/null 2>&1; then
            git mv "$path" "$dest"
        else
            mv "$path" "$dest"
        fi
    fi
    moved=$((moved + 1))
done

echo "$moved snapshot(s) $($dry && echo "to move" || echo moved)"
if ((${#unknown[@]})); then
    echo "no rule for these (add one above and give their suite a snapshot_path):" >&2
    printf '  %s\n' "${unknown[@]}" >&2
    exit 1
fi
if ! $dry; then
    rmdir "$flat" 2>/dev/null || true
fi
