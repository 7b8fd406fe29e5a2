// The project's own view of the Docker Engine: plain data named after the Engine API's fields.
// dockerode's types stop at the adapter (docker.ts and its per-resource modules); everything above the
// engine module sees only these.
import type { Duplex } from "node:stream";
import type { SwarmApi } from "./swarm-types.js";

export type * from "./swarm-types.js";

export type Labels = Record<string, string>;

/** Label filters: `{ key: value }` matches an exact value, `{ key: true }` the presence of the key. */
export type LabelFilter = Record<string, string | true>;

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

export interface NetworkCreateRequest {
  Name: string;
  /**
   * Refuse a name the engine already has, a network local to the node included (Engine < 25 reads it; API
   * < 1.44). `docker compose` sets it; `docker stack deploy` does not, and a swarm network is then made
   * beside a local one of the same name (a manager's leftover copy of a removed stack's network, say).
   */
  CheckDuplicate?: boolean;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Labels?: Labels;
  Options?: Record<string, string>;
  IPAM?: {
    Driver?: string;
    Config?: {
      Subnet?: string;
      IPRange?: string;
      Gateway?: string;
      AuxiliaryAddresses?: Record<string, string>;
    }[];
  };
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  labels: Labels;
}

/** The body of POST /containers/create (Engine API), the part tcompose sets. */
export interface ContainerCreateRequest {
  name: string;
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  Labels?: Labels;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Domainname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
  };
  MacAddress?: string;
  NetworkDisabled?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: {
    EndpointsConfig: Record<
      string,
      {
        Aliases?: string[];
        Links?: string[];
        IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
        IPAddress?: string;
        IPv6Gateway?: string;
        MacAddress?: string;
      }
    >;
  };
}

export interface ContainerSummary {
  id: string;
  names: string[];
  image: string;
  /** The image id the container runs. */
  imageId: string;
  command: string;
  /** Unix seconds. */
  created: number;
  state: string;
  status: string;
  labels: Labels;
  ports: PortSummary[];
  /** Network name → the container's IP address there. */
  networks: Record<string, string>;
  /** Its mounts as the listing gives them (volume name or source path, and the volume driver). */
  mounts?: { name: string; driver: string }[];
}

export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** A mount of an existing container (GET /containers/{id}/json, Mounts). */
export interface MountPoint {
  Type: string;
  /** The volume's name, for volumes. */
  Name?: string;
  Source: string;
  Destination: string;
  RW: boolean;
}

export interface ImageDetails {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** The image's VOLUME destinations. */
  volumes: string[];
  labels: Labels;
  /** The image's ENV, `KEY=value`. */
  env: string[];
  created: string;
  size: number;
}

export interface ImageSummary {
  id: string;
  repoTags: string[];
  created: number;
  size: number;
  labels: Labels;
}

export interface VolumeCreateRequest {
  Name: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Labels;
}

export interface VolumeSummary {
  name: string;
  driver: string;
  labels: Labels;
  mountpoint: string;
}

export interface NetworkDetails extends NetworkSummary {
  /** Ids of the containers attached. */
  containers: string[];
  /** RFC 3339 with nanoseconds, as the engine gives it. */
  created?: string;
  /** local | swarm | global */
  scope?: string;
}

/** One message of GET /events. */
export interface EngineEvent {
  type: string;
  action: string;
  /** The object's id (Actor.ID). */
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: number;
  /** timeNano exactly, as the engine wrote it (a number of nanoseconds exceeds a double's precision). */
  timeNanoText: string;
}

export interface EventFilter {
  label?: LabelFilter;
  type?: string[];
  event?: string[];
  container?: string[];
}

export interface Subscription {
  close(): void;
}

export interface LogOptions {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  /** The container has a TTY: its output is one raw stream, not multiplexed. */
  tty?: boolean;
}

export type OutputStream = "stdout" | "stderr";

/**
 * A piece of a container's log as it arrives; `start`: it begins one of the engine's messages (a frame of a
 * multiplexed stream; always false for a TTY's raw stream).
 */
export type LogData = (stream: OutputStream, chunk: Buffer, start: boolean) => void;

/** A container's output being read; pause/resume give the reader back-pressure over the engine. */
export interface LogStream {
  /** Settles when the stream ends. */
  done: Promise<void>;
  close(): void;
  pause(): void;
  resume(): void;
}

/** One sample of GET /containers/{id}/stats: the fields the docker CLI's `stats` reads (Linux). */
export interface ContainerStatsSample {
  name?: string;
  id?: string;
  cpu_stats?: StatsCpu;
  precpu_stats?: StatsCpu;
  /** cgroup v1 or v2 counters in `stats` (total_inactive_file, inactive_file …); empty when not running. */
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

export interface StatsCpu {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** A container's stats being read; `done` settles when the engine ends the stream (or on close). */
export interface StatsStream extends Subscription {
  done: Promise<void>;
}

export interface ExecRequest {
  Cmd: string[];
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Env?: string[];
  WorkingDir?: string;
  DetachKeys?: string;
}

/** A hijacked connection to a container or an exec: raw bytes both ways. */
export interface Attachment {
  /** Multiplexed unless the container or exec has a TTY. */
  output: NodeJS.ReadableStream;
  input: NodeJS.WritableStream;
  close(): void;
}

export interface BuildRequest {
  /** The build context, a tar stream; none when BuildKit reads it through the build's session
   * (remote=client-session). */
  context?: NodeJS.ReadableStream;
  /** Query parameters of POST /build, named as the Engine API names them (t, dockerfile, buildargs …). */
  query: Record<string, unknown>;
}

/** One line of a build's or a pull's JSON progress stream. */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  /** The built image (`{ID}`), or with BuildKit (`id` moby.buildkit.trace) a base64 StatusResponse. */
  aux?: { ID?: string } | string;
  error?: string;
  errorDetail?: { message?: string };
}

/** The engine's X-Docker-Container-Path-Stat header. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: permissions, plus 1<<31 for a directory, 1<<27 for a symbolic link. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  health?: string;
  /** The last health probes' output, newest last. */
  healthLog?: { exitCode: number; output: string }[];
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerDetails {
  id: string;
  name: string;
  /** Config.Image: the reference the container was created with. */
  image: string;
  /** The image id it runs. */
  imageId: string;
  created: string;
  labels: Labels;
  state: ContainerState;
  networks: string[];
  ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  mounts: MountPoint[];
  tty: boolean;
  hasHealthcheck: boolean;
  /** The whole inspect document, for differential tests and `--format json` output. */
  raw: Record<string, unknown>;
}

/** The Engine API as tcompose uses it; the swarm calls (stack commands) are in swarm-types.ts. */
export interface Engine extends SwarmApi {
  /** Where it talks to, for messages. */
  readonly endpoint: string;
  /** The API version negotiated at connect (1.41 …), without a round trip. */
  readonly apiVersion: string;
  version(): Promise<EngineVersion>;
  createNetwork(request: NetworkCreateRequest): Promise<string>;
  removeNetwork(idOrName: string): Promise<void>;
  listNetworks(filter: LabelFilter): Promise<NetworkSummary[]>;
  hasImage(ref: string): Promise<boolean>;
  pullImage(ref: string): Promise<void>;
  createContainer(request: ContainerCreateRequest): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds?: number): Promise<void>;
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  inspectContainer(id: string): Promise<ContainerDetails>;
  listContainers(filter: LabelFilter, options?: { all?: boolean }): Promise<ContainerSummary[]>;

  inspectNetwork(idOrName: string): Promise<NetworkDetails | undefined>;
  /** Networks whose name contains `name` (the engine's name filter matches substrings). */
  listNetworksByName(name: string): Promise<NetworkSummary[]>;
  connectNetwork(network: string, container: string, endpoint?: Record<string, unknown>): Promise<void>;
  disconnectNetwork(network: string, container: string, force?: boolean): Promise<void>;

  createVolume(request: VolumeCreateRequest): Promise<void>;
  inspectVolume(name: string): Promise<VolumeSummary | undefined>;
  listVolumes(filter: LabelFilter): Promise<VolumeSummary[]>;
  /** Resolves false when the volume is in use (409). */
  removeVolume(name: string, force?: boolean): Promise<"removed" | "in-use" | "missing">;

  inspectImage(ref: string): Promise<ImageDetails | undefined>;
  /** The digest of the manifest the registry serves for `ref` (GET /distribution/{ref}/json). */
  distributionDigest(ref: string): Promise<string>;
  /**
   * GET /distribution/{ref}/json in full: the manifest's digest and the platforms it serves (what the docker
   * client pins a service's image with), with the registry login as X-Registry-Auth when given.
   */
  distributionInspect(
    ref: string,
    registryAuth?: string,
  ): Promise<{ digest: string; platforms: { architecture: string; os: string }[] }>;
  listImages(filter?: LabelFilter): Promise<ImageSummary[]>;
  /** Pulls with progress messages (pullImage without them). */
  pullImageWithProgress(ref: string, onMessage: (m: JsonMessage) => void, platform?: string): Promise<void>;
  removeImage(ref: string, options?: { force?: boolean }): Promise<"removed" | "in-use" | "missing">;
  tagImage(source: string, repo: string, tag: string): Promise<void>;
  pushImage(ref: string, onMessage: (m: JsonMessage) => void): Promise<void>;
  /** POST /build; resolves with the built image's id. */
  buildImage(request: BuildRequest, onMessage: (m: JsonMessage) => void): Promise<string>;
  /**
   * POST /session upgraded to h2c (a BuildKit session, build/session/): the raw connection on which the
   * engine is the HTTP/2 client. `headers` are the X-Docker-Expose-Session-* headers.
   */
  openSession(headers: Record<string, string | string[]>): Promise<Duplex>;

  renameContainer(id: string, name: string): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  restartContainer(id: string, timeoutSeconds?: number): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  /** Resolves with the exit code once the container is not running (or removed, with condition "removed"). */
  waitContainer(id: string, condition?: "not-running" | "next-exit" | "removed"): Promise<number>;
  topContainer(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /**
   * A container's resource usage (GET /containers/{id}/stats): one sample (taken over a second, so the
   * CPU delta is real), or with `stream` one a second until closed.
   */
  containerStats(
    id: string,
    options: { stream: boolean },
    onSample: (sample: ContainerStatsSample) => void,
  ): Promise<StatsStream>;
  /** Follows (or dumps) a container's output; `done` settles when the stream ends. */
  containerLogs(id: string, options: LogOptions, onData: LogData): Promise<LogStream>;
  attachContainer(
    id: string,
    options: { stdin: boolean; logs?: boolean; detachKeys?: string },
  ): Promise<Attachment>;
  resizeContainer(id: string, rows: number, columns: number): Promise<void>;
  /**
   * Copies a tar archive into the container, extracted at `path` (PUT /containers/{id}/archive;
   * copyUIDGID keeps the archive's owners, noOverwriteDirNonDir refuses to replace a directory by a file).
   */
  putArchive(
    id: string,
    path: string,
    tar: Buffer | NodeJS.ReadableStream,
    options?: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean },
  ): Promise<void>;
  /** What is at `path` in the container (HEAD /containers/{id}/archive), undefined when nothing is. */
  statPath(id: string, path: string): Promise<PathStat | undefined>;
  getArchive(id: string, path: string): Promise<NodeJS.ReadableStream>;

  createExec(container: string, request: ExecRequest): Promise<string>;
  startExec(exec: string, options: { tty: boolean; stdin: boolean; detach?: boolean }): Promise<Attachment>;
  inspectExec(exec: string): Promise<{ running: boolean; exitCode: number | null }>;
  resizeExec(exec: string, rows: number, columns: number): Promise<void>;

  /** Streams engine events matching the filter until closed. */
  subscribeEvents(
    filter: EventFilter,
    onEvent: (event: EngineEvent) => void,
    onError?: (error: Error) => void,
  ): Promise<Subscription>;
  /** Splits a multiplexed stream (no TTY) into stdout and stderr. */
  demux(stream: NodeJS.ReadableStream, onData: (stream: OutputStream, chunk: Buffer) => void): void;
}
