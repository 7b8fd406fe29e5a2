// The only module that imports dockerode. It turns dockerode's calls and errors into the project's
// Engine interface (types.ts); it is loaded lazily by index.ts so commands that never talk to the
// engine do not pay for it at start-up.
import { type Duplex, PassThrough, Readable } from "node:stream";
import type Docker from "dockerode";
import { describeEndpoint, type Endpoint } from "./endpoint.js";
import { EngineError, EngineUnavailableError } from "./errors.js";
import { FrameDemuxer } from "./frames.js";
import {
  engineJson,
  enginePing,
  enginePost,
  enginePostStream,
  engineStream,
  engineUpgrade,
  type HttpFailure,
  type HttpTarget,
} from "./http.js";
import type { AuthConfig, Credentials } from "./registry-auth.js";
import type {
  Attachment,
  BuildRequest,
  ContainerCreateRequest,
  ContainerDetails,
  ContainerSummary,
  Engine,
  EngineEvent,
  EventFilter,
  ExecRequest,
  ImageDetails,
  ImageSummary,
  JsonMessage,
  LabelFilter,
  LogOptions,
  LogStream,
  NetworkCreateRequest,
  NetworkDetails,
  NetworkSummary,
  OutputStream,
  PathStat,
  Subscription,
  VolumeCreateRequest,
  VolumeSummary,
} from "./types.js";

const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
]);

function labelList(filter: LabelFilter): string[] {
  return Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`));
}

function labelFilters(filter: LabelFilter): string {
  return JSON.stringify({ label: labelList(filter) });
}

/** Splits a stream of JSON messages (one per line, possibly cut anywhere) into objects. */
function jsonLines(
  stream: NodeJS.ReadableStream,
  onMessage: (m: Record<string, unknown>, line: string) => void,
): void {
  let rest = "";
  stream.on("data", (chunk: Buffer) => {
    rest += chunk.toString("utf8");
    let nl = rest.indexOf("\n");
    while (nl >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) {
        try {
          onMessage(JSON.parse(line) as Record<string, unknown>, line);
        } catch {
          // not JSON: ignored, as the docker CLI does
        }
      }
      nl = rest.indexOf("\n");
    }
  });
}

/** A build's query as the engine reads it: lists as repeated keys, maps as JSON, the rest as text. */
export function buildQuery(query: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else if (typeof value === "object") search.set(key, JSON.stringify(value));
    else search.set(key, String(value));
  }
  return search;
}

/** Follows a JSON progress stream to its end; an `error` inside it rejects. */
function followMessages(stream: NodeJS.ReadableStream, onMessage: (m: JsonMessage) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    jsonLines(stream, (m) => {
      const message = m as JsonMessage;
      if (message.error) failure ??= message.errorDetail?.message ?? message.error;
      onMessage(message);
    });
    stream.on("end", () => (failure ? reject(new Error(failure)) : resolve()));
    stream.on("close", () => (failure ? reject(new Error(failure)) : resolve()));
    stream.on("error", reject);
  });
}

type Outcome = "removed" | "in-use" | "missing";

async function dockerOptions(endpoint: Endpoint): Promise<Docker.DockerOptions> {
  if (endpoint.kind === "unix") return { socketPath: endpoint.socketPath };
  if (endpoint.kind === "ssh") {
    // docker-modem's ssh transport: the engine's socket through an ssh connection (keys from the agent).
    return {
      protocol: "ssh",
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.username ? { username: endpoint.username } : {}),
      sshOptions: { ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}) },
    } as Docker.DockerOptions;
  }
  const options: Docker.DockerOptions = {
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.tls ? "https" : "http",
  };
  if (endpoint.skipVerify) (options as { rejectUnauthorized?: boolean }).rejectUnauthorized = false;
  if (endpoint.tls && endpoint.certPath) {
    const { readFile } = process.getBuiltinModule("node:fs/promises");
    const read = (name: string) => readFile(`${endpoint.certPath}/${name}`);
    [options.ca, options.cert, options.key] = await Promise.all([
      read("ca.pem"),
      read("cert.pem"),
      read("key.pem"),
    ]);
  }
  return options;
}

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

export class DockerEngine implements Engine {
  readonly endpoint: string;
  private docker!: Docker;
  private loading: Promise<void> | undefined;
  /** The engine's /version answer, asked for when needed. */
  private versionInfo: { Version: string; ApiVersion: string } | undefined;
  /**
   * Image inspects of this process, by reference: `up` asks about the same image for every service and
   * container. Dropped by every call that changes images (pull, build, tag, remove).
   */
  private readonly images = new Map<string, Promise<ImageDetails | undefined>>();

  private constructor(
    private readonly options: Docker.DockerOptions,
    private readonly where: Endpoint,
    /** The light client for reads; absent for ssh endpoints (dockerode does everything there). */
    private readonly http: HttpTarget | undefined,
    /** The registry logins (docker's config.json and credential helpers). */
    private readonly credentials: Credentials,
  ) {
    this.endpoint = describeEndpoint(where);
  }

  /** Connects and negotiates the API version (the engine's own, so older engines work). */
  static async connect(endpoint: Endpoint, credentials: Credentials): Promise<DockerEngine> {
    const options = await dockerOptions(endpoint);
    if (endpoint.kind === "ssh") {
      const { default: Dockerode } = await import("dockerode");
      let apiVersion: string;
      try {
        apiVersion = (await new Dockerode(options).version()).ApiVersion;
      } catch (error) {
        const e = error as DockerodeError;
        throw new EngineUnavailableError(endpoint, e.code ?? e.message ?? String(error));
      }
      return new DockerEngine({ ...options, version: `v${apiVersion}` }, endpoint, undefined, credentials);
    }
    const tls =
      options.ca || options.cert || options.key
        ? {
            ...(options.ca ? { ca: options.ca as Buffer } : {}),
            ...(options.cert ? { cert: options.cert as Buffer } : {}),
            ...(options.key ? { key: options.key as Buffer } : {}),
          }
        : undefined;
    const probe: HttpTarget = { endpoint, prefix: "", ...(tls ? { tls } : {}) };
    let apiVersion: string;
    let info: { Version: string; ApiVersion: string } | undefined;
    try {
      const pinged = await enginePing(probe);
      if (pinged) apiVersion = pinged;
      else {
        info = await engineJson<{ Version: string; ApiVersion: string }>(probe, "GET", "/version");
        apiVersion = info.ApiVersion;
      }
    } catch (error) {
      const e = error as HttpFailure;
      throw new EngineUnavailableError(endpoint, e.code ?? e.message ?? String(error));
    }
    const engine = new DockerEngine(
      { ...options, version: `v${apiVersion}` },
      endpoint,
      { ...probe, prefix: `/v${apiVersion}` },
      credentials,
    );
    engine.versionInfo = info;
    return engine;
  }

  /** dockerode, loaded on the first call that needs it (streams, writes, ssh). */
  private async dockerode(): Promise<void> {
    this.loading ??= import("dockerode").then(({ default: Dockerode }) => {
      this.docker = new Dockerode(this.options);
    });
    await this.loading;
  }

  /** A read through the light client (dockerode's call for ssh endpoints). */
  private read<T>(
    resource: string,
    path: string,
    query: Record<string, string | undefined>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    return this.send(resource, "GET", path, query, undefined, fallback);
  }

  /** A plain request through the light client (dockerode's call for ssh endpoints). */
  private async send<T>(
    resource: string,
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    body: unknown,
    fallback: () => Promise<T>,
  ): Promise<T> {
    if (!this.http) return this.call(resource, fallback);
    try {
      return await engineJson<T>(this.http, method, path, query, body);
    } catch (error) {
      throw this.failure(resource, error as HttpFailure);
    }
  }

  private failure(resource: string, e: HttpFailure): Error {
    if (e.code && unreachableCodes.has(e.code)) return new EngineUnavailableError(this.where, e.code);
    return new EngineError(resource, e.statusCode, e.message ?? String(e));
  }

  private async call<T>(resource: string, request: () => Promise<T>): Promise<T> {
    try {
      await this.dockerode();
      return await request();
    } catch (error) {
      const e = error as DockerodeError;
      if (e.code && unreachableCodes.has(e.code)) throw new EngineUnavailableError(this.where, e.code);
      const message = e.json?.message ?? e.message ?? String(error);
      throw new EngineError(resource, e.statusCode, message);
    }
  }

  /** The API version negotiated at connect (the engine's own, so older engines work): `v1.41` → 1.41. */
  get apiVersion(): string {
    return String(this.options.version ?? "").replace(/^v/, "");
  }

  async version() {
    this.versionInfo ??= await this.read<{ Version: string; ApiVersion: string }>(
      "engine",
      "/version",
      {},
      () => this.docker.version(),
    );
    return { version: this.versionInfo.Version, apiVersion: this.versionInfo.ApiVersion };
  }

  async createNetwork(request: NetworkCreateRequest): Promise<string> {
    const body = { ...request, CheckDuplicate: true };
    const network = await this.send<{ Id: string }>(
      `network ${request.Name}`,
      "POST",
      "/networks/create",
      {},
      body,
      async () => ({
        Id: (await this.docker.createNetwork(body)).id,
      }),
    );
    return network.Id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.send(
      `network ${idOrName}`,
      "DELETE",
      `/networks/${encodeURIComponent(idOrName)}`,
      {},
      undefined,
      () => this.docker.getNetwork(idOrName).remove(),
    );
  }

  async listNetworks(filter: LabelFilter): Promise<NetworkSummary[]> {
    const filters = labelFilters(filter);
    const networks = await this.read<Docker.NetworkInspectInfo[]>("networks", "/networks", { filters }, () =>
      this.docker.listNetworks({ filters }),
    );
    return networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} }));
  }

  async hasImage(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== undefined;
  }

  /** Runs a call that changes images; what was inspected before is forgotten once it ends. */
  private async changingImages<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.images.clear();
    }
  }

  /**
   * POST /images/create, with the registry login as the X-Registry-Auth header when there is one. The login
   * goes as dockerode's fourth argument: in the options it would be copied into the query string too.
   */
  private pullStream(ref: string, options: { platform?: string }): Promise<NodeJS.ReadableStream> {
    const auth = this.credentials.forImage(ref);
    if (!auth) return this.docker.pull(ref, options);
    const pull = this.docker.pull.bind(this.docker) as unknown as (
      ref: string,
      options: object,
      callback: undefined,
      auth: AuthConfig,
    ) => Promise<NodeJS.ReadableStream>;
    return pull(ref, options, undefined, auth);
  }

  async pullImage(ref: string): Promise<void> {
    return this.changingImages(async () => {
      await this.call(`image ${ref}`, async () => {
        const stream = await this.pullStream(ref, {});
        // The pull runs as long as its progress stream does; an error can arrive inside the stream.
        await new Promise<void>((resolve, reject) => {
          this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
            const failed = events?.find((e) => e.error);
            if (err) reject(err);
            else if (failed) reject(new Error(failed.error));
            else resolve();
          });
        });
      });
    });
  }

  async createContainer(request: ContainerCreateRequest): Promise<string> {
    // The engine takes the name (and platform) in the query, the rest as the body (as dockerode sends it).
    const { name, ...body } = request as ContainerCreateRequest & { platform?: string };
    const platform = (body as { platform?: string }).platform;
    delete (body as { platform?: string }).platform;
    const container = await this.send<{ Id: string }>(
      `container ${name}`,
      "POST",
      "/containers/create",
      { name, platform },
      body,
      async () => ({
        Id: (await this.docker.createContainer(request)).id,
      }),
    );
    return container.Id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.send(`container ${id}`, "POST", `/containers/${id}/start`, {}, undefined, () =>
        this.docker.getContainer(id).start(),
      );
    } catch (error) {
      // 304: already running, which is what was asked (the Go client takes any status below 400 as
      // success). A listing can be older than a start still under way, from this run or an interrupted one.
      if (!(error instanceof EngineError && error.statusCode === 304)) throw error;
    }
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    const t = timeoutSeconds === undefined ? undefined : String(timeoutSeconds);
    try {
      await this.send(`container ${id}`, "POST", `/containers/${id}/stop`, { t }, undefined, () =>
        this.docker.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
      );
    } catch (error) {
      // 304: already stopped, which is what was asked.
      if (!(error instanceof EngineError && error.statusCode === 304)) throw error;
    }
  }

  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const force = options.force ?? false;
    const v = options.volumes ?? false;
    await this.send(
      `container ${id}`,
      "DELETE",
      `/containers/${id}`,
      { force: String(force), v: String(v) },
      undefined,
      () => this.docker.getContainer(id).remove({ force, v }),
    );
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const c = await this.read<Docker.ContainerInspectInfo>(
      `container ${id}`,
      `/containers/${id}/json`,
      {},
      () => this.docker.getContainer(id).inspect(),
    );
    const health = c.State.Health as
      | { Status: string; Log?: { ExitCode: number; Output: string }[] | null }
      | undefined;
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      image: c.Config.Image,
      imageId: c.Image,
      created: c.Created,
      labels: c.Config.Labels ?? {},
      state: {
        status: c.State.Status,
        running: c.State.Running,
        exitCode: c.State.ExitCode,
        startedAt: c.State.StartedAt,
        finishedAt: c.State.FinishedAt,
        ...(health
          ? {
              health: health.Status,
              healthLog: (health.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output })),
            }
          : {}),
      },
      networks: Object.keys(c.NetworkSettings.Networks ?? {}),
      ports: (c.NetworkSettings.Ports ?? {}) as ContainerDetails["ports"],
      mounts: (c.Mounts ?? []).map((m) => ({
        Type: m.Type ?? "",
        ...(m.Name ? { Name: m.Name } : {}),
        Source: m.Source,
        Destination: m.Destination,
        RW: m.RW,
      })),
      tty: Boolean(c.Config.Tty),
      hasHealthcheck: Boolean(c.Config.Healthcheck?.Test?.length && c.Config.Healthcheck.Test[0] !== "NONE"),
      raw: c as unknown as Record<string, unknown>,
    };
  }

  async listContainers(filter: LabelFilter, options: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    const filters = labelFilters(filter);
    const list = await this.read<Docker.ContainerInfo[]>(
      "containers",
      "/containers/json",
      { all: options.all ? "1" : "0", filters },
      () => this.docker.listContainers({ all: options.all ?? false, filters }),
    );
    return list.map((c) => ({
      id: c.Id,
      names: c.Names.map((n) => n.replace(/^\//, "")),
      image: c.Image,
      imageId: c.ImageID,
      command: c.Command,
      created: c.Created,
      state: c.State,
      status: c.Status,
      labels: c.Labels ?? {},
      ports: c.Ports ?? [],
      networks: Object.fromEntries(
        Object.entries(c.NetworkSettings?.Networks ?? {}).map(([k, v]) => [k, v.IPAddress ?? ""]),
      ),
      mounts: (c.Mounts ?? []).map((m) => ({ name: m.Name || m.Source, driver: m.Driver ?? "" })),
    }));
  }

  /** 404 → undefined, for inspect calls that ask "does it exist?". */
  private async orMissing<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof EngineError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Removal outcomes the reference reports rather than fails on: 404 missing, 409 in use. */
  private async removal(request: () => Promise<unknown>): Promise<Outcome> {
    try {
      await request();
      return "removed";
    } catch (error) {
      if (error instanceof EngineError && error.statusCode === 404) return "missing";
      if (error instanceof EngineError && error.statusCode === 409) return "in-use";
      throw error;
    }
  }

  async inspectNetwork(idOrName: string): Promise<NetworkDetails | undefined> {
    const n = await this.orMissing<Docker.NetworkInspectInfo>(() =>
      this.read(`network ${idOrName}`, `/networks/${encodeURIComponent(idOrName)}`, {}, () =>
        this.docker.getNetwork(idOrName).inspect(),
      ),
    );
    if (!n) return undefined;
    return {
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      labels: n.Labels ?? {},
      containers: Object.keys(n.Containers ?? {}),
      ...(n.Created ? { created: n.Created } : {}),
    };
  }

  async listNetworksByName(name: string): Promise<NetworkSummary[]> {
    const filters = JSON.stringify({ name: [name] });
    const networks = await this.read<Docker.NetworkInspectInfo[]>("networks", "/networks", { filters }, () =>
      this.docker.listNetworks({ filters }),
    );
    return networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} }));
  }

  async connectNetwork(network: string, container: string, endpoint?: Record<string, unknown>) {
    const body = { Container: container, ...(endpoint ? { EndpointConfig: endpoint } : {}) };
    await this.send(
      `network ${network}`,
      "POST",
      `/networks/${encodeURIComponent(network)}/connect`,
      {},
      body,
      () => this.docker.getNetwork(network).connect(body),
    );
  }

  async disconnectNetwork(network: string, container: string, force = false) {
    const body = { Container: container, Force: force };
    await this.send(
      `network ${network}`,
      "POST",
      `/networks/${encodeURIComponent(network)}/disconnect`,
      {},
      body,
      () => this.docker.getNetwork(network).disconnect(body),
    );
  }

  async createVolume(request: VolumeCreateRequest): Promise<void> {
    await this.send(`volume ${request.Name}`, "POST", "/volumes/create", {}, request, () =>
      this.docker.createVolume(request),
    );
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    const v = await this.orMissing<Docker.VolumeInspectInfo>(() =>
      this.read(`volume ${name}`, `/volumes/${encodeURIComponent(name)}`, {}, () =>
        this.docker.getVolume(name).inspect(),
      ),
    );
    if (!v) return undefined;
    return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, mountpoint: v.Mountpoint };
  }

  async listVolumes(filter: LabelFilter): Promise<VolumeSummary[]> {
    const filters = labelFilters(filter);
    const r = await this.read<{ Volumes: Docker.VolumeInspectInfo[] | null }>(
      "volumes",
      "/volumes",
      { filters },
      () => this.docker.listVolumes({ filters }),
    );
    return (r.Volumes ?? []).map((v) => ({
      name: v.Name,
      driver: v.Driver,
      labels: v.Labels ?? {},
      mountpoint: v.Mountpoint,
    }));
  }

  removeVolume(name: string, force = false): Promise<Outcome> {
    return this.removal(() =>
      this.send(
        `volume ${name}`,
        "DELETE",
        `/volumes/${encodeURIComponent(name)}`,
        { force: String(force) },
        undefined,
        () => this.docker.getVolume(name).remove({ force }),
      ),
    );
  }

  inspectImage(ref: string): Promise<ImageDetails | undefined> {
    let known = this.images.get(ref);
    if (!known) {
      known = this.inspectImageNow(ref);
      this.images.set(ref, known);
      // A failed inspect is not remembered.
      known.catch(() => this.images.delete(ref));
    }
    return known;
  }

  async distributionDigest(ref: string): Promise<string> {
    const found = await this.read<{ Descriptor?: { digest?: string } }>(
      `image ${ref}`,
      `/distribution/${ref}/json`,
      {},
      () => this.docker.getImage(ref).distribution({}),
    );
    const digest = found.Descriptor?.digest;
    if (!digest) throw new EngineError(`image ${ref}`, undefined, "the registry returned no digest");
    return digest;
  }

  private async inspectImageNow(ref: string): Promise<ImageDetails | undefined> {
    const i = await this.orMissing<Docker.ImageInspectInfo>(() =>
      this.read(`image ${ref}`, `/images/${encodeURIComponent(ref)}/json`, {}, () =>
        this.docker.getImage(ref).inspect(),
      ),
    );
    if (!i) return undefined;
    return {
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      repoDigests: i.RepoDigests ?? [],
      volumes: Object.keys(i.Config?.Volumes ?? {}),
      labels: i.Config?.Labels ?? {},
      env: i.Config?.Env ?? [],
      created: i.Created,
      size: i.Size,
    };
  }

  async listImages(filter?: LabelFilter): Promise<ImageSummary[]> {
    const filters = filter ? labelFilters(filter) : undefined;
    const list = await this.read<Docker.ImageInfo[]>("images", "/images/json", { filters }, () =>
      this.docker.listImages(filters ? { filters } : {}),
    );
    return list.map((i) => ({
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      created: i.Created,
      size: i.Size,
      labels: i.Labels ?? {},
    }));
  }

  async pullImageWithProgress(ref: string, onMessage: (m: JsonMessage) => void, platform?: string) {
    return this.changingImages(async () => {
      await this.call(`image ${ref}`, async () => {
        const stream = await this.pullStream(ref, platform ? { platform } : {});
        await followMessages(stream, onMessage);
      });
    });
  }

  removeImage(ref: string, options: { force?: boolean } = {}): Promise<Outcome> {
    return this.changingImages(async () => {
      const force = String(options.force ?? false);
      return this.removal(() =>
        this.send(`image ${ref}`, "DELETE", `/images/${encodeURIComponent(ref)}`, { force }, undefined, () =>
          this.docker.getImage(ref).remove({ force: options.force }),
        ),
      );
    });
  }

  async tagImage(source: string, repo: string, tag: string) {
    return this.changingImages(async () => {
      await this.call(`image ${source}`, () => this.docker.getImage(source).tag({ repo, tag }));
    });
  }

  async pushImage(ref: string, onMessage: (m: JsonMessage) => void) {
    await this.call(`image ${ref}`, async () => {
      // The engine refuses a push without an X-Registry-Auth header ("Bad parameters and missing
      // X-Registry-Auth"); an empty credential is what docker sends for a registry it has no login for.
      const stream = (await this.docker
        .getImage(ref)
        .push({ authconfig: this.credentials.forImage(ref) ?? {} })) as NodeJS.ReadableStream;
      await followMessages(stream, onMessage);
    });
  }

  async buildImage(request: BuildRequest, onMessage: (m: JsonMessage) => void): Promise<string> {
    return this.changingImages(async () => {
      let id = "";
      const follow = (stream: NodeJS.ReadableStream) =>
        followMessages(stream, (m) => {
          if (typeof m.aux === "object" && m.aux.ID) id = m.aux.ID;
          onMessage(m);
        });
      const http = this.http;
      if (request.query.version === "2" && http) {
        // BuildKit goes through tcompose's own client (dockerode, not loaded for it, would open a session
        // of its own). Logins reach BuildKit through the build's session (its Auth service), not a header;
        // with remote=client-session the context comes through the session too, and the body is empty.
        let stream: NodeJS.ReadableStream;
        try {
          const query = buildQuery(request.query);
          stream = request.context
            ? await enginePostStream(http, "/build", query, {
                stream: request.context as Readable,
                contentType: "application/x-tar",
              })
            : await enginePost(http, "/build", query);
        } catch (error) {
          throw this.failure("build", error as HttpFailure);
        }
        await follow(stream);
        return id;
      }
      await this.call("build", async () => {
        // Every registry login, for the images the FROM lines pull (dockerode sends it as
        // X-Registry-Config and keeps it out of the query).
        const logins = this.credentials.all();
        const stream = (await this.docker.buildImage(request.context ?? Readable.from([]), {
          ...(request.query as Docker.ImageBuildOptions),
          ...(Object.keys(logins).length ? { registryconfig: logins as Docker.RegistryConfig } : {}),
        })) as NodeJS.ReadableStream;
        await follow(stream);
      });
      return id;
    });
  }

  async openSession(headers: Record<string, string | string[]>): Promise<Duplex> {
    if (!this.http) {
      throw new EngineError(
        "session",
        undefined,
        `BuildKit sessions (build secrets, ssh) are not supported over ssh endpoints (${this.endpoint}) yet`,
      );
    }
    try {
      return await engineUpgrade(this.http, "/session", "h2c", headers);
    } catch (error) {
      throw this.failure("session", error as HttpFailure);
    }
  }

  async renameContainer(id: string, name: string) {
    await this.send(`container ${id}`, "POST", `/containers/${id}/rename`, { name }, undefined, () =>
      this.docker.getContainer(id).rename({ name }),
    );
  }

  async killContainer(id: string, signal?: string) {
    await this.send(`container ${id}`, "POST", `/containers/${id}/kill`, { signal }, undefined, () =>
      this.docker.getContainer(id).kill(signal ? { signal } : {}),
    );
  }

  async restartContainer(id: string, timeoutSeconds?: number) {
    const t = timeoutSeconds === undefined ? undefined : String(timeoutSeconds);
    await this.send(`container ${id}`, "POST", `/containers/${id}/restart`, { t }, undefined, () =>
      this.docker.getContainer(id).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }),
    );
  }

  async pauseContainer(id: string) {
    await this.send(`container ${id}`, "POST", `/containers/${id}/pause`, {}, undefined, () =>
      this.docker.getContainer(id).pause(),
    );
  }

  async unpauseContainer(id: string) {
    await this.send(`container ${id}`, "POST", `/containers/${id}/unpause`, {}, undefined, () =>
      this.docker.getContainer(id).unpause(),
    );
  }

  async waitContainer(id: string, condition: "not-running" | "next-exit" | "removed" = "not-running") {
    const r = await this.send<{ StatusCode: number }>(
      `container ${id}`,
      "POST",
      `/containers/${id}/wait`,
      { condition },
      undefined,
      () => this.docker.getContainer(id).wait({ condition }),
    );
    return r.StatusCode;
  }

  async topContainer(id: string, psArgs?: string) {
    return await this.read<{ Titles: string[]; Processes: string[][] }>(
      `container ${id}`,
      `/containers/${id}/top`,
      { ps_args: psArgs },
      () => this.docker.getContainer(id).top(psArgs ? { ps_args: psArgs } : {}),
    );
  }

  demux(stream: NodeJS.ReadableStream, onData: (stream: OutputStream, chunk: Buffer) => void): void {
    const frames = new FrameDemuxer(onData);
    stream.on("data", (chunk: Buffer) => frames.write(chunk));
  }

  async containerLogs(
    id: string,
    options: LogOptions,
    onData: (stream: OutputStream, chunk: Buffer) => void,
  ): Promise<LogStream> {
    const query = {
      follow: options.follow ?? false,
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
    };
    let stream: NodeJS.ReadableStream;
    if (this.http) {
      // Read as it arrives, with or without follow: a log can be far larger than memory.
      try {
        stream = await engineStream(
          this.http,
          `/containers/${encodeURIComponent(id)}/logs`,
          Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
        );
      } catch (error) {
        throw this.failure(`container ${id}`, error as HttpFailure);
      }
    } else {
      const body = (await this.call(`container ${id}`, () =>
        this.docker.getContainer(id).logs(query as Docker.ContainerLogsOptions & { follow: true }),
      )) as NodeJS.ReadableStream | Buffer;
      if (Buffer.isBuffer(body)) {
        // dockerode (ssh endpoints) returns the whole body without follow.
        const pass = new PassThrough();
        pass.end(body);
        stream = pass;
      } else stream = body;
    }
    if (options.tty) stream.on("data", (c: Buffer) => onData("stdout", c));
    else this.demux(stream, onData);
    const done = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    return {
      done,
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
      pause: () => stream.pause(),
      resume: () => stream.resume(),
    };
  }

  async attachContainer(id: string, options: { stdin: boolean; logs?: boolean }): Promise<Attachment> {
    const stream = (await this.call(`container ${id}`, () =>
      this.docker.getContainer(id).attach({
        stream: true,
        stdin: options.stdin,
        stdout: true,
        stderr: true,
        logs: options.logs ?? false,
        hijack: options.stdin,
      }),
    )) as NodeJS.ReadWriteStream;
    return {
      output: stream,
      input: stream,
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
    };
  }

  async resizeContainer(id: string, rows: number, columns: number) {
    await this.call(`container ${id}`, () => this.docker.getContainer(id).resize({ h: rows, w: columns }));
  }

  async putArchive(
    id: string,
    path: string,
    tar: Buffer | NodeJS.ReadableStream,
    options: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean } = {},
  ) {
    const query: Record<string, unknown> = { path };
    if (options.copyUIDGID) query.copyUIDGID = true;
    if (options.noOverwriteDirNonDir) query.noOverwriteDirNonDir = true;
    await this.call(`container ${id}`, () => this.docker.getContainer(id).putArchive(tar, query));
  }

  async statPath(id: string, path: string): Promise<PathStat | undefined> {
    const response = (await this.orMissing(() =>
      this.call(`container ${id}`, () => this.docker.getContainer(id).infoArchive({ path })),
    )) as { headers?: Record<string, string>; resume?: () => void } | undefined;
    if (!response) return undefined;
    response.resume?.();
    const header = response.headers?.["x-docker-container-path-stat"];
    if (!header) return undefined;
    return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
  }

  async getArchive(id: string, path: string): Promise<NodeJS.ReadableStream> {
    return (await this.call(`container ${id}`, () =>
      this.docker.getContainer(id).getArchive({ path }),
    )) as NodeJS.ReadableStream;
  }

  async createExec(container: string, request: ExecRequest): Promise<string> {
    const exec = await this.call(`container ${container}`, () =>
      this.docker.getContainer(container).exec(request),
    );
    return exec.id;
  }

  async startExec(exec: string, options: { tty: boolean; stdin: boolean; detach?: boolean }) {
    const stream = (await this.call(`exec ${exec}`, () =>
      this.docker.getExec(exec).start({
        // Detached: a plain request the engine answers at once; otherwise the hijacked connection.
        hijack: !options.detach,
        stdin: options.stdin,
        Tty: options.tty,
        Detach: options.detach ?? false,
      }),
    )) as NodeJS.ReadWriteStream;
    return {
      output: stream,
      input: stream,
      close: () => (stream as unknown as { destroy?: () => void }).destroy?.(),
    } satisfies Attachment;
  }

  async inspectExec(exec: string) {
    const r = await this.call(`exec ${exec}`, () => this.docker.getExec(exec).inspect());
    return { running: r.Running, exitCode: r.ExitCode ?? null };
  }

  async resizeExec(exec: string, rows: number, columns: number) {
    await this.call(`exec ${exec}`, () => this.docker.getExec(exec).resize({ h: rows, w: columns }));
  }

  async subscribeEvents(
    filter: EventFilter,
    onEvent: (event: EngineEvent) => void,
    onError?: (error: Error) => void,
  ): Promise<Subscription> {
    const filters: Record<string, string[]> = {};
    if (filter.label) filters.label = labelList(filter.label);
    if (filter.type) filters.type = filter.type;
    if (filter.event) filters.event = filter.event;
    if (filter.container) filters.container = filter.container;
    const query = { filters: JSON.stringify(filters) };
    let stream: NodeJS.ReadableStream;
    if (this.http) {
      try {
        stream = await engineStream(this.http, "/events", query);
      } catch (error) {
        throw this.failure("events", error as HttpFailure);
      }
    } else {
      stream = (await this.call("events", () =>
        this.docker.getEvents(query as Docker.GetEventsOptions),
      )) as NodeJS.ReadableStream;
    }
    jsonLines(stream, (m, line) => {
      const actor = (m.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
      onEvent({
        type: String(m.Type ?? ""),
        action: String(m.Action ?? m.status ?? ""),
        id: actor.ID ?? String(m.id ?? ""),
        attributes: actor.Attributes ?? {},
        timeNano: Number(m.timeNano ?? 0),
        timeNanoText: /"timeNano":(\d+)/.exec(line)?.[1] ?? `${Number(m.time ?? 0)}000000000`,
      });
    });
    if (onError) stream.on("error", onError);
    return { close: () => (stream as unknown as { destroy?: () => void }).destroy?.() };
  }
}
