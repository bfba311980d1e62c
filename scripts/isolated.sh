#!/usr/bin/env bash
# Runs a command in a private mount and network namespace (root only): its own /run/pcscd and its
# own loopback, so a private pcscd, vprinter or province-sim started there cannot meet another
# one on this machine. For the fuzz script (which refuses to run where such services answer),
# benchmarks, or several test runs at once:
#
#   bash scripts/isolated.sh bash scripts/fuzz-abi.sh
#   bash scripts/isolated.sh swift test --skip-build --filter CABITests
set -euo pipefail
mkdir -p /run/pcscd
exec unshare --mount --net bash -c 'mount -t tmpfs tmpfs /run/pcscd && ip link set lo up && "$@"' _ "$@"
