#!/usr/bin/env bash
# Runs the whole test suite: unit tests, simulator rules, and the integration tests that go
# through a real pcscd with vsmartcard's vpcd driver. Installs what it needs first (Debian, root).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/stop-stale-pcscd.sh

swift build --build-tests
swift test --skip-build "$@" 2>&1 | tee .build/test-output.txt
status=${PIPESTATUS[0]}
bash scripts/stop-stale-pcscd.sh
exit "$status"
