#!/usr/bin/env bash
# The main job: installs liblz4-dev when missing, builds `ledger` and the
# storage demo (release), imports the example of events.md into a new
# ledger, prints it back, and runs `ledger stats` and `ledger verify` on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh
swift build -c release --product ledger
swift build -c release --product StorageDemo
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
ledger_dir="$work/demo-ledger"

echo "== StorageDemo (the segment log embedded directly) $work/raw"
"$bin/StorageDemo" "$work/raw"
echo "== ledger import $ledger_dir Fixtures/examples/events-md-example.jsonl"
"$bin/ledger" import "$ledger_dir" Fixtures/examples/events-md-example.jsonl
echo "== ledger dump $ledger_dir --patient P001 --limit 3"
"$bin/ledger" dump "$ledger_dir" --patient P001 --limit 3
echo "== ledger stats $ledger_dir"
"$bin/ledger" stats "$ledger_dir"
echo "== ledger verify $ledger_dir"
"$bin/ledger" verify "$ledger_dir"
echo "== the demo ledger stays in $ledger_dir; the tool is $bin/ledger"
