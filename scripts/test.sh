#!/usr/bin/env bash
# Runs every test (XCTest and Swift Testing) after installing liblz4-dev when
# it is missing. Extra arguments go to `swift test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-lz4.sh
swift test "$@"
