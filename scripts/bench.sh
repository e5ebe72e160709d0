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
bash scripts/install-lz4.sh
if ! dpkg-query -W -f='${Status}' libsqlite3-dev 2>/dev/null | grep -q 'install ok installed'; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "installing libsqlite3-dev" >&2
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev
fi
cd Benchmarks
swift build -c release --product ledger-bench
if [ $# -eq 0 ]; then set -- all; fi
exec .build/release/ledger-bench "$@"
