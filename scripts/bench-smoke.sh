#!/usr/bin/env bash
# Keeps the benchmark harness honest between measurements: builds every
# target of Benchmarks/ (debug: the package-benchmark workloads are compiled,
# not run) and runs each `ledger-bench` command once at toy sizes, in a
# scratch directory removed afterwards. The commands check their own
# results as they go (the ledger and SQLite return the same events, an
# import stores every line, a killed writer's recovered events are the ones
# it appended, ...), so a command that exits non-zero or prints no table
# fails this script. Figures from it mean nothing: see BENCHMARKS.md for
# how to measure. About three minutes from a fresh clone on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh libsqlite3-dev
cd Benchmarks
swift build
bench=.build/debug/ledger-bench

scratch=$(mktemp -d /tmp/patientledger-bench-smoke-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export LEDGER_BENCH_DIR="$scratch"
export LEDGER_BENCH_PATIENTS=500 LEDGER_BENCH_LEDGER_EVENTS=20000 LEDGER_BENCH_IMPORT_LINES=3000
export LEDGER_BENCH_LARGE_RECORDS=20000 LEDGER_BENCH_CRASH_TAIL=2000

run() {
    local out="$scratch/out.md"
    echo "ledger-bench $*" >&2
    if ! "$bench" "$@" > "$out" 2> "$scratch/err.txt"; then
        cat "$scratch/err.txt" >&2
        echo "bench-smoke: ledger-bench $* failed" >&2
        exit 1
    fi
    if ! grep -q '^| --- |' "$out"; then
        cat "$out" "$scratch/err.txt" >&2
        echo "bench-smoke: ledger-bench $* printed no table" >&2
        exit 1
    fi
}

run ratios --rounds 1 --events 5000 --reads 200
run sweep --rounds 1 --events 5000
run open --rounds 1
run typed --rounds 1 --events 5000 --sqlite-events 2000 --fsync-events 2000
run replay --rounds 1 --events 5000
run import --rounds 1
run patient --patient-reads 50 --queries 20
run ledger-open --rounds 1 --kill-after 3000

# `projections` replays an existing ledger: a small generated cohort.
(cd .. && swift build --product ledger)
ledger=../.build/debug/ledger
"$ledger" generate --patients 300 --days 120 --seed 3 --out "$scratch/cohort.jsonl"
"$ledger" import "$scratch/cohort" "$scratch/cohort.jsonl" > /dev/null
echo "ledger-bench projections" >&2
if ! "$bench" projections "$scratch/cohort" 1 > "$scratch/out.md" 2> "$scratch/err.txt" \
   || ! grep -q '^replay best' "$scratch/out.md"; then
    cat "$scratch/out.md" "$scratch/err.txt" >&2
    echo "bench-smoke: ledger-bench projections failed" >&2
    exit 1
fi
echo "bench-smoke: every ledger-bench command ran" >&2
