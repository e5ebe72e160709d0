#!/usr/bin/env bash
# Installs what the build needs from Debian when it is missing: liblz4-dev
# (LZ4 headers and library, for the CLZ4 target) and pkg-config (which
# SwiftPM asks where liblz4 is), and any further Debian packages named as
# arguments (the benchmark harness adds libsqlite3-dev). Uses sudo only
# when not root.
set -euo pipefail
missing=()
for package in liblz4-dev "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
