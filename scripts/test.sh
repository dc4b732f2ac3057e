#!/usr/bin/env bash
# npm test: lint, type-check, build, then every tier (engine/sandbox/node, then real n8n end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run lint
npm run typecheck
npm run build
bash scripts/provision-n8n.sh >/dev/null

mkdir -p .tmp
status=0
npx jest --selectProjects unit --maxWorkers=2 --json --outputFile=.tmp/jest-unit.json || status=$?
npx jest --selectProjects e2e --runInBand --json --outputFile=.tmp/jest-e2e.json || status=$?
node scripts/test-summary.js .tmp/jest-unit.json .tmp/jest-e2e.json
exit $status
