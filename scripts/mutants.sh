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
# missed.txt, caught.txt, timeout.txt, unviable.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

module=${1:?usage: scripts/mutants.sh check|runtime|plan|syntax [cargo-mutants options...]}
shift
case "$module" in
    check) tests=(--lib --test check --test render --test hostile --test examples) ;;
    runtime) tests=(--lib --test runtime --test hostile --test plan_edges) ;;
    plan) tests=(--lib --test plan_edges --test plan_schema --test examples --test runtime) ;;
    syntax) tests=(--lib --test parse_ast --test parse_errors --test parse_differential --test parse_hostile) ;;
    *) echo "error: unknown module \`$module\` (check, runtime, plan or syntax)" >&2; exit 2 ;;
esac

exec cargo mutants \
    --file "src/$module/**" \
    --timeout 180 \
    --build-timeout 900 \
    --jobs 1 \
    --output "mutants.out/$module" \
    "$@" \
    -- "${tests[@]}"
