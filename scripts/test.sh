#!/usr/bin/env bash
# Runs the whole test suite: unit tests, simulator rules, and the integration tests that go
# through a real pcscd with vsmartcard's vpcd driver. Installs what it needs first (Debian, root).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/stop-stale-pcscd.sh

swift build --build-tests
# The suite is XCTest; Swift Testing would only add a "0 tests" closing line.
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee .build/test-output.txt
status=${PIPESTATUS[0]}
bash scripts/stop-stale-pcscd.sh

# One closing line with the totals of XCTest's last summary ("All tests"), which may count
# skipped tests: "Executed 757 tests, with 1 test skipped and 0 failures".
pattern='Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?'
summary=$(grep -E "$pattern" .build/test-output.txt | tail -n 1)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
skipped=0
if grep -qE 'tests? skipped' <<<"$summary"; then
  skipped=$(sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
fi
if [ -n "$summary" ]; then
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit "$status"
