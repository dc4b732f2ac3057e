#!/usr/bin/env bash
# npm run bench [-- --full] [--repeats N] [--sizes 10000,100000,1000000] [--timeout-minutes N]
# Builds the package, provisions n8n (once per machine), then measures the Audience node against the
# HTTP Request node (one request per item) and a pass-through in one real n8n. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is required (apt-get install time)" >&2; exit 1; }
npm run build
bash scripts/provision-n8n.sh >/dev/null
# The driver holds the sandbox's state (up to 1,000,000 members) and reads large run data.
NODE_OPTIONS="--max-old-space-size=8192" npx tsx bench/run.ts "$@"
