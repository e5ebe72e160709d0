#!/usr/bin/env bash
# Runs the benchmark harness (Benchmarks/, its own package) after installing
# liblz4-dev and libsqlite3-dev (SQLite is the baseline) when they are
# missing: the storage workloads and the typed-event workloads of issue 6,
# each printed as a Markdown table beside its same-run baselines (see
# BENCHMARKS.md). Extra arguments go to `ledger-bench` instead of `all`
# (e.g. `typed --rounds 5`). The first run builds the harness (several
# minutes on 2 cores) and caches a 10M-event ledger and its SQLite twin
# under /tmp/patientledger-bench (about 6 minutes, 3 GB).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh libsqlite3-dev
cd Benchmarks
swift build -c release --product ledger-bench
if [ $# -eq 0 ]; then set -- all; fi
exec .build/release/ledger-bench "$@"
