// The project's own view of the Docker Engine: plain data named after the Engine API's fields.
// dockerode's types stop at docker.ts; everything above the engine module sees only these.

export type Labels = Record<string, string>;

/** Label filters: `{ key: value }` matches an exact value, `{ key: true }` the presence of the key. */
export type LabelFilter = Record<string, string | true>;

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Labels?: Labels;
  Options?: Record<string, string>;
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
  state: string;
  status: string;
  labels: Labels;
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  health?: string;
}

export interface ContainerDetails {
  id: string;
  name: string;
  image: string;
  labels: Labels;
  state: ContainerState;
  networks: string[];
  ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
}

export interface Engine {
  /** Where it talks to, for messages. */
  readonly endpoint: string;
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
}
