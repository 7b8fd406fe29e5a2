#!/usr/bin/env bash
# A real multi-node Docker Swarm on this one machine, for the `stack` tests, offline.
#
#   scripts/swarm.sh up      make sure the cluster runs: $TCS_NODES (default 3) dockerd instances, each in
#                            its own network namespace (tcs-1..N, hostname tcs-nodeN) on a bridge in the
#                            root namespace; node 1 is the manager, the others join as workers. Waits for
#                            every node to be Ready and pulls the test images on each.
#   scripts/swarm.sh env     print DOCKER_HOST=... of the manager (export "$(scripts/swarm.sh env)").
#   scripts/swarm.sh status  print the node list; non-zero when the cluster is not up.
#   scripts/swarm.sh down    stop the daemons; remove the namespaces, links, bridge, rules and data.
#
# Settings: TCS_NODES (3; 1 gives a one-node swarm), TCS_IMAGES (images every node pulls on `up`),
# TCS_STATE (/var/lib/tcompose-swarm: data roots, logs) and TCS_RUN (/run/tcompose-swarm: sockets).
#
# The engine of the other tests (/var/run/docker.sock, scripts/engine.sh) is never touched: each node has
# its own --data-root, --exec-root, pid file, socket ($RUN/nodeN.sock, a path reachable from the root
# namespace), cgroup parent and engine key, and its iptables rules live in its own network namespace.
# Run as root. Every step is idempotent.
#
# Facts it relies on:
# - Underlay 198.18.99.0/24 (RFC 2544 test range): 10.99.x would lie in the main engine's pool
#   (10.64.0.0/10) and in Swarm's default overlay pool (10.0.0.0/8).
# - The main engine's bridges make the root namespace's FORWARD policy DROP and bridged frames go through
#   iptables (br_netfilter): one ACCEPT rule for frames from our bridge to our bridge.
# - The registry of scripts/engine.sh listens on 127.0.0.1:5000 only. Its port is DNATed from the bridge
#   address (route_localnet on the bridge), and inside each node 127.0.0.1:5000 is DNATed to the bridge
#   address, so nodes use the same mirror and the same 127.0.0.1:5000/... image names as the main engine.
# - VXLAN is built into this kernel (no modprobe). IPVS is not (CONFIG_IP_VS unset): Swarm's routing mesh
#   and VIP load balancing need it, so services reach each other with endpoint mode dnsrr here.
# - Each dockerd runs in its own mount and UTS namespaces too (see start_node), with the node's resolv.conf.
set -euo pipefail

NODES=${TCS_NODES:-3}
STATE=${TCS_STATE:-/var/lib/tcompose-swarm}
RUN=${TCS_RUN:-/run/tcompose-swarm}
NET=198.18.99
BRIDGE=tcs-br0
REGISTRY_PORT=5000
# Pulled on every node by `up` (from the local registry; most of a cold `up`'s time is redis's pulls).
read -r -a IMAGES <<<"${TCS_IMAGES:-busybox:1.36 redis:7-bookworm}"
RULE_TAG=tcompose-swarm

log() { printf 'swarm: %s\n' "$*" >&2; }
die() { printf 'swarm: error: %s\n' "$*" >&2; exit 1; }

node_ip() { echo "$NET.$((10 + $1))"; }
node_sock() { echo "$RUN/node$1.sock"; }
node_pid() { echo "$RUN/node$1.pid"; }
nd() { # node docker-args...
  local n=$1
  shift
  DOCKER_HOST="unix://$(node_sock "$n")" timeout 30 docker "$@"
}
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# The Engine API through curl for the checks: a docker CLI call costs ~0.3 s, an idempotent `up` many.
api() { curl -fsS -m 10 --unix-socket "$(node_sock "$1")" "http://node$2" 2>/dev/null; }
node_reachable() { api "$1" /_ping >/dev/null; }
swarm_state() { # node: inactive, pending, active, error, locked, or unreachable
  local info
  info=$(api "$1" /info) || { echo unreachable; return; }
  grep -o '"LocalNodeState":"[a-z]*"' <<<"$info" | cut -d'"' -f4 || echo unknown
}
nodes_in_state() { api 1 /nodes | grep -o '"Status":{"State":"'"$1"'"' | wc -l; }
ipt_ensure() { # table chain rule... : add the rule once (first in its chain)
  local table=$1 chain=$2
  shift 2
  iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null || iptables -w -t "$table" -I "$chain" 1 "$@"
}
ipt_delete() {
  local table=$1 chain=$2
  shift 2
  while iptables -w -t "$table" -C "$chain" "$@" 2>/dev/null; do iptables -w -t "$table" -D "$chain" "$@"; done
}

# --- network -----------------------------------------------------------------------------------------

bridge_rules() { # add|delete
  local op=ipt_ensure
  [ "$1" = delete ] && op=ipt_delete
  $op filter FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$RULE_TAG" -j ACCEPT
  $op nat PREROUTING -i "$BRIDGE" -d "$NET.1" -p tcp --dport "$REGISTRY_PORT" \
    -m comment --comment "$RULE_TAG" -j DNAT --to-destination "127.0.0.1:$REGISTRY_PORT"
}

net_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  sysctl -qw "net.ipv4.conf.$BRIDGE.route_localnet=1"
  bridge_rules add
  local n ns ip
  for n in $(seq "$NODES"); do
    ns=tcs-$n ip=$(node_ip "$n")
    [ -e "/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip netns exec "$ns" ip link show eth0 >/dev/null 2>&1; then
      ip link del "$ns-h" 2>/dev/null || true
      ip link add "$ns-h" type veth peer name "$ns-n"
      ip link set "$ns-n" netns "$ns"
      ip -n "$ns" link set "$ns-n" name eth0
      ip -n "$ns" addr add "$ip/24" dev eth0
    fi
    ip link set "$ns-h" master "$BRIDGE" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route replace default via "$NET.1"
    # 127.0.0.1:5000 inside the node is the registry behind the bridge address.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.route_localnet=1
    ip netns exec "$ns" bash -c "$(declare -f ipt_ensure); set -e
      ipt_ensure nat OUTPUT -d 127.0.0.1 -p tcp --dport $REGISTRY_PORT -j DNAT --to-destination $NET.1:$REGISTRY_PORT
      ipt_ensure nat POSTROUTING -s 127.0.0.1 -d $NET.1 -j SNAT --to-source $ip"
  done
}

# --- daemons -----------------------------------------------------------------------------------------

daemon_config() { # node
  cat <<EOF
{
  "registry-mirrors": ["http://127.0.0.1:$REGISTRY_PORT"],
  "cgroup-parent": "tcompose-swarm-node$1",
  "deprecated-key-path": "$STATE/node$1/key.json",
  "labels": ["tcompose.swarm.socket=unix://$(node_sock "$1")"]
}
EOF
}

start_node() { # node
  local n=$1
  node_reachable "$n" && return
  # Still starting: wait_node waits for it.
  pid_alive "$(node_pid "$n")" && return
  rm -f "$(node_pid "$n")"
  mkdir -p "$STATE/node$n" "$RUN/node$n"
  daemon_config "$n" >"$STATE/node$n.json"
  log "starting dockerd of node $n (log: $STATE/node$n.log)"
  # Its own mount namespace, with a /sys of the node's network namespace (as `ip netns exec` does, which
  # would hide the cgroup mounts dockerd needs: they are mounted again), and its own UTS namespace, so
  # `docker node ls` shows hostname tcs-nodeN.
  setsid nohup unshare --mount --propagation slave --uts -- nsenter --net="/run/netns/tcs-$n" -- \
    bash -c "$(declare -f node_mounts); set -e; node_mounts $STATE/resolv.conf; hostname tcs-node$n; exec dockerd \
    --config-file $STATE/node$n.json --data-root $STATE/node$n --exec-root $RUN/node$n \
    --pidfile $(node_pid "$n") -H unix://$(node_sock "$n")" >>"$STATE/node$n.log" 2>&1 </dev/null 9>&- &
}

# The host's nameserver is not reachable from the node: a lookup would time out (20 s) where the
# host's fails at once (offline), e.g. for registry-1.docker.io before a pull or a digest lookup. The
# node asks its own loopback instead, where nothing listens: the same immediate failure (the bridge
# address would do too, but its "port unreachable" replies are rate-limited: one lookup in two took 5 s).
node_mounts() { # resolv.conf (inside the node's mount namespace)
  local cgroups
  cgroups=$(awk '$2 ~ "^/sys/fs/cgroup" && ($3 == "tmpfs" || $3 ~ "^cgroup") {print $3, $2, $4}' /proc/self/mounts)
  umount -l /sys
  mount -t sysfs sysfs /sys
  local type dir opts
  while read -r type dir opts; do
    [ -n "$type" ] || continue
    mkdir -p "$dir"
    mount -t "$type" -o "$opts" "$type" "$dir"
  done <<<"$cgroups"
  mount --bind "$1" /etc/resolv.conf
}

wait_node() { # node
  for _ in $(seq 150); do node_reachable "$1" && return; sleep 0.2; done
  tail -n 20 "$STATE/node$1.log" >&2 || true
  die "dockerd of node $1 did not become reachable; see $STATE/node$1.log"
}

# --- swarm -------------------------------------------------------------------------------------------

join_node() { # node token
  local state
  # A node whose engine restarted rejoins by itself (pending, then active); under load /info may not
  # answer in time (unreachable). Joining it again meanwhile fails: "already part of a swarm".
  for _ in $(seq 100); do
    state=$(swarm_state "$1")
    [ "$state" = active ] && return
    [ "$state" = pending ] || [ "$state" = unreachable ] || break
    sleep 0.3
  done
  [ "$state" = inactive ] || nd "$1" swarm leave --force >/dev/null 2>&1 || true
  log "node $1 joins as a worker"
  nd "$1" swarm join --token "$2" --advertise-addr "$(node_ip "$1")" \
    --listen-addr "$(node_ip "$1"):2377" "$(node_ip 1):2377" >/dev/null
}

# The routing mesh's network with room for the tests' many services: swarm's own is a /24, and Engine 20.10's
# allocator keeps some addresses of removed tasks (measured: "could not find an available IP" on ingress after
# a few test runs, every new published port left unallocated). Replaced while no service exists.
INGRESS_SUBNET=10.128.0.0/16
wide_ingress() {
  local subnet
  subnet=$(nd 1 network inspect ingress --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' 2>/dev/null || true)
  [ "$subnet" = "$INGRESS_SUBNET" ] && return
  [ -z "$(nd 1 service ls -q)" ] || { log "ingress is $subnet (services exist: left as it is)"; return; }
  log "ingress network: $subnet -> $INGRESS_SUBNET"
  [ -z "$subnet" ] || echo y | nd 1 network rm ingress >/dev/null
  for _ in $(seq 50); do nd 1 network inspect ingress >/dev/null 2>&1 || break; sleep 0.2; done
  nd 1 network create --ingress --driver overlay --subnet "$INGRESS_SUBNET" ingress >/dev/null
}

swarm_up() {
  local state
  state=$(swarm_state 1)
  if [ "$state" != active ]; then
    log "swarm init on node 1 ($(node_ip 1))"
    nd 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" >/dev/null
  fi
  wide_ingress
  local token n pids=()
  token=$(nd 1 swarm join-token -q worker)
  for n in $(seq 2 "$NODES"); do
    join_node "$n" "$token" &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || die "a node could not join the swarm"; done
  local ready
  for _ in $(seq 150); do
    ready=$(nodes_in_state ready)
    [ "$ready" -ge "$NODES" ] && break
    sleep 0.2
  done
  if [ "$ready" -ge "$NODES" ]; then
    # Workers that left (nodes of an earlier, bigger cluster) stay listed as Down: remove them.
    [ "$(nodes_in_state down)" = 0 ] && return
    local id
    for id in $(nd 1 node ls --filter role=worker --format '{{.ID}} {{.Status}}' | awk '$2 == "Down" {print $1}'); do
      nd 1 node rm --force "$id" >/dev/null 2>&1 || true
    done
    return
  fi
  nd 1 node ls >&2 || true
  die "only $ready of $NODES nodes are Ready"
}

pull_images() {
  local n image pids=() failed=0
  for n in $(seq "$NODES"); do
    for image in "${IMAGES[@]}"; do
      api "$n" "/images/$image/json" >/dev/null && continue
      nd "$n" pull -q "$image" >/dev/null &
      pids+=($!)
    done
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ $failed -eq 0 ] || log "warning: some images could not be pulled (is scripts/engine.sh's registry on 127.0.0.1:$REGISTRY_PORT seeded?)"
}

# --- commands ----------------------------------------------------------------------------------------

up() {
  [ "$(id -u)" = 0 ] || die "run as root (network namespaces, dockerd)"
  local cmd
  for cmd in dockerd docker ip iptables unshare; do command -v "$cmd" >/dev/null || die "$cmd is missing (run scripts/engine.sh up)"; done
  [ "$NODES" -ge 1 ] || die "TCS_NODES must be at least 1"
  mkdir -p "$STATE" "$RUN"
  # Written in place: running nodes see it at once through their bind mount.
  echo "nameserver 127.0.0.1" >"$STATE/resolv.conf"
  net_up
  local n
  for n in $(seq "$NODES"); do start_node "$n"; done
  for n in $(seq "$NODES"); do wait_node "$n"; done
  swarm_up
  pull_images
  log "ready: $NODES nodes; $(env_line)"
}

env_line() { echo "DOCKER_HOST=unix://$(node_sock 1)"; }

status() {
  if ! node_reachable 1 || [ "$(swarm_state 1)" != active ]; then
    echo "swarm: not up"
    return 1
  fi
  nd 1 node ls
}

kill_cgroup() { # node: kill the processes of the node's containers (its cgroup parent)
  local procs
  procs=$(find /sys/fs/cgroup/"tcompose-swarm-node$1" /sys/fs/cgroup/*/"tcompose-swarm-node$1" \
    -name cgroup.procs -exec cat {} + 2>/dev/null || true)
  [ -z "$procs" ] || kill -9 $procs 2>/dev/null || true
}

stop_node() { # node
  local n=$1 pidfile pid
  pidfile=$(node_pid "$n")
  if pid_alive "$pidfile"; then
    pid=$(cat "$pidfile")
    kill "$pid"
    # The cluster is going away and its data with it: no need for grace. dockerd would stop each
    # container with its grace period, so they are killed at once (nothing restarts them once dockerd
    # is shutting down), and a dockerd that still waits for the other nodes after 5 s is killed.
    for _ in $(seq 25); do
      kill -0 "$pid" 2>/dev/null || break
      kill_cgroup "$n"
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    log "stopped dockerd of node $n"
  fi
  # Whatever is left in the node's namespace (containerd, shims) was started by this script.
  if [ -e "/run/netns/tcs-$n" ]; then
    local left
    left=$(ip netns pids "tcs-$n" 2>/dev/null || true)
    [ -z "$left" ] || kill -9 $left 2>/dev/null || true
    for _ in $(seq 25); do [ -z "$(ip netns pids "tcs-$n" 2>/dev/null)" ] && break; sleep 0.2; done
    ip netns del "tcs-$n"
  fi
  ip link del "tcs-$n-h" 2>/dev/null || true
  # The node's cgroups (its containers' are gone with it, unless dockerd had to be killed).
  kill_cgroup "$n"
  local dir
  for dir in /sys/fs/cgroup/"tcompose-swarm-node$n" /sys/fs/cgroup/*/"tcompose-swarm-node$n"; do
    [ -d "$dir" ] || continue
    for _ in $(seq 25); do
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [ -d "$dir" ] || break
      sleep 0.2
    done
  done
}

down() {
  [ "$(id -u)" = 0 ] || die "run as root"
  local n
  # Every node this or an earlier run made, whatever TCS_NODES says now.
  for n in $(seq 9); do
    [ -e "/run/netns/tcs-$n" ] || [ -e "$(node_pid "$n")" ] || [ -d "$STATE/node$n" ] || continue
    stop_node "$n" &
  done
  wait
  bridge_rules delete
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$STATE" "$RUN"
}

# Test files that run side by side may call `up` at the same time: one at a time (the daemons do not
# inherit the lock).
lock() {
  exec 9>"$RUN.lock"
  flock 9
}

case "${1:-up}" in
  up) lock && up ;;
  env) env_line ;;
  status) status ;;
  down) lock && down ;;
  *) die "usage: scripts/swarm.sh up|down|status|env" ;;
esac
