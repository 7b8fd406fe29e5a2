// Which fields of a service changed, for a recreate's cause: the container's labels hold only a hash of the
// service, so the fields come from comparing the create request the service would give now with the
// container's inspect data. Pure. A field the request leaves out (a removed `command`) cannot be told from
// the image's default, except for the few whose engine default is known (below); when nothing is found the
// cause stays "config hash changed".
import type { ContainerCreateRequest, ContainerDetails, ImageDetails } from "../engine/types.js";

/** The compose field each create-request field comes from. */
const configFields: Record<string, string> = {
  Image: "image",
  Cmd: "command",
  Entrypoint: "entrypoint",
  WorkingDir: "working_dir",
  User: "user",
  Hostname: "hostname",
  Domainname: "domainname",
  Tty: "tty",
  OpenStdin: "stdin_open",
  StopSignal: "stop_signal",
  StopTimeout: "stop_grace_period",
  Healthcheck: "healthcheck",
  MacAddress: "mac_address",
  ExposedPorts: "expose",
};

const hostFields: Record<string, string> = {
  Binds: "volumes",
  Mounts: "volumes",
  PortBindings: "ports",
  RestartPolicy: "restart",
  NetworkMode: "network_mode",
  Links: "links",
  VolumesFrom: "volumes_from",
  Privileged: "privileged",
  CapAdd: "cap_add",
  CapDrop: "cap_drop",
  Dns: "dns",
  DnsSearch: "dns_search",
  DnsOptions: "dns_opt",
  ExtraHosts: "extra_hosts",
  Init: "init",
  ReadonlyRootfs: "read_only",
  ShmSize: "shm_size",
  LogConfig: "logging",
  Sysctls: "sysctls",
  Ulimits: "ulimits",
  SecurityOpt: "security_opt",
  Tmpfs: "tmpfs",
  Devices: "devices",
  PidMode: "pid",
  IpcMode: "ipc",
  GroupAdd: "group_add",
  Memory: "mem_limit",
  MemoryReservation: "mem_reservation",
  NanoCpus: "cpus",
  CpuShares: "cpu_shares",
  CpusetCpus: "cpuset",
  PidsLimit: "pids_limit",
  OomKillDisable: "oom_kill_disable",
  Runtime: "runtime",
  UsernsMode: "userns_mode",
  Isolation: "isolation",
};

/** Host fields whose engine default is known: set on the container and absent from the request = removed. */
function isUnset(field: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (field === "RestartPolicy") return ["", "no"].includes(String((value as { Name?: string }).Name ?? ""));
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}
const removable = new Set([
  "Binds",
  "Mounts",
  "PortBindings",
  "RestartPolicy",
  "Privileged",
  "CapAdd",
  "CapDrop",
]);

/** `want` is found in `have`: equal scalars and arrays, and every key of an object (recursively). */
function contained(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => contained(w, have[i]));
  }
  if (want && typeof want === "object") {
    if (!have || typeof have !== "object" || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => contained(v, (have as Record<string, unknown>)[k]));
  }
  // The engine gives `null` for an empty list or map the request left empty.
  return want === undefined && have === null;
}

function toMap(entries: readonly string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries ?? []) {
    const i = e.indexOf("=");
    out.set(i < 0 ? e : e.slice(0, i), i < 0 ? "" : e.slice(i + 1));
  }
  return out;
}

/** Keys whose value differs, is new, or was removed (and is not the image's own). */
function changedKeys(
  want: Map<string, string>,
  have: Map<string, string>,
  image: Map<string, string>,
  skip: (key: string) => boolean = () => false,
): string[] {
  const out: string[] = [];
  for (const [k, v] of want) if (!skip(k) && have.get(k) !== v) out.push(k);
  for (const [k, v] of have) if (!skip(k) && !want.has(k) && image.get(k) !== v) out.push(k);
  return out;
}

/**
 * The compose fields (`environment.DB_HOST`, `image`, `ports`, …) in which the container differs from the
 * create request, sorted. `networks` are the networks the container should be on.
 */
export function changedFields(
  create: ContainerCreateRequest,
  networks: readonly string[],
  details: ContainerDetails,
  image?: Pick<ImageDetails, "env" | "labels">,
): string[] {
  const raw = details.raw as {
    Config?: Record<string, unknown>;
    HostConfig?: Record<string, unknown>;
    NetworkSettings?: { Networks?: Record<string, unknown> };
  };
  const config = raw.Config ?? {};
  const host = raw.HostConfig ?? {};
  const out = new Set<string>();
  for (const [field, name] of Object.entries(configFields)) {
    const want = (create as unknown as Record<string, unknown>)[field];
    if (want !== undefined && !contained(want, config[field])) out.add(name);
  }
  const env = changedKeys(toMap(create.Env), toMap(config.Env as string[] | undefined), toMap(image?.env));
  for (const k of env) out.add(`environment.${k}`);
  const labels = changedKeys(
    new Map(Object.entries(create.Labels ?? {})),
    new Map(Object.entries((config.Labels as Record<string, string> | null) ?? {})),
    new Map(Object.entries(image?.labels ?? {})),
    (k) => k.startsWith("com.docker.compose."),
  );
  for (const k of labels) out.add(`labels.${k}`);
  const wantHost = create.HostConfig ?? {};
  for (const [field, name] of Object.entries(hostFields)) {
    const want = wantHost[field];
    if (removable.has(field) && isUnset(field, want)) {
      if (!isUnset(field, host[field])) out.add(name);
    } else if (want !== undefined && !contained(want, host[field])) out.add(name);
  }
  const on = Object.keys(raw.NetworkSettings?.Networks ?? {}).sort();
  const mode = String(wantHost.NetworkMode ?? "");
  const shared = /^(container|service):|^(host|none)$/.test(mode);
  if (!shared && JSON.stringify([...new Set(networks)].sort()) !== JSON.stringify(on)) out.add("networks");
  return [...out].sort();
}
