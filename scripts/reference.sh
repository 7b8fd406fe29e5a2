#!/usr/bin/env bash
# Installs the reference Docker Compose v2 (Debian trixie's docker-compose package, 2.26) into the
# project-local cache .cache/reference/, without touching the system's apt sources or upgrading anything,
# and prints its version. The binary is a standalone CLI plugin; tests and benchmarks use it as an oracle.
#
#   scripts/reference.sh          install if missing, print the version
#   scripts/reference.sh --path   print the binary's path (empty and exit 1 when not installed)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.cache/reference"
bin="$dir/docker-compose"
suite=${TCOMPOSE_REFERENCE_SUITE:-trixie}
mirror=${TCOMPOSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ "${1:-}" = --path ]; then
  [ -x "$bin" ] && echo "$bin" && exit 0
  exit 1
fi

if [ ! -x "$bin" ]; then
  command -v apt-get >/dev/null || { echo "reference: apt-get is needed to fetch the reference" >&2; exit 1; }
  apt_dir="$dir/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$apt_dir/sources.list"
  # A private apt configuration: its own sources list, package lists and cache, so the system's
  # apt state is neither read nor changed.
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
  echo "reference: fetching docker-compose from Debian $suite" >&2
  apt-get "${apt_opts[@]}" -qq update
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download docker-compose)
  deb=$(ls "$apt_dir"/docker-compose_*.deb | tail -n 1)
  extract=$(mktemp -d)
  dpkg-deb -x "$deb" "$extract"
  install -m 0755 "$extract/usr/libexec/docker/cli-plugins/docker-compose" "$bin"
  rm -rf "$extract" "$apt_dir/lists" "$apt_dir/cache"
fi

"$bin" version
