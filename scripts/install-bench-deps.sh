#!/usr/bin/env bash
# Installs what the benchmark harness (Benchmarks/) needs from Debian when it
# is missing: what the library needs (scripts/install-lz4.sh) and
# libsqlite3-dev (SQLite is a baseline). Uses sudo only when not root.
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
