#!/usr/bin/env bash
# npm test: build and lint (sources and the built dist), type-check, then every tier: engine,
# sandbox and node (n8n-core) tiers in parallel, then the real-n8n end-to-end tier and the browser
# tier one test file at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run lint
npm run typecheck
bash scripts/provision-n8n.sh >/dev/null

mkdir -p .tmp
status=0
npx jest --selectProjects engine sandbox node --maxWorkers=2 --json --outputFile=.tmp/jest-unit.json || status=$?
npx jest --selectProjects e2e --runInBand --json --outputFile=.tmp/jest-e2e.json || status=$?
npx jest --selectProjects browser --runInBand --json --outputFile=.tmp/jest-browser.json || status=$?
if [ -e .n8n ]; then
  echo "a test wrote an n8n user folder (.n8n/) into the repository" >&2
  status=1
fi
node scripts/test-summary.js .tmp/jest-unit.json .tmp/jest-e2e.json .tmp/jest-browser.json
exit $status
