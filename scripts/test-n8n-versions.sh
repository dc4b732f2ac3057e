#!/usr/bin/env bash
# npm run test:n8n-versions: the packed package on several n8n versions. For each version: provision
# it (timed; a version that does not install is recorded with npm's reason and the run goes on), run
# the e2e files that prove loading and syncing (on 2.x also the Community Nodes screen in Chromium),
# then print a table. Exits 1 if a test failed or the
# pinned version (provision-n8n.sh's default) did not install. Not part of `npm test`.
#
#   N8N_VERSIONS   versions to run (default "<pinned> 2.x 1.x"). `2.x` is the newest stable 2.x
#                  newer than the pinned one that installs, found at run time: the newest first, at
#                  most 3 tried (a release can name a dependency the registry lacks, as 2.41.3 did).
#                  `1.x` is the last 1.x line as provision-n8n.sh pins it.
#   AUDIENCE_SYNC_CACHE  passed on to provision-n8n.sh and the harness.
set -euo pipefail
cd "$(dirname "$0")/.."
# The pinned version is provision-n8n.sh's default (N8N_VERSION:-<version>).
PINNED=$(grep -m 1 -oE 'N8N_VERSION:-[0-9.]+' scripts/provision-n8n.sh | cut -d- -f2)
VERSIONS=${N8N_VERSIONS:-"$PINNED 2.x 1.x"}
# About 5 minutes per version: the packed package loads, Batch (project and legacy APIs) and
# CommBox syncs, delta sync across runs. The other e2e files add failure cases, not n8n versions.
FILES=(test/e2e/package.e2e.test.ts test/e2e/batchSync.e2e.test.ts test/e2e/commBox.e2e.test.ts
  test/e2e/customAudience.e2e.test.ts test/e2e/deltaSync.e2e.test.ts)
# On 2.x, also the install, update and uninstall from the editor's Community Nodes screen (about
# 2 minutes; its selectors are 2.x's editor, which 1.x does not have).
BROWSER_2X=(test/browser/communityNodes.test.ts)
# Two delta sync tests (about 2 minutes) check the engine's Mirror and mapping rules over runs: the
# other delta sync tests already carry what a run keeps through n8n's static data on each version.
SKIP='^(?!delta sync in a real n8n (Mirror the Input|sends everyone again))'
mkdir -p .tmp
rows=() status=0

# Stable 2.x versions above the pinned one, newest first (pre-releases have a suffix and do not match).
newest_2x() {
  npm view n8n versions --json | grep -oE '"2\.[0-9]+\.[0-9]+"' | tr -d '"' | sort -rV \
    | awk -v pinned="$PINNED" '$0 == pinned || n == 3 { exit } { print; n++ }'
}

# Provisions $1 and runs the files on it; returns 1 when it does not install.
run_version() {
  local asked=$1 version log t jest_json reason provisioned
  log=.tmp/provision-n8n-$asked.log t=$SECONDS
  echo "test-n8n-versions: n8n $asked: provisioning" >&2
  # Progress to the terminal and to the log; provision-n8n.sh prints node= and n8n= on stdout.
  if ! N8N_VERSION=$asked bash scripts/provision-n8n.sh 2>&1 >"$log.out" | tee "$log" >&2; then
    # npm's own reason (e.g. "notarget No matching version found for …"), else the step that failed.
    reason=$(grep '^npm error' "$log" | grep -v -e '^npm error code' -e 'complete log' | head -n 1 | sed 's/^npm error //')
    [ -n "$reason" ] || reason=$(grep '^provision-n8n: step' "$log" | tail -n 1 | sed 's/^provision-n8n: //')
    rows+=("$asked|no: ${reason:-see $log}|-|-|$((SECONDS - t)) s, -")
    return 1
  fi
  version=$(sed -n 's|^n8n=.*/n8n-||p' "$log.out")
  provisioned=$((SECONDS - t)) t=$SECONDS jest_json=.tmp/jest-n8n-$version.json
  rm -f "$jest_json"
  local files=("${FILES[@]}")
  [[ "$version" == 1.* ]] || files+=("${BROWSER_2X[@]}")
  N8N_VERSION=$version npx jest "${files[@]}" --selectProjects e2e browser --runInBand --testNamePattern="$SKIP" \
    --json --outputFile="$jest_json" || status=1
  # passed|failed from jest's report, with the tests SKIP leaves out and the files that could not run.
  rows+=("$version|yes|$(node -e '
    try {
      const r = require(process.argv[1]);
      const skipped = r.numPendingTests ? " (" + r.numPendingTests + " skipped)" : "";
      const broken = r.numRuntimeErrorTestSuites ? " (+" + r.numRuntimeErrorTestSuites + " files that did not run)" : "";
      console.log(r.numPassedTests + skipped + "|" + r.numFailedTests + broken);
    } catch { console.log("-|no jest report") }' "$PWD/$jest_json")|$provisioned s, $((SECONDS - t)) s")
}

npm run build --silent
for asked in $VERSIONS; do
  if [ "$asked" != 2.x ]; then
    run_version "$asked" || { [ "$asked" != "$PINNED" ] || status=1; }
    continue
  fi
  candidates=$(newest_2x) || { rows+=("2.x|no: npm view n8n versions failed|-|-|-"); continue; }
  [ -n "$candidates" ] || rows+=("2.x|(none newer than $PINNED)|-|-|-")
  for candidate in $candidates; do run_version "$candidate" && break; done
done
[ ! -e .n8n ] || { echo "a test wrote an n8n user folder (.n8n/) into the repository" >&2; status=1; }

echo
{
  echo "n8n version|installed?|tests passed|failed|time (provision, tests)"
  printf '%s\n' "${rows[@]}"
} | column -t -s '|' -o ' | '
exit $status
