// The one mapping from a service of the loaded model (the long form `config --format json` prints) to the
// body of POST /containers/create that docker compose 2.26 sends for it (pkg/compose/create.go,
// getCreateConfigs), so containers created by either tool look the same to the other. Pure: everything the
// reference learns from the engine (image id, real network names, ids of containers it shares namespaces
// with, containers of linked services, the API version) comes in through the context.
//
// Facts observed on docker compose 2.26.1 against Engine 20.10 (API 1.41), see
// test/integration/container-spec.reference.test.ts:
// - bind mounts with `create_host_path` (every short `./a:/b` entry) go to HostConfig.Binds as
//   "source:target:rw|ro[,selinux][,propagation]"; long-form binds without it, named and anonymous volumes,
//   tmpfs volumes and file secrets/configs go to HostConfig.Mounts (the engine keeps both);
// - only the highest-priority network is in the create request (NetworkMode + one EndpointsConfig); below
//   API 1.44 the others are connected one by one before start (`connect` here), from 1.44 on all are sent;
// - aliases are [container name, service name, ...network aliases]; the engine appends the short id;
// - Env, Ulimits, Mounts, ExtraHosts and the depends_on label come from Go maps, so the reference's order
//   varies from run to run; here they are written in a stable order (Env and depends_on sorted by name).
import path from "node:path";
import type { ContainerCreateRequest, Labels } from "./engine/types.js";
import { builtImageName, composeVersion, containerName, label, oneoffValue } from "./labels.js";
import type {
  ComposeModel,
  DeviceRequest,
  FileReference,
  Healthcheck as ModelHealthcheck,
  Service,
  ServiceDevice,
  ServiceNetwork,
  ServicePort,
  ServiceVolume,
  ThrottleDevice,
  VolumeBindOptions,
  WeightDevice,
} from "./load/types.js";
import { parseGoDuration, parseSize } from "./load/units.js";

/**
 * The value of `com.docker.compose.version`. Decision: the reference version tcompose is compatible with,
 * not tcompose's own. The reference only writes this label (api.VersionLabel is never read back in 2.26:
 * not by convergence, ps, ls nor down), so any value works for it; the reference's own value keeps the
 * containers identical whichever tool created them, and tells other tools (Desktop, IDEs) which compose
 * behaviour the project follows.
 */

export interface ContainerSpecContext {
  project: string;
  service: string;
  /** The container number (`com.docker.compose.container-number`). */
  number: number;
  /** The project's working directory (absolute). */
  workingDir: string;
  /** The compose files, absolute; joined with "," in the label. */
  configFiles: string[];
  /** Only the `--env-file` files (absolute): the reference writes the label only when the flag is given. */
  envFiles?: string[];
  /**
   * Each network of the model (its key) to the name the engine knows it by: `networks.<key>.name`. The
   * reference uses the network id for an external network.
   */
  networks: Record<string, string>;
  /** Each volume of the model (its key) to its real name: `volumes.<key>.name`. */
  volumes: Record<string, string>;
  /** The model's top-level `volumes` (for driver_opts o=bind), `secrets` and `configs` declarations. */
  declared?: Pick<ComposeModel, "volumes" | "secrets" | "configs">;
  /** The image's id ("sha256:…"), for `com.docker.compose.image`; the label is left out when unknown. */
  imageId?: string;
  configHash: string;
  /** The engine's API version: 1.44 changed how networks and MAC addresses are sent. Default 1.41. */
  apiVersion?: string;
  /** `run` containers: oneoff "True" and no network aliases unless asked for. */
  oneoff?: boolean;
  /** False leaves the service name and network aliases out (`run` without --use-aliases). Default true. */
  useNetworkAliases?: boolean;
  /** Canonical names of the containers of each service named in `links` (and of this one for `run`). */
  linkedContainers?: Record<string, string[]>;
  /**
   * On recreate, the replaced container's anonymous volumes (and the volumes at its image's VOLUME
   * paths), which the new container takes over so their data survives (create.go
   * buildContainerMountOptions with `inherit`). See inheritedMounts.
   */
  inherited?: Mount[];
}

export interface NetworkConnectRequest {
  network: string;
  EndpointConfig: EndpointSettings;
}

export interface ContainerSpec {
  create: ContainerCreateRequest;
  /** Networks to connect before start, in priority order (engines below API 1.44). */
  connect: NetworkConnectRequest[];
}

type EndpointSettings = NonNullable<ContainerCreateRequest["NetworkingConfig"]>["EndpointsConfig"][string];

export class ContainerSpecError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(`service ${service}: ${message}`);
  }
}

export interface Mount {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** The container for one service, as the reference's `up`/`create` would create it. */
export function containerSpec(service: Service, context: ContainerSpecContext): ContainerSpec {
  const name = service.container_name ?? defaultName(context);
  const create: ContainerCreateRequest = {
    name,
    Image: service.image ?? builtImageName(context.project, context.service),
    // create.go: AttachStdout/AttachStderr are always true; AttachStdin only for `run -i`.
    AttachStdout: true,
    AttachStderr: true,
    Labels: containerLabels(service, context),
  };
  const host: HostConfig = {};
  for (const rule of configRules) rule(service, create, context);
  for (const rule of hostRules) rule(service, host, context);
  const { binds, mounts } = volumeMounts(service, context);
  if (binds.length > 0) host.Binds = binds;
  if (mounts.length > 0) host.Mounts = mounts;
  const links = containerLinks(service, context);
  if (links.length > 0) host.Links = links;
  const network = networkSettings(service, context, name, links);
  host.NetworkMode = network.mode;
  if (network.endpoints) create.NetworkingConfig = { EndpointsConfig: network.endpoints };
  if (network.macAddress) create.MacAddress = network.macAddress;
  if (service.network_mode === "disabled") create.NetworkDisabled = true;
  create.HostConfig = host;
  return { create, connect: network.connect };
}

function defaultName(context: ContainerSpecContext): string {
  return containerName(context.project, context.service, context.number);
}

// ---------------------------------------------------------------------------------------------------------
// Labels

/**
 * Service labels, then the reference's own (cmd/compose/compose.go CustomLabels and create.go
 * prepareLabels), which win over a service label of the same name.
 */
export function containerLabels(service: Service, context: ContainerSpecContext): Labels {
  const labels: Labels = { ...service.labels };
  labels[label.project] = context.project;
  labels[label.service] = context.service;
  labels[label.version] = composeVersion;
  labels[label.workingDir] = context.workingDir;
  labels[label.configFiles] = context.configFiles.join(",");
  labels[label.oneoff] = oneoffValue(context.oneoff ?? false);
  if (context.envFiles && context.envFiles.length > 0)
    labels[label.environmentFile] = context.envFiles.join(",");
  if (context.imageId) labels[label.image] = context.imageId;
  labels[label.configHash] = context.configHash;
  labels[label.containerNumber] = String(context.number);
  labels[label.dependsOn] = dependsOnLabel(service.depends_on);
  return labels;
}

/** `service:condition:restart` (Go's %t for restart) per dependency, comma-joined; "" when none. */
export function dependsOnLabel(dependsOn: Service["depends_on"]): string {
  return sortedEntries(dependsOn ?? {})
    .map(([name, d]) => `${name}:${d.condition}:${d.restart ?? false}`)
    .join(",");
}

// ---------------------------------------------------------------------------------------------------------
// Container config: the fields copied as they are, then those that need converting

type ConfigRule = (service: Service, out: ContainerCreateRequest, context: ContainerSpecContext) => void;

/** Model field → container Config field, for values the reference copies unchanged. */
const configCopies = [
  ["hostname", "Hostname"],
  ["domainname", "Domainname"],
  ["user", "User"],
  ["working_dir", "WorkingDir"],
  ["stop_signal", "StopSignal"],
] as const satisfies readonly [keyof Service, keyof ContainerCreateRequest][];

const configRules: ConfigRule[] = [
  (s, out) => {
    for (const [from, to] of configCopies) {
      const value = s[from];
      if (value) out[to] = value;
    }
  },
  // A nil command or entrypoint is left to the image; an empty list is sent as one (create.go).
  (s, out) => {
    if (s.command) out.Cmd = [...s.command];
    if (s.entrypoint) out.Entrypoint = [...s.entrypoint];
  },
  (s, out) => {
    if (s.tty) out.Tty = true;
    if (s.stdin_open) out.OpenStdin = true;
  },
  (s, out) => {
    const env = environment(s.environment);
    if (env.length > 0) out.Env = env;
  },
  (s, out) => {
    const ports = exposedPorts(s);
    if (Object.keys(ports).length > 0) out.ExposedPorts = ports;
  },
  (s, out, context) => {
    const check = healthcheck(s.healthcheck, context);
    if (check) out.Healthcheck = check;
  },
  // ToSeconds: stop_grace_period in whole seconds, truncated.
  (s, out, context) => {
    if (s.stop_grace_period === undefined) return;
    out.StopTimeout = Math.trunc(Number(duration(s.stop_grace_period, context)) / 1e9);
  },
];

/** convert.go ToMobyEnv: `KEY=value`, or just `KEY` for a variable without a value (null). */
export function environment(env: Service["environment"]): string[] {
  return sortedEntries(env ?? {}).map(([k, value]) => (value === null ? k : `${k}=${value}`));
}

/** buildContainerPorts: `expose` entries as written (a range stays one key), then `<target>/<protocol>`. */
function exposedPorts(service: Service): Record<string, Record<string, never>> {
  const ports: Record<string, Record<string, never>> = {};
  for (const e of service.expose ?? []) ports[e] = {};
  for (const p of service.ports ?? []) ports[portKey(p)] = {};
  return ports;
}

function portKey(port: ServicePort): string {
  return `${port.target}/${port.protocol}`;
}

type Healthcheck = NonNullable<ContainerCreateRequest["Healthcheck"]>;

/** ToMobyHealthCheck: durations in ns, zero fields left out (Go omitempty), `disable` → ["NONE"]. */
function healthcheck(
  check: ModelHealthcheck | undefined,
  context: ContainerSpecContext,
): Healthcheck | undefined {
  if (!check) return undefined;
  const out: Healthcheck = {};
  if (check.disable) out.Test = ["NONE"];
  else if (check.test) out.Test = [...check.test];
  const durations = [
    ["interval", "Interval"],
    ["timeout", "Timeout"],
    ["start_period", "StartPeriod"],
    ["start_interval", "StartInterval"],
  ] as const;
  for (const [from, to] of durations) {
    const value = check[from];
    if (value === undefined) continue;
    if (from === "start_interval" && !apiAtLeast(context, "1.44")) {
      throw new ContainerSpecError(
        context.service,
        "can't set healthcheck.start_interval as feature require Docker Engine v25 or later",
      );
    }
    const nanos = Number(duration(value, context));
    if (nanos !== 0) out[to] = nanos;
  }
  if (check.retries) out.Retries = check.retries;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Host config

export type HostConfig = {
  Binds?: string[];
  Mounts?: Mount[];
  NetworkMode?: string;
  PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  RestartPolicy?: { Name: string; MaximumRetryCount: number };
  Links?: string[];
  Tmpfs?: Record<string, string>;
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
  DeviceRequests?: {
    Driver?: string;
    Count: number;
    DeviceIDs?: string[];
    Capabilities: string[][];
    Options?: Record<string, string>;
  }[];
  LogConfig?: { Type: string; Config?: Record<string, string> };
  SecurityOpt?: string[];
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
  [field: string]: unknown;
};

type HostRule = (service: Service, out: HostConfig, context: ContainerSpecContext) => void;

/** Model field → HostConfig field, for values the reference copies unchanged (strings, lists, maps). */
const hostCopies = [
  ["cap_add", "CapAdd"],
  ["cap_drop", "CapDrop"],
  ["ipc", "IpcMode"],
  ["cgroup", "CgroupnsMode"],
  ["pid", "PidMode"],
  ["userns_mode", "UsernsMode"],
  ["uts", "UTSMode"],
  ["isolation", "Isolation"],
  ["runtime", "Runtime"],
  ["dns", "Dns"],
  ["dns_search", "DnsSearch"],
  ["dns_opt", "DnsOptions"],
  ["group_add", "GroupAdd"],
  ["storage_opt", "StorageOpt"],
  ["annotations", "Annotations"],
  ["cgroup_parent", "CgroupParent"],
  ["cpuset", "CpusetCpus"],
  ["device_cgroup_rules", "DeviceCgroupRules"],
  ["privileged", "Privileged"],
  ["read_only", "ReadonlyRootfs"],
  ["oom_kill_disable", "OomKillDisable"],
] as const satisfies readonly [keyof Service, string][];

/** Model field → HostConfig field for integers (sizes are byte strings in the model). */
const hostNumbers = [
  ["shm_size", "ShmSize"],
  ["mem_limit", "Memory"],
  ["memswap_limit", "MemorySwap"],
  ["mem_reservation", "MemoryReservation"],
  ["mem_swappiness", "MemorySwappiness"],
  ["cpu_shares", "CpuShares"],
  ["cpu_period", "CpuPeriod"],
  ["cpu_quota", "CpuQuota"],
  ["cpu_count", "CpuCount"],
  ["cpu_rt_period", "CpuRealtimePeriod"],
  ["cpu_rt_runtime", "CpuRealtimeRuntime"],
  ["oom_score_adj", "OomScoreAdj"],
  ["pids_limit", "PidsLimit"],
] as const satisfies readonly [keyof Service, string][];

const hostRules: HostRule[] = [
  (s, out) => {
    for (const [from, to] of hostCopies) {
      const v = s[from];
      if (v === undefined || v === null || v === "" || v === false) continue;
      if (Array.isArray(v)) {
        if (v.length > 0) out[to] = [...v];
      } else out[to] = typeof v === "object" ? { ...v } : v;
    }
  },
  // Init is a pointer in the engine's HostConfig: the reference sends `init: false` as false, which inspect
  // shows as `"Init": false` where an absent init shows null (observed on docker compose 2.26.1).
  (s, out) => {
    if (s.init !== undefined) out.Init = s.init;
  },
  (s, out, context) => {
    for (const [from, to] of hostNumbers) {
      const n = integer(s[from], context);
      if (n !== undefined && n !== 0) out[to] = n;
    }
  },
  // cpus and cpu_percent are float32 in compose-go: int64(float32(cpus) * 1e9), in float32 arithmetic.
  (s, out) => {
    if (s.cpus) out.NanoCpus = float32Times(s.cpus, 1e9);
    if (s.cpu_percent) out.CpuPercent = float32Times(s.cpu_percent, 100);
  },
  (s, out, context) => deployResources(s, out, context),
  (s, out) => blkio(s, out),
  // Always sent, empty too: the engine then shows `{}` (not null) as for the reference's containers.
  (s, out) => {
    out.PortBindings = portBindings(s);
  },
  (s, out) => {
    const policy = restartPolicy(s);
    if (policy) out.RestartPolicy = policy;
  },
  // `/path:options` → { "/path": "options" }; no options → "".
  (s, out) => {
    if (!s.tmpfs?.length) return;
    const tmpfs: Record<string, string> = {};
    for (const entry of s.tmpfs) {
      const at = entry.indexOf(":");
      if (at < 0) tmpfs[entry] = "";
      else tmpfs[entry.slice(0, at)] = entry.slice(at + 1);
    }
    out.Tmpfs = tmpfs;
  },
  (s, out) => {
    const ulimits = toUlimits(s.ulimits);
    if (ulimits.length > 0) out.Ulimits = ulimits;
  },
  (s, out) => {
    if (s.sysctls && Object.keys(s.sysctls).length > 0) out.Sysctls = { ...s.sysctls };
  },
  // HostsList.AsList(":"): the model writes `host=ip`, the engine wants `host:ip`. The reference sends an
  // empty list, never null, for a service without extra_hosts (observed on docker compose 2.26.1: inspect
  // shows `"ExtraHosts": []` on every container it creates).
  (s, out) => {
    out.ExtraHosts = (s.extra_hosts ?? []).map((h) => h.replace("=", ":"));
  },
  (s, out) => {
    if (!s.logging) return;
    const driver = s.logging.driver ?? "";
    out.LogConfig = s.logging.options ? { Type: driver, Config: { ...s.logging.options } } : { Type: driver };
  },
  (s, out, context) => securityOptions(s, out, context),
  (s, out) => {
    const devices = deviceMappings(s.devices);
    if (devices.length > 0) out.Devices = devices;
  },
  // volumes_from is already resolved to container ids (resolveServiceReferences).
  (s, out) => {
    if (s.volumes_from?.length) out.VolumesFrom = [...s.volumes_from];
  },
];

/** deploy.resources: limits override mem_limit / cpus / pids_limit; reservations memory and devices. */
function deployResources(service: Service, out: HostConfig, context: ContainerSpecContext): void {
  const resources = service.deploy?.resources;
  const limits = resources?.limits;
  if (limits) {
    const memory = integer(limits.memory, context);
    if (memory) out.Memory = memory;
    if (limits.cpus) out.NanoCpus = float32Times(limits.cpus, 1e9);
    // Text with --no-interpolate (AsWritten), as blkio weights, device counts and create_host_path.
    if (typeof limits.pids === "number" && limits.pids > 0) out.PidsLimit = limits.pids;
  }
  const reservations = resources?.reservations;
  if (!reservations) return;
  const memory = integer(reservations.memory, context);
  if (memory) out.MemoryReservation = memory;
  if (!reservations.devices) return;
  const requests = reservations.devices.map(deviceRequest);
  if (requests.length > 0) out.DeviceRequests = requests;
}

function deviceRequest(d: DeviceRequest): NonNullable<HostConfig["DeviceRequests"]>[number] {
  return {
    ...(d.driver !== undefined ? { Driver: d.driver } : {}),
    // compose-go's DeviceCount: "all" is -1.
    Count: d.count === "all" ? -1 : typeof d.count === "number" ? d.count : 0,
    ...(d.device_ids ? { DeviceIDs: [...d.device_ids] } : {}),
    Capabilities: [d.capabilities ? [...d.capabilities] : []],
    // Written as a mapping or a list (a list is not sent); values as written (numbers, booleans, null).
    ...(d.options && !Array.isArray(d.options) ? { Options: stringMap(d.options) } : {}),
  };
}

/** setBlkio: the weight, then each device list in the engine's names; rates are byte strings in the model. */
function blkio(service: Service, out: HostConfig): void {
  const config = service.blkio_config;
  if (!config) return;
  if (typeof config.weight === "number" && config.weight !== 0) out.BlkioWeight = config.weight;
  const devices = (list: (ThrottleDevice & WeightDevice)[] = [], value: "weight" | "rate") =>
    list.map((d) => ({
      Path: d.path ?? "",
      [value === "weight" ? "Weight" : "Rate"]: Number(d[value] ?? 0),
    }));
  const lists = [
    ["weight_device", "BlkioWeightDevice", "weight"],
    ["device_read_bps", "BlkioDeviceReadBps", "rate"],
    ["device_write_bps", "BlkioDeviceWriteBps", "rate"],
    ["device_read_iops", "BlkioDeviceReadIOps", "rate"],
    ["device_write_iops", "BlkioDeviceWriteIOps", "rate"],
  ] as const;
  for (const [from, to, value] of lists) {
    const list = devices(config[from], value);
    if (list.length > 0) out[to] = list;
  }
}

/** buildContainerPortBindingOptions: one binding per published port, "" for what is not given. */
function portBindings(service: Service): NonNullable<HostConfig["PortBindings"]> {
  const bindings: NonNullable<HostConfig["PortBindings"]> = {};
  for (const p of service.ports ?? []) {
    const key = portKey(p);
    const binding = { HostIp: p.host_ip ?? "", HostPort: p.published ?? "" };
    bindings[key] = [...(bindings[key] ?? []), binding];
  }
  return bindings;
}

/** mapRestartPolicyCondition: deploy.restart_policy wins over `restart`; "any" → always, "none" → no. */
const restartNames: Record<string, string> = { none: "no", any: "always" };

function restartPolicy(service: Service): HostConfig["RestartPolicy"] {
  let policy: HostConfig["RestartPolicy"];
  if (service.restart) {
    const [name = "", attempts] = service.restart.split(":");
    policy = { Name: restartNames[name] ?? name, MaximumRetryCount: goAtoi(attempts) };
  }
  const restart = service.deploy?.restart_policy;
  if (restart) {
    const name = restart.condition ?? "";
    policy = { Name: restartNames[name] ?? name, MaximumRetryCount: restart.max_attempts ?? 0 };
  }
  return policy;
}

/** toUlimits: a single number sets soft and hard, else soft and hard as given. */
function toUlimits(ulimits: Service["ulimits"]): NonNullable<HostConfig["Ulimits"]> {
  return sortedEntries(ulimits ?? {}).map(([name, u]) =>
    typeof u === "number"
      ? { Name: name, Soft: u, Hard: u }
      : { Name: name, Soft: u.soft ?? 0, Hard: u.hard ?? 0 },
  );
}

/** The target defaults to the source, permissions to "rwm" (create.go getDeployResources). */
function deviceMappings(devices: ServiceDevice[] = []): NonNullable<HostConfig["Devices"]> {
  return devices.map((d) => ({
    PathOnHost: d.source,
    PathInContainer: d.target || d.source,
    CgroupPermissions: d.permissions || "rwm",
  }));
}

/**
 * parseSecurityOpts: `systempaths=unconfined` is not sent but empties MaskedPaths and ReadonlyPaths; an
 * option without "=" must be `no-new-privileges` or `key:value`. A seccomp profile file would be read and
 * inlined by the reference; that needs the disk, so it is left to the caller (not done here).
 */
function securityOptions(service: Service, out: HostConfig, context: ContainerSpecContext): void {
  if (!service.security_opt?.length) return;
  const options: string[] = [];
  for (const opt of service.security_opt) {
    if (opt === "systempaths=unconfined") {
      out.MaskedPaths = [];
      out.ReadonlyPaths = [];
      continue;
    }
    if (!opt.includes("=") && opt !== "no-new-privileges" && !opt.includes(":")) {
      throw new ContainerSpecError(context.service, `Invalid security-opt: ${JSON.stringify(opt)}`);
    }
    options.push(opt);
  }
  if (options.length > 0) out.SecurityOpt = options;
}

// ---------------------------------------------------------------------------------------------------------
// Volumes, secrets and configs

/**
 * buildContainerVolumes: one mount per target (a later entry for the same target wins; secrets and configs
 * never replace a volume). Binds with create_host_path, and volumes whose declaration has driver_opts
 * o=bind, are sent as Binds strings; everything else as Mounts. Order: that of the service's entries.
 */
export function volumeMounts(
  service: Service,
  context: ContainerSpecContext,
): { binds: string[]; mounts: Mount[] } {
  const byTarget = new Map<string, { mount: Mount; bind?: string }>();
  const inherited = new Map((context.inherited ?? []).map((m) => [m.Target, m]));
  for (const v of service.volumes ?? []) {
    const mount = buildMount(v, context);
    const kept =
      mount.Type === "volume" && mount.Source === undefined ? inherited.get(mount.Target) : undefined;
    byTarget.set(mount.Target, kept ? { mount: kept } : { mount, ...bindString(v, mount) });
  }
  for (const m of inherited.values()) if (!byTarget.has(m.Target)) byTarget.set(m.Target, { mount: m });
  for (const m of fileMounts(service.secrets, context.declared?.secrets, "/run/secrets/", context)) {
    if (!byTarget.has(m.Target)) byTarget.set(m.Target, { mount: m });
  }
  for (const m of fileMounts(service.configs, context.declared?.configs, "/", context)) {
    if (!byTarget.has(m.Target)) byTarget.set(m.Target, { mount: m });
  }
  const binds: string[] = [];
  const mounts: Mount[] = [];
  for (const { mount, bind } of byTarget.values()) {
    if (bind !== undefined) binds.push(bind);
    else mounts.push(mount);
  }
  return { binds, mounts };
}

function buildMount(v: ServiceVolume, context: ContainerSpecContext): Mount {
  let type = v.type;
  let source = v.source ?? "";
  if (type === "bind" && !source.startsWith("/")) source = path.resolve(context.workingDir, source);
  let bindOptions: Mount["BindOptions"];
  let volumeOptions: Mount["VolumeOptions"];
  let tmpfsOptions: Mount["TmpfsOptions"];
  if (type === "volume" && source !== "") source = context.volumes[source] ?? source;
  if (type === "bind" && v.bind) bindOptions = propagation(v.bind);
  if (type === "volume") {
    const declared = v.source === undefined ? undefined : context.declared?.volumes?.[v.source];
    if (declared?.driver_opts?.o === "bind") {
      type = "bind";
      bindOptions = {};
    } else if (v.volume) {
      volumeOptions = {
        ...(v.volume.nocopy ? { NoCopy: true } : {}),
        ...(v.volume.subpath ? { Subpath: v.volume.subpath } : {}),
      };
    }
  }
  if (type === "tmpfs" && v.tmpfs) {
    const size = integer(v.tmpfs.size, context);
    const mode = v.tmpfs.mode;
    tmpfsOptions = { ...(size ? { SizeBytes: size } : {}), ...(mode ? { Mode: mode } : {}) };
  }
  return {
    Type: type,
    ...(source !== "" ? { Source: source } : {}),
    Target: path.posix.normalize(v.target ?? "").replace(/(.)\/$/, "$1"),
    ...(v.read_only ? { ReadOnly: true } : {}),
    ...(v.consistency ? { Consistency: v.consistency } : {}),
    ...(bindOptions ? { BindOptions: bindOptions } : {}),
    ...(volumeOptions ? { VolumeOptions: volumeOptions } : {}),
    ...(tmpfsOptions ? { TmpfsOptions: tmpfsOptions } : {}),
  };
}

function propagation(bind: VolumeBindOptions): Mount["BindOptions"] {
  return bind.propagation ? { Propagation: bind.propagation } : {};
}

/**
 * The Binds string of compose-go's ServiceVolumeConfig.String(), for a bind with create_host_path, or for a
 * volume that became a bind (its source then is the volume's real name).
 */
function bindString(v: ServiceVolume, mount: Mount): { bind?: string } {
  const becameBind = mount.Type === "bind" && v.type !== "bind";
  const createHostPath = v.bind?.create_host_path === true;
  if (mount.Type !== "bind" || !(becameBind || createHostPath)) return {};
  const options = [v.read_only ? "ro" : "rw"];
  if (v.bind?.selinux) options.push(v.bind.selinux);
  if (v.bind?.propagation) options.push(v.bind.propagation);
  if (v.volume?.nocopy) options.push("nocopy");
  if (v.volume?.subpath) options.push(v.volume.subpath);
  const source = becameBind ? (mount.Source ?? "") : (v.source ?? "");
  return { bind: `${source}:${v.target}:${options.join(",")}` };
}

/**
 * File secrets and configs are read-only bind mounts (without BindOptions) at /run/secrets/<name> and
 * /<name>; those from `environment` or `content` are copied in after create by the reference, not mounted.
 */
function fileMounts(
  refs: FileReference[] = [],
  declared: Record<string, { file?: string }> | undefined,
  base: string,
  context: ContainerSpecContext,
) {
  const mounts: Mount[] = [];
  for (const ref of refs) {
    const target = ref.target || ref.source;
    const full = target.startsWith("/") ? target : `${base}${target}`;
    const definition = declared?.[ref.source];
    if (definition?.file === undefined) continue;
    const file = path.resolve(context.workingDir, definition.file);
    mounts.push({ Type: "bind", Source: file, Target: path.posix.normalize(full), ReadOnly: true });
  }
  return mounts;
}

// ---------------------------------------------------------------------------------------------------------
// Networks and links

interface NetworkSettings {
  mode: string;
  endpoints?: Record<string, EndpointSettings>;
  connect: NetworkConnectRequest[];
  macAddress?: string;
}

/** NetworksByPriority: highest priority first, then by name. */
export function networksByPriority(networks: Service["networks"] = {}): string[] {
  const priority = (key: string) => networks[key]?.priority ?? 0;
  return Object.keys(networks).sort((a, b) => priority(b) - priority(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * defaultNetworkSettings and prepareContainerMACAddress (create.go), with the connects of convergence.go.
 * Below API 1.44 the container-wide MacAddress is the primary network's mac_address when that network has
 * a configuration at all — so a service-level mac_address is dropped when the primary network entry is a
 * mapping without one (reference behaviour, seen on 2.26.1) — and the service's otherwise. From 1.44 on the
 * service's MAC goes to the primary endpoint instead (when it has a configuration).
 */
function networkSettings(
  service: Service,
  context: ContainerSpecContext,
  name: string,
  links: string[],
): NetworkSettings {
  const keys = networksByPriority(service.networks);
  const config = (key: string) => service.networks?.[key];
  const macOf = (c: ServiceNetwork | null | undefined) => c?.mac_address ?? "";
  const serviceMac = service.mac_address ?? "";
  const primary = keys[0] === undefined ? undefined : config(keys[0]);
  if (serviceMac && macOf(primary) && serviceMac !== macOf(primary)) {
    throw new ContainerSpecError(
      context.service,
      `the service-level mac_address should have the same value as network ${keys[0]}`,
    );
  }
  const modern = apiAtLeast(context, "1.44");
  const withMac = keys.filter((k) => macOf(config(k)) !== "");
  if (!modern && withMac.length > 1) {
    throw new ContainerSpecError(
      context.service,
      `a MAC address is specified for multiple networks (${withMac.join(", ")}), but this feature requires Docker Engine 1.44 or later (currently: ${context.apiVersion ?? "1.41"})`,
    );
  }
  let macAddress = modern ? "" : serviceMac;
  if (!modern && keys.length > 0 && primary) macAddress = macOf(primary);
  const primaryMac = modern && primary ? macOf(primary) || serviceMac : "";
  const mac = macAddress ? { macAddress } : {};

  if (service.network_mode) return { mode: service.network_mode, connect: [], ...mac };
  if (Object.keys(context.networks).length === 0) return { mode: "none", connect: [], ...mac };
  const primaryKey = keys[0] ?? "default";
  const realName = (key: string) => context.networks[key] ?? key;
  const endpoint = (key: string): EndpointSettings => {
    const settings = endpointSettings(config(key), context, name, links);
    if (key === primaryKey && primaryMac) settings.MacAddress = primaryMac;
    return settings;
  };
  const endpoints: Record<string, EndpointSettings> = { [realName(primaryKey)]: endpoint(primaryKey) };
  const connect: NetworkConnectRequest[] = [];
  for (const key of keys.slice(1)) {
    if (modern) endpoints[realName(key)] = endpoint(key);
    else connect.push({ network: realName(key), EndpointConfig: endpoint(key) });
  }
  return { mode: realName(primaryKey), endpoints, connect, ...mac };
}

/**
 * createEndpointSettings: aliases [container name, service name, ...aliases]; a network entry with any
 * configuration gets an IPAMConfig (empty when it names no address); the reference also copies the IPv6
 * address into IPv6Gateway, which is reproduced as sent.
 */
function endpointSettings(
  config: ServiceNetwork | null | undefined,
  context: ContainerSpecContext,
  name: string,
  links: string[],
): EndpointSettings {
  const useAliases = context.useNetworkAliases ?? !context.oneoff;
  const aliases = [name];
  if (useAliases) {
    aliases.push(context.service);
    if (config?.aliases) aliases.push(...config.aliases);
  }
  const settings: EndpointSettings = { Aliases: aliases };
  if (links.length > 0) settings.Links = links;
  if (!config) return settings;
  const ipv4 = config.ipv4_address ?? "";
  const ipv6 = config.ipv6_address ?? "";
  const linkLocal = [...(config.link_local_ips ?? [])];
  settings.IPAMConfig = {
    ...(ipv4 ? { IPv4Address: ipv4 } : {}),
    ...(ipv6 ? { IPv6Address: ipv6 } : {}),
    ...(linkLocal.length > 0 ? { LinkLocalIPs: linkLocal } : {}),
  };
  if (ipv4) settings.IPAddress = ipv4;
  if (ipv6) settings.IPv6Gateway = ipv6;
  if (config.mac_address) settings.MacAddress = config.mac_address;
  return settings;
}

/**
 * getLinks (mimicking compose v1): for each container of a linked service, `<c>:<alias>`,
 * `<c>:<service>-<n>` and `<c>:<project>-<service>-<n>` — n being this container's number, as the
 * reference writes it; `run` links its own service's containers; external_links as `<name>:<alias>`.
 */
export function containerLinks(service: Service, context: ContainerSpecContext): string[] {
  const links: string[] = [];
  const containersOf = (s: string) => context.linkedContainers?.[s] ?? [];
  const n = context.number;
  for (const raw of service.links ?? []) {
    const split = raw.split(":");
    const linked = split[0] ?? "";
    const alias = split.length === 2 ? (split[1] ?? linked) : linked;
    for (const c of containersOf(linked)) {
      links.push(`${c}:${alias}`, `${c}:${linked}-${n}`, `${c}:${context.project}-${linked}-${n}`);
    }
  }
  if (context.oneoff) {
    for (const c of containersOf(context.service)) {
      const short = c.startsWith(`${context.project}-`) ? c.slice(context.project.length + 1) : c;
      links.push(`${c}:${context.service}`, `${c}:${short}`, `${c}:${c}`);
    }
  }
  for (const raw of service.external_links ?? []) {
    const split = raw.split(":");
    const target = split[0] ?? "";
    links.push(`${target}:${split.length === 2 ? (split[1] ?? target) : target}`);
  }
  return links;
}

/**
 * convergence.go resolveServiceReferences, run before hashing and creating: `service:<name>` in
 * network_mode, ipc and pid becomes `container:<id>`, and each volumes_from entry becomes a bare container
 * id — the access mode (`:ro`) is dropped, as the reference does. `firstContainer` gives the id of the first
 * (sorted) container of a service; an unknown one is the reference's "container missing" error.
 */
export function resolveServiceReferences(
  service: Service,
  serviceName: string,
  firstContainer: (service: string) => string | undefined,
): Service {
  const out: Service = { ...service };
  const need = (name: string, what: string) => {
    const id = firstContainer(name);
    if (!id)
      throw new ContainerSpecError(
        serviceName,
        `cannot share ${what} with service ${name}: container missing`,
      );
    return id;
  };
  if (service.volumes_from) {
    out.volumes_from = service.volumes_from.map((entry) => {
      const spec = entry.split(":");
      if (spec[0] === "container") return spec[1] ?? "";
      return need(spec[0] ?? "", "volume");
    });
  }
  const namespaces = [
    ["network_mode", "network namespace"],
    ["ipc", "IPC namespace"],
    ["pid", "PID namespace"],
  ] as const;
  for (const [field, what] of namespaces) {
    const value = service[field];
    if (value?.startsWith("service:")) {
      out[field] = `container:${need(value.slice("service:".length), what)}`;
    }
  }
  return out;
}

/** The real names of the model's networks and volumes (their `name:`), for the context. */
export function resourceNames(model: Pick<ComposeModel, "networks" | "volumes">): {
  networks: Record<string, string>;
  volumes: Record<string, string>;
} {
  const names = (section: Record<string, { name?: string }> = {}) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(section)) out[key] = value.name ?? key;
    return out;
  };
  return { networks: names(model.networks), volumes: names(model.volumes) };
}

/**
 * The mounts a recreated container inherits from the one it replaces: every non-tmpfs mount at one of the
 * image's VOLUME paths or at the target of one of the service's anonymous volumes, with the same source
 * (the volume's name) and mode.
 */
export function inheritedMounts(
  service: Service,
  old: readonly { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[],
  imageVolumes: readonly string[],
): Mount[] {
  const clean = (p: string) => path.posix.normalize(p).replace(/(.)\/$/, "$1");
  const targets = new Set(imageVolumes.map(clean));
  for (const v of service.volumes ?? []) {
    if (v.type === "volume" && !v.source) targets.add(clean(v.target ?? ""));
  }
  return old
    .filter((m) => m.Type !== "tmpfs" && targets.has(clean(m.Destination)))
    .map((m) => ({
      Type: m.Type,
      Source: m.Type === "volume" ? (m.Name ?? m.Source) : m.Source,
      Target: clean(m.Destination),
      ReadOnly: !m.RW,
    }));
}

// ---------------------------------------------------------------------------------------------------------
// Small conversions

/** Entries by key, in the order of Array.prototype.sort (UTF-16 code units). */
function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A device request's options, values as written: null is "". */
function stringMap(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null || v === undefined ? "" : String(v);
  return out;
}

function duration(text: string, context: ContainerSpecContext): bigint {
  const parsed = parseGoDuration(text);
  if (!parsed.ok) throw new ContainerSpecError(context.service, parsed.error);
  return parsed.value;
}

/** Integers and byte sizes (the model writes sizes as decimal strings of bytes). */
function integer(value: string | number | undefined, context: ContainerSpecContext): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return Math.trunc(value);
  // -1 (unlimited swap) and other plain integers are not sizes to parseSize.
  if (/^[+-]?\d+$/.test(value)) return Number.parseInt(value, 10);
  const parsed = parseSize(value);
  if (!parsed.ok) throw new ContainerSpecError(context.service, parsed.error);
  return parsed.value;
}

/** int64(float32(x) * factor) with Go's float32 arithmetic. */
function float32Times(x: number, factor: number): number {
  return Math.trunc(Math.fround(Math.fround(x) * Math.fround(factor)));
}

/** strconv.Atoi with the error ignored, as getRestartPolicy does: anything not an integer is 0. */
function goAtoi(text: string | undefined): number {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : 0;
}

function apiAtLeast(context: ContainerSpecContext, version: string): boolean {
  const [major = 0, minor = 0] = (context.apiVersion ?? "1.41").split(".").map(Number);
  const [wantMajor = 0, wantMinor = 0] = version.split(".").map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}
