#!/usr/bin/env bash
# npm run demo [-- down]: the main job. Makes sure an engine is there, builds tcompose, then brings the
# Flask + Redis visit counter (examples/flask-redis) up with tcompose — building its image — fetches the
# page twice to show the counter going up, and says how to tear it down. Safe to run again.
# WEB_PORT (default 8000) and COMPOSE_PROJECT_NAME (default flask-redis) change the port and the project,
# as for tcompose itself (test/e2e/demo.test.ts runs it on its own port and project).
set -euo pipefail
cd "$(dirname "$0")/.."
example=examples/flask-redis
tcompose() { node dist/tcompose.cjs -f "$example/compose.yaml" "$@"; }

bash scripts/engine.sh up
node scripts/build.mjs

if [ "${1:-}" = "down" ]; then
  tcompose down -v
  exit 0
fi

tcompose up -d --build --wait
port=$(tcompose port web 5000 | sed 's/.*://')
echo
counts=()
for _ in 1 2; do
  page=$(curl -fsS "http://127.0.0.1:${port}/")
  echo "GET http://127.0.0.1:${port}/ -> ${page}"
  counts+=("$(echo "$page" | sed -E 's/.* ([0-9]+) times.*/\1/')")
done
first=${counts[0]}
second=${counts[1]}
if [ "$second" -le "$first" ]; then
  echo "demo: the counter did not go up ($first, then $second)" >&2
  exit 1
fi
echo
echo "The counter goes up ($first, then $second); Redis keeps it in the volume ${COMPOSE_PROJECT_NAME:-flask-redis}_redis-data."
echo "Tear it down:  npm run demo -- down   (or: node dist/tcompose.cjs -f $example/compose.yaml down -v,"
echo "               or the reference: docker compose -f $example/compose.yaml down -v)"
