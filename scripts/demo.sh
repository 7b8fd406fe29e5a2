#!/usr/bin/env bash
# npm run demo [-- down]: makes sure an engine is there, builds tcompose, runs the demo stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh up
node scripts/build.mjs
node dist/demo.js "$@"
