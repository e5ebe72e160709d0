#!/usr/bin/env bash
# The main job, on a fresh Debian machine with Swift: installs liblz4-dev when
# missing, builds `ledger` (release), generates a cohort of 10,000 patients
# over a year, imports it, replays every projection and prints the cohort
# summary, a few patients' profiles and histories, the ledger's figures and a
# verification, with the throughput of each step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh
swift build -c release --product ledger
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
cohort="$work/cohort.jsonl"
ledger_dir="$work/demo-ledger"
patients="${PATIENTS:-10000}"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { s = b - a; printf "%.2f s, %.0f %s/s\n", s, n / s, "'"$4"'" }'; }

echo "== ledger generate --patients $patients --days 365 --seed 1 --out $cohort"
"$bin/ledger" generate --patients "$patients" --days 365 --seed 1 --out "$cohort"
lines=$(wc -l < "$cohort")

echo "== ledger import $ledger_dir $cohort"
t0=$(now)
"$bin/ledger" import "$ledger_dir" "$cohort"
t1=$(now)
echo "   $lines lines in $(rate "$lines" "$t0" "$t1" lines)"

echo "== ledger stats $ledger_dir"
"$bin/ledger" stats "$ledger_dir"

echo "== ledger verify $ledger_dir"
t0=$(now)
"$bin/ledger" verify "$ledger_dir"
t1=$(now)
echo "   in $(rate "$lines" "$t0" "$t1" events)"

echo "== ledger replay $ledger_dir   (rebuilds every projection, writes $ledger_dir/projections/patients.ckpt)"
"$bin/ledger" replay "$ledger_dir"

for patient in P000001 P000042; do
    echo "== ledger patient $ledger_dir $patient   (served from the checkpoint)"
    t0=$(now)
    "$bin/ledger" patient "$ledger_dir" "$patient"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "   in %.3f s (open, checkpoint load, query)\n", b - a }'
    echo "== ledger dump $ledger_dir --patient $patient --limit 5"
    "$bin/ledger" dump "$ledger_dir" --patient "$patient" --limit 5
done

echo "== ledger dump $ledger_dir (all events, canonical JSON Lines)"
t0=$(now)
"$bin/ledger" dump "$ledger_dir" > "$work/dump.jsonl"
t1=$(now)
echo "   $(wc -l < "$work/dump.jsonl") events in $(rate "$(wc -l < "$work/dump.jsonl")" "$t0" "$t1" events)"
echo "== the demo ledger stays in $ledger_dir; the tool is $bin/ledger"
