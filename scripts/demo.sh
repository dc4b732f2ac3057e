#!/usr/bin/env bash
# npm run demo [-- --ui]: everything from a fresh clone; n8n is provisioned on first use, cached after.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/n8n-core ] || npm ci
npm run --silent build >/dev/null
bash scripts/provision-n8n.sh >/dev/null
exec npx tsx scripts/demo.ts "$@"
