#!/usr/bin/env bash
# npm run test:e2e:load [-- RUNS]: the real-n8n tiers (end-to-end, then browser) RUNS times in a row
# (default 3) while a busy loop keeps one core occupied, to find tests that depend on timing. Prints
# each run's counts.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"

npm run --silent build >/dev/null
bash scripts/provision-n8n.sh >/dev/null
node -e 'for (;;) {}' &
hog=$!
trap 'kill $hog 2>/dev/null' EXIT

mkdir -p .tmp
failed=0
for run in $(seq 1 "$runs"); do
  started=$SECONDS
  npx jest --selectProjects e2e browser --runInBand --json --outputFile=".tmp/jest-e2e-load-$run.json" >".tmp/jest-e2e-load-$run.log" 2>&1 || true
  counts=$(node scripts/test-summary.js ".tmp/jest-e2e-load-$run.json")
  echo "run $run: $counts in $((SECONDS - started)) s (log: .tmp/jest-e2e-load-$run.log)"
  grep -q " 0 failed" <<<"$counts" || failed=1
done
exit $failed
