// One service of the model → the ServiceSpec docker stack deploy (docker CLI 20.10) sends for it
// (cli/compose/convert/service.go and volume.go). Fields docker leaves out of the request are left out, so
// the engine fills in the same defaults. Secret and config references carry their names with empty IDs:
// the deploy step fills the IDs in once the objects exist.
import type {
  ContainerSpec,
  ServiceSpec,
  SwarmFileReference,
  SwarmHealthConfig,
  SwarmMount,
  SwarmPortConfig,
  SwarmResources,
  SwarmUpdateConfig,
  TaskTemplate,
} from "../engine/types.js";
import { stackLabel, stackScopedName } from "../labels.js";
import type { Deploy, FileReference, Service, UpdateConfig, Volume } from "../load/types.js";
import { parseGoDuration } from "../load/units.js";

/** A file the stack cannot be deployed from (one line, naming the service or resource). */
export class StackConvertError extends Error {}

export interface ServiceContext {
  namespace: string;
  /** Swarm names of the networks, secrets and configs, by key (`default` always there). */
  networkNames: Record<string, string>;
  secretNames: Record<string, string>;
  configNames: Record<string, string>;
  volumes: Record<string, { name: string; volume: Volume }>;
}

function fail(service: string, message: string): never {
  throw new StackConvertError(`service ${service}: ${message}`);
}

function nanoseconds(service: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseGoDuration(text);
  if (!parsed.ok) fail(service, parsed.error);
  return Number(parsed.value);
}

const nonEmpty = <T>(list: T[] | undefined | null): list is T[] =>
  list !== undefined && list !== null && list.length > 0;

/** Go's container.NetworkMode(name).IsUserDefined() on Linux: the only networks that take aliases. */
function isUserDefinedNetwork(name: string): boolean {
  if (["default", "bridge", "host", "none"].includes(name)) return false;
  const parts = name.split(":");
  return !(parts[0] === "container" && parts.length > 1);
}

function networks(context: ServiceContext, key: string, service: Service): TaskTemplate["Networks"] {
  const attached =
    Object.keys(service.networks ?? {}).length > 0 ? (service.networks ?? {}) : { default: null };
  const result = Object.entries(attached).map(([networkKey, settings]) => {
    const target = context.networkNames[networkKey] ?? stackScopedName(context.namespace, networkKey);
    const aliases = [...(settings?.aliases ?? [])];
    if (isUserDefinedNetwork(target)) aliases.push(key);
    return aliases.length > 0 ? { Target: target, Aliases: aliases } : { Target: target };
  });
  return result.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
}

function ports(key: string, service: Service): SwarmPortConfig[] {
  const result = (service.ports ?? []).map((port) => {
    const config: SwarmPortConfig = {
      Protocol: port.protocol as SwarmPortConfig["Protocol"],
      TargetPort: port.target ?? 0,
    };
    if (port.published !== undefined && port.published !== "") {
      if (!/^\d+$/.test(port.published)) {
        fail(key, `published port range "${port.published}" needs one target port per published port`);
      }
      config.PublishedPort = Number(port.published);
    }
    config.PublishMode = port.mode as SwarmPortConfig["PublishMode"];
    return config;
  });
  // Stable, as docker's sort of so few entries is.
  return result
    .map((p, i) => [p, i] as const)
    .sort(([a, i], [b, j]) => (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) || i - j)
    .map(([p]) => p);
}

function mode(key: string, deploy: Deploy | undefined, scale: number | undefined): ServiceSpec["Mode"] {
  // Beyond docker (whose 3.x files have no `scale`): scale is the replica count when deploy.replicas is not.
  const replicas = deploy?.replicas ?? scale;
  switch (deploy?.mode ?? "") {
    case "global":
      if (replicas !== undefined) fail(key, "replicas can only be used with replicated mode");
      return { Global: {} };
    case "global-job":
      if (replicas !== undefined)
        fail(key, "replicas can only be used with replicated or replicated-job mode");
      return { GlobalJob: {} };
    case "replicated-job":
      return {
        ReplicatedJob: replicas === undefined ? {} : { MaxConcurrent: replicas, TotalCompletions: replicas },
      };
    case "replicated":
    case "":
      return { Replicated: replicas === undefined ? {} : { Replicas: replicas } };
    default:
      return fail(key, `Unknown mode: ${deploy?.mode}`);
  }
}

function nanoCpus(cpus: number | undefined): number | undefined {
  return cpus === undefined ? undefined : Math.round(cpus * 1e9);
}

function withoutZeros<T extends object>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined && v !== 0 && !Number.isNaN(v)),
  ) as T;
}

function resources(deploy: Deploy | undefined): TaskTemplate["Resources"] {
  const result: NonNullable<TaskTemplate["Resources"]> = {};
  const limits = deploy?.resources?.limits;
  if (limits) {
    result.Limits = withoutZeros<SwarmResources>({
      NanoCPUs: nanoCpus(limits.cpus),
      MemoryBytes: limits.memory === undefined ? undefined : Number(limits.memory),
      Pids: limits.pids === undefined ? undefined : Number(limits.pids),
    });
  }
  const reservations = deploy?.resources?.reservations;
  if (reservations) {
    const reserved = withoutZeros<SwarmResources>({
      NanoCPUs: nanoCpus(reservations.cpus),
      MemoryBytes: reservations.memory === undefined ? undefined : Number(reservations.memory),
    });
    if (nonEmpty(reservations.generic_resources)) {
      reserved.GenericResources = reservations.generic_resources.map((r) =>
        r.discrete_resource_spec
          ? {
              DiscreteResourceSpec: {
                Kind: r.discrete_resource_spec.kind ?? "",
                Value: Number(r.discrete_resource_spec.value ?? 0),
              },
            }
          : {},
      );
    }
    result.Reservations = reserved;
  }
  return result;
}

function restartPolicy(key: string, service: Service): TaskTemplate["RestartPolicy"] {
  const policy = service.deploy?.restart_policy;
  if (policy) {
    const result: NonNullable<TaskTemplate["RestartPolicy"]> = {};
    if (policy.condition) result.Condition = policy.condition as "none" | "on-failure" | "any";
    const delay = nanoseconds(key, policy.delay);
    if (delay !== undefined) result.Delay = delay;
    if (policy.max_attempts !== undefined) result.MaxAttempts = policy.max_attempts;
    const window = nanoseconds(key, policy.window);
    if (window !== undefined) result.Window = window;
    return result;
  }
  // Without deploy.restart_policy, docker maps `restart` (and still warns that it is unsupported).
  const restart = service.restart ?? "";
  const parts = restart.split(":");
  if (parts.length > 2) fail(key, "invalid restart policy format");
  const [name, count] = parts as [string, string | undefined];
  if (count !== undefined && !/^[+-]?\d+$/.test(count)) fail(key, "maximum retry count must be an integer");
  switch (name) {
    case "":
    case "no":
      return undefined;
    case "always":
    case "unless-stopped":
      return { Condition: "any" };
    case "on-failure":
      return { Condition: "on-failure", MaxAttempts: count === undefined ? 0 : Number(count) };
    default:
      return fail(key, `unknown restart policy: ${restart}`);
  }
}

function updateConfig(key: string, config: UpdateConfig | undefined): SwarmUpdateConfig | undefined {
  if (!config) return undefined;
  const result: SwarmUpdateConfig = { Parallelism: config.parallelism ?? 1 };
  const delay = nanoseconds(key, config.delay);
  if (delay) result.Delay = delay;
  if (config.failure_action)
    result.FailureAction = config.failure_action as SwarmUpdateConfig["FailureAction"];
  const monitor = nanoseconds(key, config.monitor);
  if (monitor) result.Monitor = monitor;
  result.MaxFailureRatio = config.max_failure_ratio ?? 0;
  if (config.order) result.Order = config.order;
  return result;
}

function healthcheck(key: string, service: Service): SwarmHealthConfig | undefined {
  const check = service.healthcheck;
  if (!check) return undefined;
  if (check.disable) {
    if (nonEmpty(check.test)) fail(key, "test and disable can't be set at the same time");
    return { Test: ["NONE"] };
  }
  const result: SwarmHealthConfig = {};
  if (check.test) result.Test = [...check.test];
  const interval = nanoseconds(key, check.interval);
  if (interval) result.Interval = interval;
  const timeout = nanoseconds(key, check.timeout);
  if (timeout) result.Timeout = timeout;
  if (check.retries) result.Retries = check.retries;
  const startPeriod = nanoseconds(key, check.start_period);
  if (startPeriod) result.StartPeriod = startPeriod;
  return result;
}

/** opts.EffectiveCapAddCapDrop: normalized (CAP_ prefix, upper case), ALL wins, an added one is not dropped. */
function capabilities(
  add: string[] | undefined,
  drop: string[] | undefined,
): { add: string[]; drop: string[] } {
  const normalize = (cap: string) => {
    const upper = cap.trim().toUpperCase();
    if (upper === "ALL" || upper === "RESET") return upper;
    return upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  };
  let adds = new Set((add ?? []).map(normalize));
  let drops = new Set((drop ?? []).map(normalize));
  if (adds.has("ALL")) adds = new Set(["ALL"]);
  if (drops.has("ALL")) drops = new Set(["ALL"]);
  const effectiveDrop = [...drops].filter((c) => !adds.has(c) && c !== "RESET").sort();
  const effectiveAdd = [...adds].filter((c) => c !== "RESET").sort();
  return { add: effectiveAdd, drop: effectiveDrop };
}

function mounts(context: ServiceContext, key: string, service: Service): SwarmMount[] {
  return (service.volumes ?? []).map((volume) => {
    const mount: SwarmMount = { Type: volume.type as SwarmMount["Type"], Target: volume.target ?? "" };
    if (volume.source !== undefined && volume.source !== "") mount.Source = volume.source;
    if (volume.read_only) mount.ReadOnly = true;
    if (volume.consistency) mount.Consistency = volume.consistency;
    switch (volume.type) {
      case "volume": {
        if (volume.source === undefined || volume.source === "") return mount;
        const declared = context.volumes[volume.source];
        if (!declared) fail(key, `undefined volume "${volume.source}"`);
        mount.Source = declared.name;
        mount.VolumeOptions = volume.volume?.nocopy ? { NoCopy: true } : {};
        if (declared.volume.external) return mount;
        mount.VolumeOptions.Labels = { ...declared.volume.labels, [stackLabel.namespace]: context.namespace };
        const { driver, driver_opts } = declared.volume;
        if (driver || driver_opts) {
          mount.VolumeOptions.DriverConfig = {};
          if (driver) mount.VolumeOptions.DriverConfig.Name = driver;
          if (driver_opts) mount.VolumeOptions.DriverConfig.Options = { ...driver_opts };
        }
        return mount;
      }
      case "bind":
      case "npipe":
        if (!mount.Source) fail(key, `invalid ${volume.type} source, source cannot be empty`);
        if (volume.bind?.propagation) mount.BindOptions = { Propagation: volume.bind.propagation };
        return mount;
      case "tmpfs":
        if (mount.Source) fail(key, "invalid tmpfs source, source must be empty");
        if (volume.tmpfs) {
          const size = Number(volume.tmpfs.size ?? 0);
          mount.TmpfsOptions = size ? { SizeBytes: size } : {};
          // Beyond docker, whose 3.x schema refuses it.
          if (volume.tmpfs.mode !== undefined) mount.TmpfsOptions.Mode = volume.tmpfs.mode;
        }
        return mount;
      default:
        return fail(key, `volume type must be volume, bind, tmpfs or npipe, not ${volume.type}`);
    }
  });
}

function fileReference(
  reference: FileReference,
  defaultTarget: (source: string) => string,
): NonNullable<SwarmFileReference["File"]> {
  return {
    Name: defaultTarget(reference.source),
    UID: reference.uid || "0",
    GID: reference.gid || "0",
    Mode: reference.mode ?? 0o444,
  };
}

function byName<T>(name: (r: T) => string): (a: T, b: T) => number {
  return (a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

function secrets(context: ServiceContext, key: string, service: Service): SwarmFileReference[] {
  const targets = new Set<string>();
  const refs = (service.secrets ?? []).map((secret) => {
    const name = context.secretNames[secret.source];
    if (name === undefined) fail(key, `undefined secret "${secret.source}"`);
    // The loader's default target, /run/secrets/<source>, is where swarm puts docker's default (<source>).
    const target = (source: string) =>
      !secret.target || secret.target === `/run/secrets/${source}` ? source : secret.target;
    const file = fileReference(secret, target);
    if (targets.has(file.Name)) fail(key, `duplicate secret target for ${name} not allowed`);
    targets.add(file.Name);
    return { File: file, SecretID: "", SecretName: name };
  });
  return refs.sort(byName((r) => r.SecretName));
}

function configs(context: ServiceContext, key: string, service: Service): SwarmFileReference[] {
  const targets = new Set<string>();
  const refs: SwarmFileReference[] = (service.configs ?? []).map((config) => {
    const name = context.configNames[config.source];
    if (name === undefined) fail(key, `undefined config "${config.source}"`);
    const file = fileReference(config, (source) => config.target || source);
    if (targets.has(file.Name)) fail(key, `duplicate config target for ${name} not allowed`);
    targets.add(file.Name);
    return { File: file, ConfigID: "", ConfigName: name };
  });
  // A credential spec's config is given to the runtime, not as a file.
  const credentialConfig = service.credential_spec?.config;
  if (credentialConfig) {
    const name = context.configNames[credentialConfig];
    if (name === undefined) fail(key, `undefined config "${credentialConfig}"`);
    refs.push({ Runtime: {}, ConfigID: "", ConfigName: name });
  }
  return refs.sort(byName((r) => r.ConfigName ?? ""));
}

/**
 * Privileges as docker sends them. A credential spec's Config is the config's name here: the deploy step
 * puts its ID in, as for the references.
 */
function privileges(context: ServiceContext, key: string, service: Service): Record<string, unknown> {
  const spec = service.credential_spec;
  const set = (["Config", "File", "Registry"] as const).filter(
    (field) => spec?.[field.toLowerCase() as "config" | "file" | "registry"],
  );
  if (set.length === 0) return { CredentialSpec: null, SELinuxContext: null };
  if (set.length > 1) {
    const quoted = set.map((s) => `"${s}"`);
    fail(
      key,
      set.length === 2
        ? `invalid credential spec: cannot specify both ${quoted[0]} and ${quoted[1]}`
        : `invalid credential spec: cannot specify both ${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}`,
    );
  }
  const credentialSpec: Record<string, string> = {};
  if (spec?.config) credentialSpec.Config = context.configNames[spec.config] ?? spec.config;
  if (spec?.file) credentialSpec.File = spec.file;
  if (spec?.registry) credentialSpec.Registry = spec.registry;
  return { CredentialSpec: credentialSpec, SELinuxContext: null };
}

function environment(service: Service): string[] {
  return Object.entries(service.environment ?? {})
    .map(([name, value]) => (value === null ? name : `${name}=${value}`))
    .sort();
}

/** "host=ip" (the model's form) → "ip host" (SwarmKit's), in the model's order. */
function hosts(service: Service): string[] {
  return (service.extra_hosts ?? []).flatMap((entry) => {
    const at = entry.indexOf("=");
    return at < 0 ? [] : [`${entry.slice(at + 1)} ${entry.slice(0, at)}`];
  });
}

function ulimits(service: Service): NonNullable<ContainerSpec["Ulimits"]> {
  return Object.keys(service.ulimits ?? {})
    .sort()
    .map((name) => {
      const limit = service.ulimits?.[name];
      if (typeof limit === "number") return { Name: name, Soft: limit, Hard: limit };
      return { Name: name, Soft: limit?.soft ?? 0, Hard: limit?.hard ?? 0 };
    });
}

function containerSpec(context: ServiceContext, key: string, service: Service, image: string): ContainerSpec {
  const spec: ContainerSpec = { Image: image };
  spec.Labels = { ...service.labels, [stackLabel.namespace]: context.namespace };
  if (nonEmpty(service.entrypoint)) spec.Command = [...service.entrypoint];
  if (nonEmpty(service.command)) spec.Args = [...service.command];
  if (service.hostname) spec.Hostname = service.hostname;
  const env = environment(service);
  if (env.length > 0) spec.Env = env;
  if (service.working_dir) spec.Dir = service.working_dir;
  if (service.user) spec.User = service.user;
  spec.Privileges = privileges(context, key, service);
  if (service.init !== undefined) spec.Init = service.init;
  if (service.tty) spec.TTY = true;
  if (service.stdin_open) spec.OpenStdin = true;
  if (service.read_only) spec.ReadOnly = true;
  const mountList = mounts(context, key, service);
  if (mountList.length > 0) spec.Mounts = mountList;
  if (service.stop_signal) spec.StopSignal = service.stop_signal;
  const grace = nanoseconds(key, service.stop_grace_period);
  if (grace !== undefined) spec.StopGracePeriod = grace;
  const check = healthcheck(key, service);
  if (check) spec.Healthcheck = check;
  const hostList = hosts(service);
  if (hostList.length > 0) spec.Hosts = hostList;
  // dns_opt and group_add: beyond docker, whose 3.x schema refuses them.
  if (service.dns !== undefined || service.dns_search !== undefined || service.dns_opt !== undefined) {
    spec.DNSConfig = {};
    if (nonEmpty(service.dns)) spec.DNSConfig.Nameservers = [...service.dns];
    if (nonEmpty(service.dns_search)) spec.DNSConfig.Search = [...service.dns_search];
    if (nonEmpty(service.dns_opt)) spec.DNSConfig.Options = [...service.dns_opt];
  }
  if (nonEmpty(service.group_add)) spec.Groups = [...service.group_add];
  const secretRefs = secrets(context, key, service);
  if (secretRefs.length > 0) spec.Secrets = secretRefs;
  const configRefs = configs(context, key, service);
  if (configRefs.length > 0) spec.Configs = configRefs;
  if (service.isolation) spec.Isolation = service.isolation;
  if (service.sysctls && Object.keys(service.sysctls).length > 0) spec.Sysctls = { ...service.sysctls };
  const caps = capabilities(service.cap_add, service.cap_drop);
  if (caps.add.length > 0) spec.CapabilityAdd = caps.add;
  if (caps.drop.length > 0) spec.CapabilityDrop = caps.drop;
  const limits = ulimits(service);
  if (limits.length > 0) spec.Ulimits = limits;
  return spec;
}

export function convertService(context: ServiceContext, key: string, service: Service): ServiceSpec {
  const image = service.image;
  if (!image) fail(key, "no image: a swarm service runs an image from a registry (set image:)");
  const deploy = service.deploy ?? undefined;
  const taskTemplate: TaskTemplate = {
    ContainerSpec: containerSpec(context, key, service, image),
    Resources: resources(deploy),
  };
  const restart = restartPolicy(key, service);
  if (restart) taskTemplate.RestartPolicy = restart;
  const placement = deploy?.placement;
  taskTemplate.Placement = {};
  if (nonEmpty(placement?.constraints)) taskTemplate.Placement.Constraints = [...placement.constraints];
  if (nonEmpty(placement?.preferences)) {
    taskTemplate.Placement.Preferences = placement.preferences.map((p) => ({
      Spread: { SpreadDescriptor: p.spread ?? "" },
    }));
  }
  if (placement?.max_replicas_per_node) taskTemplate.Placement.MaxReplicas = placement.max_replicas_per_node;
  taskTemplate.Networks = networks(context, key, service);
  if (service.logging) {
    taskTemplate.LogDriver = { Name: service.logging.driver ?? "" };
    if (service.logging.options) taskTemplate.LogDriver.Options = { ...service.logging.options };
  }

  const spec: ServiceSpec = {
    Name: stackScopedName(context.namespace, key),
    Labels: { ...deploy?.labels, [stackLabel.namespace]: context.namespace, [stackLabel.image]: image },
    TaskTemplate: taskTemplate,
    Mode: mode(key, deploy, service.scale),
  };
  const update = updateConfig(key, deploy?.update_config);
  if (update) spec.UpdateConfig = update;
  const rollback = updateConfig(key, deploy?.rollback_config);
  if (rollback) spec.RollbackConfig = rollback;
  const endpoint: NonNullable<ServiceSpec["EndpointSpec"]> = {};
  if (deploy?.endpoint_mode) endpoint.Mode = deploy.endpoint_mode.toLowerCase() as "vip" | "dnsrr";
  const portList = ports(key, service);
  if (portList.length > 0) endpoint.Ports = portList;
  spec.EndpointSpec = endpoint;
  return spec;
}
