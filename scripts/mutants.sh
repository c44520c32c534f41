#!/usr/bin/env bash
# Mutation testing (cargo-mutants) of one module, running only the test
# targets that cover it, with pinned timeouts. See CONTRIBUTING.md, "Tests".
#
#   scripts/mutants.sh check|runtime|plan|syntax [cargo-mutants options...]
#
#   scripts/mutants.sh check --list               # the mutants, no run
#   scripts/mutants.sh check --shard 0/4          # a quarter of them
#   git diff main > /tmp/d && scripts/mutants.sh runtime --in-diff /tmp/d
#
# Results go to mutants.out/<module>/mutants.out/ (outcomes.json,
# missed.txt, caught.txt, timeout.txt, unviable.txt); a shard's to
# mutants.out/<module>-<k>of<n>/mutants.out/, so that shards run one after
# another keep their results.
set -euo pipefail
cd "$(dirname "$0")/.."

module=${1:?usage: scripts/mutants.sh check|runtime|plan|syntax [cargo-mutants options...]}
shift
case "$module" in
    check) tests=(--lib --test=check --test=render --test=hostile --test=examples --test=fix) ;;
    runtime) tests=(--lib --test=runtime --test=engine --test=hostile --test=plan_edges) ;;
    plan) tests=(--lib --test=plan_edges --test=plan_schema --test=examples --test=runtime) ;;
    syntax) tests=(--lib --test=parse_ast --test=parse_errors --test=parse_differential --test=parse_hostile) ;;
    *) echo "error: unknown module \`$module\` (check, runtime, plan or syntax)" >&2; exit 2 ;;
esac

out="mutants.out/$module"
prev=
for arg in "$@"; do
    shard=
    if [[ $prev == --shard ]]; then shard=$arg; fi
    if [[ $arg == --shard=* ]]; then shard=${arg#--shard=}; fi
    if [[ -n $shard ]]; then out="mutants.out/$module-${shard%/*}of${shard#*/}"; fi
    prev=$arg
done
mkdir -p "$out"

# The targets go to every cargo command (`--cargo-arg`), not only to
# `cargo test` (`-- ARGS`): otherwise each mutant's build phase,
# `cargo test --no-run`, compiles and links every test target of the crate.
targets=()
for t in "${tests[@]}"; do targets+=("--cargo-arg=$t"); done

exec cargo mutants \
    --file "src/$module/**" \
    --timeout 60 \
    --build-timeout 900 \
    --profile mutants \
    --output "$out" \
    "${targets[@]}" \
    "$@"
