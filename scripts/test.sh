#!/usr/bin/env bash
# npm test: build and lint (sources and the built dist), type-check, provision what the real tiers
# drive (n8n; Chromium, PostgreSQL, Redis and a local npm registry), then every tier: engine,
# sandbox and node (n8n-core) tiers in parallel, then the real-n8n end-to-end tier, the browser tier and the scale-out tier
# (n8n's queue mode on PostgreSQL and Redis) one test file at a time. Prints each step's time.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
took() { echo "test: $1 took $((SECONDS - $2)) s" >&2; }

t=$SECONDS; npm run lint; took "lint and build" "$t"
t=$SECONDS; npm run typecheck; took "type-check" "$t"
t=$SECONDS; bash scripts/provision-n8n.sh >/dev/null; took "provisioning n8n" "$t"
# Chromium and a local npm registry (Verdaccio) for the browser tier, PostgreSQL and Redis for the
# scale-out tier (each step timed on stderr).
t=$SECONDS
services=$(bash scripts/provision-services.sh)
took "provisioning Chromium, PostgreSQL, Redis and Verdaccio" "$t"
CHROMIUM_PATH=$(sed -n 's/^chromium=//p' <<<"$services")
export CHROMIUM_PATH

mkdir -p .tmp
status=0
tier() {
  local name=$1 t=$SECONDS
  shift
  npx jest "$@" --json --outputFile=".tmp/jest-$name.json" || status=$?
  took "the $name tier" "$t"
}
tier unit --selectProjects engine sandbox node --maxWorkers=2
tier e2e --selectProjects e2e --runInBand
tier browser --selectProjects browser --runInBand
tier scaleout --selectProjects scaleout --runInBand
if [ -e .n8n ]; then
  echo "a test wrote an n8n user folder (.n8n/) into the repository" >&2
  status=1
fi
node scripts/test-summary.js .tmp/jest-unit.json .tmp/jest-e2e.json .tmp/jest-browser.json .tmp/jest-scaleout.json
took "npm test" "$started"
exit $status
