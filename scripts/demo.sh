#!/usr/bin/env bash
# Installs liblz4-dev when missing, builds `ledger` and StorageDemo (release),
# lets StorageDemo write a ledger into a temporary directory, then runs
# `ledger stats` and `ledger verify` on it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh
swift build -c release --product ledger
swift build -c release --product StorageDemo
bin="$(swift build -c release --show-bin-path)"
ledger_dir="$(mktemp -d)/demo-ledger"

echo "== StorageDemo $ledger_dir"
"$bin/StorageDemo" "$ledger_dir"
echo "== ledger stats $ledger_dir"
"$bin/ledger" stats "$ledger_dir"
echo "== ledger verify $ledger_dir"
"$bin/ledger" verify "$ledger_dir"
echo "== the demo ledger stays in $ledger_dir; the tool is $bin/ledger"
