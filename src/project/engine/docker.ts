// The only module that imports dockerode. It turns dockerode's calls and errors into the project's
// Engine interface (types.ts); it is loaded lazily by index.ts so commands that never talk to the
// engine do not pay for it at start-up.
import Docker from "dockerode";
import { describeEndpoint, type Endpoint } from "./endpoint.js";
import { EngineError, EngineUnavailableError } from "./errors.js";
import type {
  ContainerCreateRequest,
  ContainerDetails,
  ContainerSummary,
  Engine,
  LabelFilter,
  NetworkCreateRequest,
  NetworkSummary,
} from "./types.js";

const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
]);

function labelFilters(filter: LabelFilter): string {
  const label = Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return JSON.stringify({ label });
}

async function dockerOptions(endpoint: Endpoint): Promise<Docker.DockerOptions> {
  if (endpoint.kind === "unix") return { socketPath: endpoint.socketPath };
  const options: Docker.DockerOptions = {
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.tls ? "https" : "http",
  };
  if (endpoint.tls && endpoint.certPath) {
    const { readFile } = await import("node:fs/promises");
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

  private constructor(
    private readonly docker: Docker,
    private readonly where: Endpoint,
  ) {
    this.endpoint = describeEndpoint(where);
  }

  /** Connects and negotiates the API version (the engine's own, so older engines work). */
  static async connect(endpoint: Endpoint): Promise<DockerEngine> {
    const probe = new Docker(await dockerOptions(endpoint));
    let apiVersion: string;
    try {
      apiVersion = (await probe.version()).ApiVersion;
    } catch (error) {
      const e = error as DockerodeError;
      throw new EngineUnavailableError(endpoint, e.code ?? e.message ?? String(error));
    }
    const docker = new Docker({ ...(await dockerOptions(endpoint)), version: `v${apiVersion}` });
    return new DockerEngine(docker, endpoint);
  }

  private async call<T>(resource: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const e = error as DockerodeError;
      if (e.code && unreachableCodes.has(e.code)) throw new EngineUnavailableError(this.where, e.code);
      const message = e.json?.message ?? e.message ?? String(error);
      throw new EngineError(resource, e.statusCode, message);
    }
  }

  async version() {
    const v = await this.call("engine", () => this.docker.version());
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  async createNetwork(request: NetworkCreateRequest): Promise<string> {
    const network = await this.call(`network ${request.Name}`, () =>
      this.docker.createNetwork({ ...request, CheckDuplicate: true }),
    );
    return network.id;
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.call(`network ${idOrName}`, () => this.docker.getNetwork(idOrName).remove());
  }

  async listNetworks(filter: LabelFilter): Promise<NetworkSummary[]> {
    const networks = await this.call("networks", () =>
      this.docker.listNetworks({ filters: labelFilters(filter) }),
    );
    return networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, labels: n.Labels ?? {} }));
  }

  async hasImage(ref: string): Promise<boolean> {
    try {
      await this.call(`image ${ref}`, () => this.docker.getImage(ref).inspect());
      return true;
    } catch (error) {
      if (error instanceof EngineError && error.statusCode === 404) return false;
      throw error;
    }
  }

  async pullImage(ref: string): Promise<void> {
    await this.call(`image ${ref}`, async () => {
      const stream = await this.docker.pull(ref);
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
  }

  async createContainer(request: ContainerCreateRequest): Promise<string> {
    const container = await this.call(`container ${request.name}`, () =>
      this.docker.createContainer(request),
    );
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call(`container ${id}`, () => this.docker.getContainer(id).start());
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    const opts = timeoutSeconds === undefined ? {} : { t: timeoutSeconds };
    try {
      await this.call(`container ${id}`, () => this.docker.getContainer(id).stop(opts));
    } catch (error) {
      // 304: already stopped, which is what was asked.
      if (!(error instanceof EngineError && error.statusCode === 304)) throw error;
    }
  }

  async removeContainer(id: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.call(`container ${id}`, () =>
      this.docker.getContainer(id).remove({ force: options.force ?? false, v: options.volumes ?? false }),
    );
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const c = await this.call(`container ${id}`, () => this.docker.getContainer(id).inspect());
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      image: c.Config.Image,
      labels: c.Config.Labels ?? {},
      state: {
        status: c.State.Status,
        running: c.State.Running,
        exitCode: c.State.ExitCode,
        ...(c.State.Health ? { health: c.State.Health.Status } : {}),
      },
      networks: Object.keys(c.NetworkSettings.Networks ?? {}),
      ports: (c.NetworkSettings.Ports ?? {}) as ContainerDetails["ports"],
    };
  }

  async listContainers(filter: LabelFilter, options: { all?: boolean } = {}): Promise<ContainerSummary[]> {
    const list = await this.call("containers", () =>
      this.docker.listContainers({ all: options.all ?? false, filters: labelFilters(filter) }),
    );
    return list.map((c) => ({
      id: c.Id,
      names: c.Names.map((n) => n.replace(/^\//, "")),
      image: c.Image,
      state: c.State,
      status: c.Status,
      labels: c.Labels ?? {},
    }));
  }
}
