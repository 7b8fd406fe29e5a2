#!/usr/bin/env bash
# npm test: everything CI checks, on whatever Node is first on PATH.
#   an engine (scripts/engine.sh up), the reference oracle (scripts/reference.sh), lint, typecheck,
#   build, then every test layer (unit, integration, e2e) in one vitest run.
# Extra arguments go to vitest (e.g. npm test -- --project unit).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "engine"
bash scripts/engine.sh up

step "ssh-agent (BuildKit's ssh forwarding tests)"
if ! command -v ssh-agent >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  if ! apt-get install -qqy openssh-client >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -qqy openssh-client >/dev/null
  fi
fi
command -v ssh-agent || echo "WARNING: no ssh-agent (openssh-client); the ssh forwarding tests will fail" >&2

step "reference docker compose"
if ! bash scripts/reference.sh; then
  [ "${CI:-}" = true ] && { echo "the reference must be installed in CI" >&2; exit 1; }
  echo "WARNING: the reference docker compose could not be installed; tests that compare with it will be SKIPPED" >&2
fi

step "lint"
npx biome ci .
step "typecheck"
npx tsc --noEmit -p .
step "build"
node scripts/build.mjs

step "tests (node $(node --version))"
mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-results.json "$@" || status=$?
# One plain closing line that any CI reader understands, from vitest's own JSON report.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
