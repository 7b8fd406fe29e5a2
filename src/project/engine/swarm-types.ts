// Swarm objects as the Engine API names them (services, tasks, nodes, secrets, configs): the part tcompose's
// stack commands write and read. Plain data; fields left out are the engine's defaults.

// The same as types.ts's, not imported from it: types.ts imports this file (no import cycles in src/).
type Labels = Record<string, string>;
type LabelFilter = Record<string, string | true>;
type OutputStream = "stdout" | "stderr";
interface LogStream {
  done: Promise<void>;
  close(): void;
  pause(): void;
  resume(): void;
}

/** Durations are nanoseconds, as the API's Go time.Duration. */
export type Nanoseconds = number;

export interface SwarmMount {
  Type: "bind" | "volume" | "tmpfs" | "npipe";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Labels;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
    Subpath?: string;
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** A secret or config given to a service's containers as a file. */
export interface SwarmFileReference {
  File?: { Name: string; UID: string; GID: string; Mode: number };
  Runtime?: Record<string, never>;
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
}

export interface SwarmHealthConfig {
  Test?: string[];
  Interval?: Nanoseconds;
  Timeout?: Nanoseconds;
  Retries?: number;
  StartPeriod?: Nanoseconds;
  StartInterval?: Nanoseconds;
}

export interface ContainerSpec {
  Image: string;
  Labels?: Labels;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Privileges?: Record<string, unknown>;
  Init?: boolean;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: SwarmMount[];
  StopSignal?: string;
  StopGracePeriod?: Nanoseconds;
  Healthcheck?: SwarmHealthConfig;
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
  Secrets?: SwarmFileReference[];
  Configs?: SwarmFileReference[];
  Isolation?: string;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
}

export interface SwarmResources {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
  GenericResources?: { DiscreteResourceSpec?: { Kind: string; Value: number } }[];
}

export interface SwarmUpdateConfig {
  Parallelism?: number;
  Delay?: Nanoseconds;
  FailureAction?: "pause" | "continue" | "rollback";
  Monitor?: Nanoseconds;
  MaxFailureRatio?: number;
  Order?: "stop-first" | "start-first";
}

export interface SwarmPortConfig {
  Name?: string;
  Protocol?: "tcp" | "udp" | "sctp";
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: "ingress" | "host";
}

export interface TaskTemplate {
  ContainerSpec: ContainerSpec;
  Resources?: { Limits?: SwarmResources; Reservations?: SwarmResources };
  RestartPolicy?: {
    Condition?: "none" | "on-failure" | "any";
    Delay?: Nanoseconds;
    MaxAttempts?: number;
    Window?: Nanoseconds;
  };
  Placement?: {
    Constraints?: string[];
    Preferences?: { Spread: { SpreadDescriptor: string } }[];
    MaxReplicas?: number;
    Platforms?: { Architecture: string; OS: string }[];
  };
  Networks?: { Target: string; Aliases?: string[]; DriverOpts?: Record<string, string> }[];
  LogDriver?: { Name: string; Options?: Record<string, string> };
  ForceUpdate?: number;
  Runtime?: string;
}

/** The body of POST /services/create and /services/{id}/update. */
export interface ServiceSpec {
  Name: string;
  Labels?: Labels;
  TaskTemplate: TaskTemplate;
  Mode?: {
    Replicated?: { Replicas?: number };
    Global?: Record<string, never>;
    ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
    GlobalJob?: Record<string, never>;
  };
  UpdateConfig?: SwarmUpdateConfig;
  RollbackConfig?: SwarmUpdateConfig;
  EndpointSpec?: { Mode?: "vip" | "dnsrr"; Ports?: SwarmPortConfig[] };
}

/** A service as GET /services returns it. */
export interface SwarmService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  Endpoint?: { Spec?: ServiceSpec["EndpointSpec"]; Ports?: SwarmPortConfig[]; VirtualIPs?: unknown[] };
  UpdateStatus?: { State?: string; StartedAt?: string; CompletedAt?: string; Message?: string };
  /** With `status=true`: running and desired task counts. */
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number; CompletedTasks?: number };
}

/** A task as GET /tasks returns it. */
export interface SwarmTask {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Labels?: Labels;
  Spec: TaskTemplate;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  Status: {
    Timestamp: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
    PortStatus?: { Ports?: SwarmPortConfig[] };
  };
  DesiredState: string;
}

export interface SwarmNode {
  ID: string;
  Description?: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Engine?: { Labels?: Labels };
  };
  Spec?: { Role?: string; Availability?: string; Labels?: Labels };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** The body of POST /secrets/create and /configs/create (Data is base64). */
export interface SwarmDataSpec {
  Name: string;
  Labels?: Labels;
  Data?: string;
  Driver?: { Name: string; Options?: Record<string, string> };
  Templating?: { Name: string; Options?: Record<string, string> };
}

/** A secret or config as listed (a secret's Data is never returned). */
export interface SwarmDataObject {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: SwarmDataSpec;
}

/** GET /info's Swarm part: whether this engine is in a swarm, and a manager of it. */
export interface SwarmState {
  nodeId: string;
  /** inactive | pending | active | error | locked */
  localNodeState: string;
  controlAvailable: boolean;
}

/** Filters of the swarm list calls (the API's `filters` query: label, name, id, service, node, desired-state …). */
export interface SwarmFilter {
  label?: LabelFilter;
  [key: string]: string[] | LabelFilter | undefined;
}

export interface ServiceWriteOptions {
  /** The X-Registry-Auth header: base64 JSON credentials for the image's registry (--with-registry-auth). */
  registryAuth?: string;
}

export interface ServiceUpdateOptions extends ServiceWriteOptions {
  /** Where the engine takes registry credentials from when none are sent (`spec` | `previous-spec`). */
  registryAuthFrom?: "spec" | "previous-spec";
  /** `previous`: roll back to PreviousSpec (the body's spec is then ignored by the engine but still sent). */
  rollback?: "previous";
}

export interface ServiceLogOptions {
  follow?: boolean;
  timestamps?: boolean;
  /** A number of lines, or "all". */
  tail?: string;
  since?: string;
  details?: boolean;
  /** Whether the service has a TTY (its output is then not multiplexed); asked of the engine when absent. */
  tty?: boolean;
}

/** The swarm part of the Engine: every stack command's calls. */
export interface SwarmApi {
  swarmState(): Promise<SwarmState>;
  listServices(filter?: SwarmFilter, options?: { status?: boolean }): Promise<SwarmService[]>;
  inspectService(idOrName: string): Promise<SwarmService | undefined>;
  /** Resolves with the new service's ID and the engine's warnings (e.g. an image it could not resolve). */
  createService(
    spec: ServiceSpec,
    options?: ServiceWriteOptions,
  ): Promise<{ id: string; warnings: string[] }>;
  updateService(
    id: string,
    version: number,
    spec: ServiceSpec,
    options?: ServiceUpdateOptions,
  ): Promise<{ warnings: string[] }>;
  removeService(idOrName: string): Promise<"removed" | "missing">;
  listTasks(filter?: SwarmFilter): Promise<SwarmTask[]>;
  listNodes(filter?: SwarmFilter): Promise<SwarmNode[]>;
  listSecrets(filter?: SwarmFilter): Promise<SwarmDataObject[]>;
  createSecret(spec: SwarmDataSpec): Promise<string>;
  /** Only labels may change on an existing secret. */
  updateSecret(id: string, version: number, spec: SwarmDataSpec): Promise<void>;
  removeSecret(idOrName: string): Promise<"removed" | "in-use" | "missing">;
  listConfigs(filter?: SwarmFilter): Promise<SwarmDataObject[]>;
  createConfig(spec: SwarmDataSpec): Promise<string>;
  updateConfig(id: string, version: number, spec: SwarmDataSpec): Promise<void>;
  removeConfig(idOrName: string): Promise<"removed" | "in-use" | "missing">;
  /**
   * GET /services/{id}/logs: the lines of every task of the service, demultiplexed, each with the task's
   * details (com.docker.swarm.task.id, .node.id … when `details`), until the stream ends or is closed.
   */
  serviceLogs(
    id: string,
    options: ServiceLogOptions,
    onChunk: (stream: OutputStream, chunk: Buffer) => void,
  ): Promise<LogStream>;
}
