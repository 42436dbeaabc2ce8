#!/bin/bash
# The whole test suite: unit tests and integration tests that run real containers (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
rm -rf .work/test-rootfs
log=$(mktemp)
status=0
dotnet test tests/Warren.Tests --nologo 2>&1 | tee "$log" || status=$?
# One plain closing line: "N passed, N failed, N skipped".
sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\), Skipped: *\([0-9]*\).*/tests: \2 passed, \1 failed, \3 skipped/p' "$log" | tail -n 1
rm -f "$log"
exit $status
