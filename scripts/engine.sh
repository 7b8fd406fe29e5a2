#!/usr/bin/env bash
# A real Docker Engine for tcompose's tests and demo, offline.
#
#   scripts/engine.sh up      make sure an engine is reachable: if one already is (yours, or DOCKER_HOST),
#                             change nothing about it; otherwise, as root on Debian, install docker.io and a
#                             local registry, start both, and seed the offline images. An engine this
#                             script started with an older configuration is restarted with the current one.
#   scripts/engine.sh seed    build the offline images and push them to the local registry (only for the
#                             engine this script started; a user's own Docker is never seeded implicitly).
#   scripts/engine.sh status  say which engine is reachable and whether this script started it.
#   scripts/engine.sh down    stop the engine and registry this script started.
#
# Facts it relies on: Debian's dockerd pulls docker.io images through a registry mirror, and Debian's
# docker-registry is a real registry, so `docker pull busybox:1.36` is served from 127.0.0.1:5000 once
# library/busybox:1.36 was pushed there. Images are made from Debian packages (busybox-static, debootstrap).
# Every step is idempotent; root filesystems are cached between runs under $TCOMPOSE_CACHE.
set -euo pipefail

STATE=${TCOMPOSE_ENGINE_STATE:-/var/lib/tcompose-engine}
CACHE=${TCOMPOSE_CACHE:-/var/cache/tcompose}
REGISTRY_ADDR=127.0.0.1:5000
DEBIAN_MIRROR=${TCOMPOSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# tmux: the tests drive interactive commands (exec, run) through a real terminal.
PACKAGES=(docker.io docker-registry busybox-static debootstrap iptables curl ca-certificates tmux)

log() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: error: %s\n' "$*" >&2; exit 1; }

engine_reachable() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
registry_reachable() { curl -fsS -m 3 "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
ours() { pid_alive "$STATE/dockerd.pid"; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  apt-get update -qq
  # policy-rc.d keeps a systemd machine's package scripts from starting their own dockerd/registry:
  # this script starts them itself, with the mirror configured.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ $own_policy -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
}

start_registry() {
  registry_reachable && return
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting the local registry on $REGISTRY_ADDR"
  setsid nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 </dev/null &
  echo $! >"$STATE/registry.pid"
  for _ in $(seq 50); do registry_reachable && return; sleep 0.2; done
  die "the registry did not start; see $STATE/registry.log"
}

# Our own daemon.json (not /etc/docker's), so a machine's configuration is left as it is. Networks get
# /22s (1022 addresses: a project of hundreds of services fits on one network) from 10.64.0.0/10 (4096
# of them) instead of the default /16s of 172.17-31 (15): tests that run side by side create many
# networks, and the 172.29.x subnets some tests fix stay free.
daemon_config() {
  cat <<EOF
{
  "registry-mirrors": ["http://$REGISTRY_ADDR"],
  "default-address-pools": [{ "base": "10.64.0.0/10", "size": 22 }]
}
EOF
}
# The pool an earlier version of this script gave (/24s, too small for big projects).
OLD_POOL_RE='^10\.210\.[0-9]+\.0/24$'

start_dockerd() {
  # A pid file left by a dockerd that is gone (killed with the session) would stop the new one.
  pid_alive "$STATE/dockerd.pid" || rm -f "$STATE/dockerd.pid"
  daemon_config >"$STATE/daemon.json"
  log "starting dockerd (log: $STATE/dockerd.log)"
  setsid nohup dockerd --config-file "$STATE/daemon.json" --pidfile "$STATE/dockerd.pid" \
    >>"$STATE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 150); do engine_reachable && return; sleep 0.2; done
  tail -n 20 "$STATE/dockerd.log" >&2 || true
  die "dockerd did not become reachable; see $STATE/dockerd.log"
}

stop_pid() { # pid-file name
  local pid
  pid_alive "$1" || return 0
  pid=$(cat "$1")
  kill "$pid"
  # Wait for it to be gone (dockerd stops its containers first), so a start right after starts clean.
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then die "$2 (pid $pid) did not stop"; fi
  log "stopped $2"
}

# Our engine started with an older daemon.json (e.g. the /24 pool): write the current one and restart
# it. Existing networks keep their subnets, so those from the old pool that no container (running or
# not) uses are removed; the others stay until their project removes them.
update_dockerd() {
  [ -f "$STATE/daemon.json" ] && [ "$(cat "$STATE/daemon.json")" = "$(daemon_config)" ] && return
  log "the engine's configuration changed: restarting the dockerd this script started"
  stop_pid "$STATE/dockerd.pid" dockerd
  start_dockerd
  # Our dockerd's own socket, whatever DOCKER_HOST or the docker context point at.
  local ours_cli=(docker -H unix:///var/run/docker.sock) id name subnet
  while read -r id name; do
    case "$name" in bridge | host | none) continue ;; esac
    subnet=$("${ours_cli[@]}" network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' "$id" 2>/dev/null) || continue
    subnet=${subnet%% *}
    [[ "$subnet" =~ $OLD_POOL_RE ]] || continue
    # By name too: a container that never ran is listed under the network's name only.
    if [ -n "$("${ours_cli[@]}" ps -aq --filter "network=$id" --filter "network=$name")" ]; then
      log "network $name keeps its old subnet $subnet (containers use it)"
    elif "${ours_cli[@]}" network rm "$id" >/dev/null 2>&1; then
      log "removed network $name (old subnet $subnet, unused)"
    fi
  done < <("${ours_cli[@]}" network ls --format '{{.ID}} {{.Name}}')
}

# --- images ------------------------------------------------------------------------------------------

registry_has() { # name tag
  curl -fs -m 5 -o /dev/null \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/library/$1/manifests/$2"
}

# Root filesystems are cached as tarballs keyed by their recipe, so a second run (or a fresh clone on
# the same machine) imports in seconds; change a recipe's version to rebuild it.
rootfs_busybox() { # out.tar
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/root" "$dir/tmp" \
    "$dir/var/www" "$dir/home"
  chmod 1777 "$dir/tmp"
  cp /bin/busybox "$dir/bin/busybox"
  local applet
  while read -r applet; do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$dir/$applet"
  done < <(/bin/busybox --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$dir/etc/group"
  tar -C "$dir" -cf "$1" .
  rm -rf "$dir"
}

debootstrap_rootfs() { # out.tar packages-csv cleanup-function
  local dir
  dir=$(mktemp -d)
  # A package cache per root filesystem: two debootstraps running at once must not share one.
  local debs="$CACHE/debs/$(basename "$1" .tar.tmp)"
  mkdir -p "$debs"
  log "debootstrap $SUITE with $2 (a few minutes, once per machine)"
  debootstrap --variant=minbase --cache-dir="$debs" --include="$2" "$SUITE" "$dir" "$DEBIAN_MIRROR" \
    >"$1.log" 2>&1 || { tail -n 20 "$1.log" >&2; rm -rf "$dir"; die "debootstrap failed; see $1.log"; }
  "$3" "$dir"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log
  tar -C "$dir" -cf "$1" .
  rm -rf "$dir"
}

python_cleanup() {
  # pip may install into the system site-packages, like the official image; requirements that
  # Debian's packages already satisfy (Flask 2.2, redis-py 4.3) then install offline.
  rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED
}

redis_cleanup() {
  # The official image's entrypoint runs redis-server with protected mode off, so other containers
  # on the project network can connect; do the same whatever arguments the service's command gives.
  cat >"$1/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "$1" in -*|*.conf) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then set -- "$@" --protected-mode no; fi
exec "$@"
EOF
  chmod +x "$1/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$1/data"
}

rootfs_python() { debootstrap_rootfs "$1" python3,python3-pip,python-is-python3,python3-flask,python3-redis python_cleanup; }
rootfs_redis() { debootstrap_rootfs "$1" redis-server redis_cleanup; }

# name tag recipe-function recipe-version docker-import-changes...
seed_image() {
  local name=$1 tag=$2 recipe=$3 version=$4
  shift 4
  if registry_has "$name" "$tag"; then log "$name:$tag is in the registry"; return; fi
  mkdir -p "$CACHE/rootfs"
  local tarball="$CACHE/rootfs/$name-$tag-$version.tar"
  if [ ! -s "$tarball" ]; then "$recipe" "$tarball.tmp" && mv "$tarball.tmp" "$tarball"; fi
  local ref="$REGISTRY_ADDR/library/$name:$tag" args=()
  local change
  for change in "$@"; do args+=(-c "$change"); done
  docker import "${args[@]}" "$tarball" "$ref" >/dev/null
  docker push -q "$ref" >/dev/null
  log "pushed $name:$tag"
}

seed() {
  ours || die "seed only seeds the engine this script started (start it with: scripts/engine.sh up)"
  registry_reachable || die "the local registry on $REGISTRY_ADDR is not running"
  seed_image busybox 1.36 rootfs_busybox v1 'CMD ["sh"]'
  # The two debootstraps are independent: build their root filesystems side by side.
  local pids=()
  seed_image python 3.11-slim-bookworm rootfs_python v1 'ENV LANG=C.UTF-8' \
    'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' 'ENV PIP_ROOT_USER_ACTION=ignore' 'CMD ["python3"]' &
  pids+=($!)
  seed_image redis 7-bookworm rootfs_redis v1 'WORKDIR /data' 'VOLUME /data' 'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["redis-server"]' &
  pids+=($!)
  local pid failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ $failed -eq 0 ] || die "seeding failed"
}

# --- commands ----------------------------------------------------------------------------------------

up() {
  if ours && engine_reachable; then
    update_dockerd
    start_registry
    seed
    return
  fi
  if engine_reachable; then
    log "an engine is already reachable ($(docker context show 2>/dev/null || echo default)); leaving it as it is"
    return
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then die "DOCKER_HOST=$DOCKER_HOST is set but does not answer"; fi
  [ "$(id -u)" = 0 ] || die "no Docker Engine is reachable; start Docker, or run this script as root on Debian"
  command -v apt-get >/dev/null || die "no Docker Engine is reachable, and this is not a Debian machine"
  mkdir -p "$STATE" "$CACHE"
  install_packages
  start_registry
  start_dockerd
  seed
  log "ready: $(docker version --format 'Docker Engine {{.Server.Version}} (API {{.Server.APIVersion}})')"
}

status() {
  if engine_reachable; then
    local who="not started by this script"
    ours && who="started by this script (state in $STATE)"
    echo "engine: reachable, $(docker version --format '{{.Server.Version}}'), $who"
  else
    echo "engine: not reachable"
    return 1
  fi
}

down() {
  stop_pid "$STATE/dockerd.pid" dockerd
  stop_pid "$STATE/registry.pid" registry
}

case "${1:-up}" in
  up) up ;;
  seed) seed ;;
  status) status ;;
  down) down ;;
  *) die "usage: scripts/engine.sh up|seed|status|down" ;;
esac
