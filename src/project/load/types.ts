// The types of the loaded model: the long, normalized form `docker compose config --format json` prints
// (Project.model). The loader builds it as plain data and checks it; its exit is where the model becomes
// typed (typedModel), so code past the loader reads these fields instead of re-checking them.
//
// A field is optional wherever the model may leave it out (Go's omitempty on a zero value, or not written).
// Values are those of a default load; with --no-interpolate the loader casts nothing, so numbers and booleans
// written as text stay text, and with --no-normalize build args may be null and pull_policy may be
// "if_not_present". Keys written `x-…` are kept where the schema allows them (Extensions).
//
// Each type has a list of its keys (serviceKeys, …): the compiler checks that a list names every key of its
// type (ListedKeys at the end), and test/unit/load/types.test.ts that it names every property of the
// matching definition of src/schema/compose.schema.json, so types and schema cannot drift apart.
import type { Mapping } from "./canonical.js";

/** `x-…` keys, kept as written. */
export type Extensions = { [key: `x-${string}`]: unknown };

/**
 * A value the loader keeps as text when it is written as text, where the reference converts it to T (or, for
 * blkio weights, refuses it).
 */
export type AsWritten<T> = T | string;

/** environment and build args: null for a variable that is declared but not set. */
export type Variables = Record<string, string | null>;

/** labels, annotations, sysctls, driver_opts and the like: every value a string. */
export type StringMap = Record<string, string>;

/** A mapping_or_list the loader does not canonicalize: as written. */
export type WrittenMappingOrList = Record<string, string | number | boolean | null> | string[];

// ---------------------------------------------------------------------------------------------------------
// the project

/**
 * A type, not an interface (as Service): the model and its services are plain data, so they also go where a
 * Mapping is taken (hash.ts, the renderers of `config`).
 */
export type ComposeModel = Extensions & {
  name: string;
  services: Record<string, Service>;
  networks?: Record<string, Network>;
  volumes?: Record<string, Volume>;
  secrets?: Record<string, Secret>;
  configs?: Record<string, Config>;
};

/** The loader's model as Project.model: the loader has checked it, nothing is checked here. */
export function typedModel(model: Mapping): ComposeModel {
  return model as ComposeModel;
}

// ---------------------------------------------------------------------------------------------------------
// services

export type Service = Extensions & {
  annotations?: StringMap;
  attach?: AsWritten<boolean>;
  blkio_config?: BlkioConfig;
  build?: BuildConfig;
  cap_add?: string[];
  cap_drop?: string[];
  cgroup?: "host" | "private";
  cgroup_parent?: string;
  /** Split into words; null when written null, [] when written "". */
  command?: string[] | null;
  configs?: ServiceConfig[];
  container_name?: string;
  cpu_count?: number;
  cpu_percent?: number;
  cpu_period?: number;
  cpu_quota?: number;
  cpu_rt_period?: number;
  cpu_rt_runtime?: number;
  cpu_shares?: number;
  cpus?: number;
  cpuset?: string;
  credential_spec?: CredentialSpec;
  /** Every dependency in long form, implicit ones (links, volumes_from, network_mode service:…) too. */
  depends_on?: Record<string, DependsOn>;
  deploy?: Deploy | null;
  develop?: DevelopConfig | null;
  device_cgroup_rules?: string[];
  devices?: ServiceDevice[];
  dns?: string[];
  dns_opt?: string[];
  dns_search?: string[];
  domainname?: string;
  entrypoint?: string[] | null;
  /** Only without merging env files (config --hash): otherwise their variables are in `environment`. */
  env_file?: EnvFile[];
  environment?: Variables;
  expose?: string[];
  external_links?: string[];
  /** "host=ip", sorted. */
  extra_hosts?: string[];
  gpus?: DeviceRequest[];
  group_add?: string[];
  healthcheck?: Healthcheck;
  hostname?: string;
  image?: string;
  init?: boolean;
  ipc?: string;
  isolation?: string;
  labels?: StringMap;
  links?: string[];
  logging?: Logging;
  mac_address?: string;
  /** Sizes: a number of bytes, as text. */
  mem_limit?: string;
  mem_reservation?: string;
  mem_swappiness?: string;
  memswap_limit?: string;
  network_mode?: string;
  /** Network name → attachment; null for one with no settings. */
  networks?: Record<string, ServiceNetwork | null>;
  oom_kill_disable?: boolean;
  oom_score_adj?: number;
  pid?: string | null;
  pids_limit?: number;
  platform?: string;
  ports?: ServicePort[];
  post_start?: ServiceHook[];
  pre_stop?: ServiceHook[];
  privileged?: boolean;
  profiles?: string[];
  pull_policy?: "always" | "never" | "build" | "missing" | "if_not_present";
  read_only?: boolean;
  restart?: string;
  runtime?: string;
  scale?: number;
  secrets?: ServiceSecret[];
  security_opt?: string[];
  shm_size?: string;
  stdin_open?: boolean;
  /** A duration as the reference prints it ("1m30s"). */
  stop_grace_period?: string;
  stop_signal?: string;
  storage_opt?: StringMap;
  sysctls?: StringMap;
  tmpfs?: string[];
  tty?: boolean;
  ulimits?: Record<string, Ulimit>;
  user?: string;
  userns_mode?: string;
  uts?: string;
  volumes?: ServiceVolume[];
  volumes_from?: string[];
  working_dir?: string;
};

export interface BuildConfig extends Extensions {
  /** Absolute, or a URL. */
  context?: string;
  /** "Dockerfile" unless dockerfile_inline is given (relative to the context). */
  dockerfile?: string;
  dockerfile_inline?: string;
  entitlements?: string[];
  args?: Variables;
  /** "id", or "id: path". */
  ssh?: string[];
  labels?: StringMap;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: AsWritten<boolean>;
  additional_contexts?: StringMap;
  network?: string;
  pull?: AsWritten<boolean>;
  target?: string;
  shm_size?: string;
  extra_hosts?: string[];
  isolation?: string;
  privileged?: AsWritten<boolean>;
  secrets?: ServiceSecret[];
  tags?: string[];
  ulimits?: Record<string, Ulimit>;
  platforms?: string[];
}

export interface Healthcheck extends Extensions {
  /** ["CMD-SHELL", …] for a string test. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface Deploy extends Extensions {
  mode?: string;
  endpoint_mode?: string;
  replicas?: number;
  labels?: StringMap;
  rollback_config?: UpdateConfig;
  update_config?: UpdateConfig;
  /** Always there, empty when not written. */
  resources: DeployResources;
  restart_policy?: RestartPolicy;
  /** Always there, empty when not written. */
  placement: Placement;
}

export interface DeployResources extends Extensions {
  limits?: ResourceLimits;
  reservations?: ResourceReservations;
}

export interface ResourceLimits extends Extensions {
  cpus?: number;
  memory?: string;
  pids?: AsWritten<number>;
}

export interface ResourceReservations extends Extensions {
  cpus?: number;
  memory?: string;
  generic_resources?: GenericResource[];
  devices?: DeviceRequest[];
}

export interface GenericResource extends Extensions {
  discrete_resource_spec?: DiscreteResourceSpec;
}

export interface DiscreteResourceSpec extends Extensions {
  kind?: string;
  value?: AsWritten<number>;
}

/** deploy.resources.reservations.devices and gpus. */
export interface DeviceRequest extends Extensions {
  capabilities?: string[];
  /** -1 for all. */
  count?: AsWritten<number>;
  device_ids?: string[];
  driver?: string;
  options?: WrittenMappingOrList;
}

export interface RestartPolicy extends Extensions {
  condition?: string;
  delay?: string;
  max_attempts?: number;
  window?: string;
}

export interface UpdateConfig extends Extensions {
  parallelism?: number;
  delay?: string;
  failure_action?: string;
  monitor?: string;
  max_failure_ratio?: number;
  order?: "start-first" | "stop-first";
}

export interface Placement extends Extensions {
  constraints?: string[];
  preferences?: PlacementPreference[];
  max_replicas_per_node?: number;
}

export interface PlacementPreference extends Extensions {
  spread?: string;
}

export interface ServicePort extends Extensions {
  name?: string;
  /** "ingress" unless written. */
  mode: string;
  host_ip?: string;
  target?: number;
  /** A port or a range, as text. */
  published?: string;
  /** "tcp" unless written. */
  protocol: string;
  app_protocol?: string;
}

export interface ServiceVolume extends Extensions {
  type: string;
  /** A host path (absolute) for a bind mount, a volume's key for a named volume; none for an anonymous one. */
  source?: string;
  target?: string;
  read_only?: boolean;
  consistency?: string;
  bind?: VolumeBindOptions;
  volume?: VolumeVolumeOptions;
  tmpfs?: VolumeTmpfsOptions;
}

export interface VolumeBindOptions extends Extensions {
  propagation?: string;
  create_host_path?: AsWritten<boolean>;
  recursive?: "enabled" | "disabled" | "writable" | "readonly";
  selinux?: "z" | "Z";
}

export interface VolumeVolumeOptions extends Extensions {
  nocopy?: boolean;
  subpath?: string;
}

export interface VolumeTmpfsOptions extends Extensions {
  /** Bytes, as text. */
  size?: string;
  mode?: number;
}

/** A service's settings on one network. */
export interface ServiceNetwork extends Extensions {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  driver_opts?: StringMap;
  priority?: number;
  gw_priority?: number;
}

export interface DependsOn extends Extensions {
  condition: "service_started" | "service_healthy" | "service_completed_successfully";
  /** Only there when true. */
  restart?: boolean;
  required: boolean;
}

export interface Logging extends Extensions {
  driver?: string;
  options?: StringMap;
}

/** A single limit (soft and hard alike), or both; {} for a single limit of 0. */
export type Ulimit = number | UlimitLimits;

export interface UlimitLimits extends Extensions {
  soft?: number;
  hard?: number;
}

export interface DevelopConfig extends Extensions {
  watch?: WatchRule[];
}

export interface WatchRule extends Extensions {
  /** Absolute. */
  path: string;
  action: "rebuild" | "sync" | "restart" | "sync+restart" | "sync+exec";
  target?: string;
  ignore?: string[];
  exec?: ServiceHook;
  /** tcompose (and later compose-spec): sync the path's files when watching starts. */
  initial_sync?: AsWritten<boolean>;
}

/** post_start, pre_stop and a watch rule's exec. */
export interface ServiceHook extends Extensions {
  command?: string[] | null;
  user?: string;
  privileged?: AsWritten<boolean>;
  working_dir?: string;
  environment?: Variables;
}

/** A service's (or a build's) reference to a secret or a config. */
export interface FileReference extends Extensions {
  source: string;
  /** A secret's defaults to /run/secrets/<source>; a config's has no default. */
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}
export type ServiceSecret = FileReference;
export type ServiceConfig = FileReference;

export interface BlkioConfig {
  device_read_bps?: ThrottleDevice[];
  device_read_iops?: ThrottleDevice[];
  device_write_bps?: ThrottleDevice[];
  device_write_iops?: ThrottleDevice[];
  weight?: AsWritten<number>;
  weight_device?: WeightDevice[];
}

export interface ThrottleDevice {
  path?: string;
  /** Bytes (or operations) per second, as text. */
  rate?: string;
}

export interface WeightDevice {
  path?: string;
  weight?: AsWritten<number>;
}

export interface EnvFile {
  /** Absolute. */
  path: string;
  format?: string;
  required: AsWritten<boolean>;
}

export interface ServiceDevice extends Extensions {
  source: string;
  target?: string;
  permissions?: string;
}

export interface CredentialSpec extends Extensions {
  config?: string;
  file?: string;
  registry?: string;
}

// ---------------------------------------------------------------------------------------------------------
// top-level resources

export interface Network extends Extensions {
  /** `<project>_<key>` unless written (the key for an external one); none with --no-normalize. */
  name?: string;
  driver?: string;
  driver_opts?: StringMap;
  /** Always there, empty when not written. */
  ipam: Ipam;
  external?: boolean;
  internal?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  attachable?: boolean;
  labels?: StringMap;
}

/** Without `options`: the reference's model has none. */
export interface Ipam extends Extensions {
  driver?: string;
  config?: IpamConfig[];
}

export interface IpamConfig extends Extensions {
  subnet?: string;
  ip_range?: string;
  gateway?: string;
  aux_addresses?: StringMap;
}

export interface Volume extends Extensions {
  name?: string;
  driver?: string;
  driver_opts?: StringMap;
  external?: boolean;
  labels?: StringMap;
}

export interface Secret extends Extensions {
  name?: string;
  /** The variable the secret's content comes from. */
  environment?: string;
  /** Absolute. */
  file?: string;
  external?: boolean;
  labels?: StringMap;
  driver?: string;
  driver_opts?: Record<string, string | number>;
  template_driver?: string;
}

export interface Config extends Extensions {
  name?: string;
  content?: string;
  environment?: string;
  file?: string;
  external?: boolean;
  labels?: StringMap;
  template_driver?: string;
}

// ---------------------------------------------------------------------------------------------------------
// the keys of each type

export const composeKeys = [
  "name",
  "services",
  "networks",
  "volumes",
  "secrets",
  "configs",
] as const satisfies readonly (keyof ComposeModel)[];

export const serviceKeys = [
  "annotations",
  "attach",
  "blkio_config",
  "build",
  "cap_add",
  "cap_drop",
  "cgroup",
  "cgroup_parent",
  "command",
  "configs",
  "container_name",
  "cpu_count",
  "cpu_percent",
  "cpu_period",
  "cpu_quota",
  "cpu_rt_period",
  "cpu_rt_runtime",
  "cpu_shares",
  "cpus",
  "cpuset",
  "credential_spec",
  "depends_on",
  "deploy",
  "develop",
  "device_cgroup_rules",
  "devices",
  "dns",
  "dns_opt",
  "dns_search",
  "domainname",
  "entrypoint",
  "env_file",
  "environment",
  "expose",
  "external_links",
  "extra_hosts",
  "gpus",
  "group_add",
  "healthcheck",
  "hostname",
  "image",
  "init",
  "ipc",
  "isolation",
  "labels",
  "links",
  "logging",
  "mac_address",
  "mem_limit",
  "mem_reservation",
  "mem_swappiness",
  "memswap_limit",
  "network_mode",
  "networks",
  "oom_kill_disable",
  "oom_score_adj",
  "pid",
  "pids_limit",
  "platform",
  "ports",
  "post_start",
  "pre_stop",
  "privileged",
  "profiles",
  "pull_policy",
  "read_only",
  "restart",
  "runtime",
  "scale",
  "secrets",
  "security_opt",
  "shm_size",
  "stdin_open",
  "stop_grace_period",
  "stop_signal",
  "storage_opt",
  "sysctls",
  "tmpfs",
  "tty",
  "ulimits",
  "user",
  "userns_mode",
  "uts",
  "volumes",
  "volumes_from",
  "working_dir",
] as const satisfies readonly (keyof Service)[];

export const buildKeys = [
  "context",
  "dockerfile",
  "dockerfile_inline",
  "entitlements",
  "args",
  "ssh",
  "labels",
  "cache_from",
  "cache_to",
  "no_cache",
  "additional_contexts",
  "network",
  "pull",
  "target",
  "shm_size",
  "extra_hosts",
  "isolation",
  "privileged",
  "secrets",
  "tags",
  "ulimits",
  "platforms",
] as const satisfies readonly (keyof BuildConfig)[];

export const healthcheckKeys = [
  "test",
  "interval",
  "timeout",
  "retries",
  "start_period",
  "start_interval",
  "disable",
] as const satisfies readonly (keyof Healthcheck)[];

export const deployKeys = [
  "mode",
  "endpoint_mode",
  "replicas",
  "labels",
  "rollback_config",
  "update_config",
  "resources",
  "restart_policy",
  "placement",
] as const satisfies readonly (keyof Deploy)[];

export const deployResourcesKeys = [
  "limits",
  "reservations",
] as const satisfies readonly (keyof DeployResources)[];
export const resourceLimitsKeys = [
  "cpus",
  "memory",
  "pids",
] as const satisfies readonly (keyof ResourceLimits)[];
export const resourceReservationsKeys = [
  "cpus",
  "memory",
  "generic_resources",
  "devices",
] as const satisfies readonly (keyof ResourceReservations)[];
export const genericResourceKeys = [
  "discrete_resource_spec",
] as const satisfies readonly (keyof GenericResource)[];
export const discreteResourceSpecKeys = [
  "kind",
  "value",
] as const satisfies readonly (keyof DiscreteResourceSpec)[];
export const deviceRequestKeys = [
  "capabilities",
  "count",
  "device_ids",
  "driver",
  "options",
] as const satisfies readonly (keyof DeviceRequest)[];
export const restartPolicyKeys = [
  "condition",
  "delay",
  "max_attempts",
  "window",
] as const satisfies readonly (keyof RestartPolicy)[];
export const updateConfigKeys = [
  "parallelism",
  "delay",
  "failure_action",
  "monitor",
  "max_failure_ratio",
  "order",
] as const satisfies readonly (keyof UpdateConfig)[];
export const placementKeys = [
  "constraints",
  "preferences",
  "max_replicas_per_node",
] as const satisfies readonly (keyof Placement)[];
export const placementPreferenceKeys = ["spread"] as const satisfies readonly (keyof PlacementPreference)[];

export const servicePortKeys = [
  "name",
  "mode",
  "host_ip",
  "target",
  "published",
  "protocol",
  "app_protocol",
] as const satisfies readonly (keyof ServicePort)[];

export const serviceVolumeKeys = [
  "type",
  "source",
  "target",
  "read_only",
  "consistency",
  "bind",
  "volume",
  "tmpfs",
] as const satisfies readonly (keyof ServiceVolume)[];
export const volumeBindKeys = [
  "propagation",
  "create_host_path",
  "recursive",
  "selinux",
] as const satisfies readonly (keyof VolumeBindOptions)[];
export const volumeVolumeKeys = [
  "nocopy",
  "subpath",
] as const satisfies readonly (keyof VolumeVolumeOptions)[];
export const volumeTmpfsKeys = ["size", "mode"] as const satisfies readonly (keyof VolumeTmpfsOptions)[];

export const serviceNetworkKeys = [
  "aliases",
  "ipv4_address",
  "ipv6_address",
  "link_local_ips",
  "mac_address",
  "driver_opts",
  "priority",
  "gw_priority",
] as const satisfies readonly (keyof ServiceNetwork)[];

export const dependsOnKeys = [
  "condition",
  "restart",
  "required",
] as const satisfies readonly (keyof DependsOn)[];
export const loggingKeys = ["driver", "options"] as const satisfies readonly (keyof Logging)[];
export const ulimitKeys = ["soft", "hard"] as const satisfies readonly (keyof UlimitLimits)[];
export const developKeys = ["watch"] as const satisfies readonly (keyof DevelopConfig)[];
export const watchRuleKeys = [
  "path",
  "action",
  "target",
  "ignore",
  "exec",
  "initial_sync",
] as const satisfies readonly (keyof WatchRule)[];
export const hookKeys = [
  "command",
  "user",
  "privileged",
  "working_dir",
  "environment",
] as const satisfies readonly (keyof ServiceHook)[];
export const fileReferenceKeys = [
  "source",
  "target",
  "uid",
  "gid",
  "mode",
] as const satisfies readonly (keyof FileReference)[];
export const blkioKeys = [
  "device_read_bps",
  "device_read_iops",
  "device_write_bps",
  "device_write_iops",
  "weight",
  "weight_device",
] as const satisfies readonly (keyof BlkioConfig)[];
export const throttleDeviceKeys = ["path", "rate"] as const satisfies readonly (keyof ThrottleDevice)[];
export const weightDeviceKeys = ["path", "weight"] as const satisfies readonly (keyof WeightDevice)[];
export const envFileKeys = ["path", "format", "required"] as const satisfies readonly (keyof EnvFile)[];
export const serviceDeviceKeys = [
  "source",
  "target",
  "permissions",
] as const satisfies readonly (keyof ServiceDevice)[];
export const credentialSpecKeys = [
  "config",
  "file",
  "registry",
] as const satisfies readonly (keyof CredentialSpec)[];

export const networkKeys = [
  "name",
  "driver",
  "driver_opts",
  "ipam",
  "external",
  "internal",
  "enable_ipv4",
  "enable_ipv6",
  "attachable",
  "labels",
] as const satisfies readonly (keyof Network)[];
export const ipamKeys = ["driver", "config"] as const satisfies readonly (keyof Ipam)[];
export const ipamConfigKeys = [
  "subnet",
  "ip_range",
  "gateway",
  "aux_addresses",
] as const satisfies readonly (keyof IpamConfig)[];
export const volumeKeys = [
  "name",
  "driver",
  "driver_opts",
  "external",
  "labels",
] as const satisfies readonly (keyof Volume)[];
export const secretKeys = [
  "name",
  "environment",
  "file",
  "external",
  "labels",
  "driver",
  "driver_opts",
  "template_driver",
] as const satisfies readonly (keyof Secret)[];
export const configKeys = [
  "name",
  "content",
  "environment",
  "file",
  "external",
  "labels",
  "template_driver",
] as const satisfies readonly (keyof Config)[];

/** The keys of T (`x-…` aside) its list leaves out. */
type Unlisted<T, L extends readonly PropertyKey[]> = Exclude<keyof T, L[number] | `x-${string}`>;
/** Compiles only when T is never: a key a list leaves out is named in the error. */
type Never<T extends never> = T;

/** The compile-time check that every list names every key of its type. */
export type ListedKeys = [
  Never<Unlisted<ComposeModel, typeof composeKeys>>,
  Never<Unlisted<Service, typeof serviceKeys>>,
  Never<Unlisted<BuildConfig, typeof buildKeys>>,
  Never<Unlisted<Healthcheck, typeof healthcheckKeys>>,
  Never<Unlisted<Deploy, typeof deployKeys>>,
  Never<Unlisted<DeployResources, typeof deployResourcesKeys>>,
  Never<Unlisted<ResourceLimits, typeof resourceLimitsKeys>>,
  Never<Unlisted<ResourceReservations, typeof resourceReservationsKeys>>,
  Never<Unlisted<GenericResource, typeof genericResourceKeys>>,
  Never<Unlisted<DiscreteResourceSpec, typeof discreteResourceSpecKeys>>,
  Never<Unlisted<DeviceRequest, typeof deviceRequestKeys>>,
  Never<Unlisted<RestartPolicy, typeof restartPolicyKeys>>,
  Never<Unlisted<UpdateConfig, typeof updateConfigKeys>>,
  Never<Unlisted<Placement, typeof placementKeys>>,
  Never<Unlisted<PlacementPreference, typeof placementPreferenceKeys>>,
  Never<Unlisted<ServicePort, typeof servicePortKeys>>,
  Never<Unlisted<ServiceVolume, typeof serviceVolumeKeys>>,
  Never<Unlisted<VolumeBindOptions, typeof volumeBindKeys>>,
  Never<Unlisted<VolumeVolumeOptions, typeof volumeVolumeKeys>>,
  Never<Unlisted<VolumeTmpfsOptions, typeof volumeTmpfsKeys>>,
  Never<Unlisted<ServiceNetwork, typeof serviceNetworkKeys>>,
  Never<Unlisted<DependsOn, typeof dependsOnKeys>>,
  Never<Unlisted<Logging, typeof loggingKeys>>,
  Never<Unlisted<UlimitLimits, typeof ulimitKeys>>,
  Never<Unlisted<DevelopConfig, typeof developKeys>>,
  Never<Unlisted<WatchRule, typeof watchRuleKeys>>,
  Never<Unlisted<ServiceHook, typeof hookKeys>>,
  Never<Unlisted<FileReference, typeof fileReferenceKeys>>,
  Never<Unlisted<BlkioConfig, typeof blkioKeys>>,
  Never<Unlisted<ThrottleDevice, typeof throttleDeviceKeys>>,
  Never<Unlisted<WeightDevice, typeof weightDeviceKeys>>,
  Never<Unlisted<EnvFile, typeof envFileKeys>>,
  Never<Unlisted<ServiceDevice, typeof serviceDeviceKeys>>,
  Never<Unlisted<CredentialSpec, typeof credentialSpecKeys>>,
  Never<Unlisted<Network, typeof networkKeys>>,
  Never<Unlisted<Ipam, typeof ipamKeys>>,
  Never<Unlisted<IpamConfig, typeof ipamConfigKeys>>,
  Never<Unlisted<Volume, typeof volumeKeys>>,
  Never<Unlisted<Secret, typeof secretKeys>>,
  Never<Unlisted<Config, typeof configKeys>>,
];
