#!/usr/bin/env bash
# Installs the reference Docker Compose v2 (Debian trixie's docker-compose package, 2.26) and the buildx
# plugin it builds with BuildKit through (docker-buildx, 0.13) into the project-local cache
# .cache/reference/, without touching the system's apt sources or upgrading anything, and prints their
# versions. Both are standalone binaries; tests and benchmarks use them as an oracle.
#
#   scripts/reference.sh          install if missing, print the versions
#   scripts/reference.sh --path   print the compose binary's path (empty and exit 1 when not installed)
#
# The reference 2.26.1 builds with BuildKit whether or not it finds the buildx plugin (buildx is compiled
# into it; measured here with an empty DOCKER_CONFIG: `#0 building with "default" instance using docker
# driver`); DOCKER_BUILDKIT=0 makes it build classic. The plugin goes to
# .cache/reference/buildkit-config/cli-plugins, the DOCKER_CONFIG the BuildKit tests give the reference,
# so that it builds as on a docker-ce install.
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

buildx="$dir/buildkit-config/cli-plugins/docker-buildx"

if [ ! -x "$bin" ] || [ ! -x "$buildx" ]; then
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
  (cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download docker-compose docker-buildx)
  extract=$(mktemp -d)
  for pkg in docker-compose docker-buildx; do
    dpkg-deb -x "$(ls "$apt_dir"/${pkg}_*.deb | tail -n 1)" "$extract"
  done
  install -m 0755 "$extract/usr/libexec/docker/cli-plugins/docker-compose" "$bin"
  install -D -m 0755 "$extract/usr/libexec/docker/cli-plugins/docker-buildx" "$buildx"
  rm -rf "$extract" "$apt_dir/lists" "$apt_dir/cache" "$apt_dir"/*.deb
fi

"$bin" version
"$buildx" version
