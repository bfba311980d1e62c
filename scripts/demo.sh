#!/usr/bin/env bash
# The main job: builds the station and runs one end-to-end demonstration on the embedded
# defaults (simulated card served through a real pcscd). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/stop-stale-pcscd.sh
swift build --product issue-station
swift build --product sscard-vpcd-loopback   # preloaded into the demo's pcscd: vpcd on 127.0.0.1 only
exec .build/debug/issue-station demo "$@"
