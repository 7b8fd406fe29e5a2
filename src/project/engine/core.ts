// The engine adapter's plumbing, shared by the per-resource modules (containers.ts, container-io.ts,
// images.ts, networks.ts, volumes.ts, system.ts, swarm.ts): the connection and API version negotiation,
// the light HTTP client for reads and plain writes (http.ts), dockerode for the rest and for ssh
// endpoints, and the mapping of both clients' errors to EngineError / EngineUnavailableError. The only
// module that loads dockerode, on first use (dynamic import): the other modules import its types alone.
import type Docker from "dockerode";
import { describeEndpoint, type Endpoint } from "./endpoint.js";
import { EngineError, EngineUnavailableError } from "./errors.js";
import { engineJson, enginePing, type HttpFailure, type HttpTarget } from "./http.js";
import type { Credentials } from "./registry-auth.js";
import type { ImageDetails, LabelFilter } from "./types.js";

const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
]);

export type Outcome = "removed" | "in-use" | "missing";

export function labelList(filter: LabelFilter): string[] {
  return Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`));
}

export function labelFilters(filter: LabelFilter): string {
  return JSON.stringify({ label: labelList(filter) });
}

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

/** One connection to the engine: what every per-resource function takes first. */
export class EngineCore {
  /** Where it talks to, for messages. */
  readonly endpoint: string;
  /** The engine's /version answer, asked for when needed. */
  versionInfo: { Version: string; ApiVersion: string } | undefined;
  /**
   * Image inspects of this process, by reference (images.ts): `up` asks about the same image for every
   * service and container. Dropped by every call that changes images (pull, build, tag, remove).
   */
  readonly images = new Map<string, Promise<ImageDetails | undefined>>();
  private loading: Promise<Docker> | undefined;

  private constructor(
    private readonly options: Docker.DockerOptions,
    private readonly where: Endpoint,
    /** The light client for reads; absent for ssh endpoints (dockerode does everything there). */
    readonly http: HttpTarget | undefined,
    /** The registry logins (docker's config.json and credential helpers). */
    readonly credentials: Credentials,
  ) {
    this.endpoint = describeEndpoint(where);
  }

  /** Connects and negotiates the API version (the engine's own, so older engines work). */
  static async connect(endpoint: Endpoint, credentials: Credentials): Promise<EngineCore> {
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
      return new EngineCore({ ...options, version: `v${apiVersion}` }, endpoint, undefined, credentials);
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
    const core = new EngineCore(
      { ...options, version: `v${apiVersion}` },
      endpoint,
      { ...probe, prefix: `/v${apiVersion}` },
      credentials,
    );
    core.versionInfo = info;
    return core;
  }

  /** The API version negotiated at connect (the engine's own, so older engines work): `v1.41` → 1.41. */
  get apiVersion(): string {
    return String(this.options.version ?? "").replace(/^v/, "");
  }

  /** dockerode, loaded on the first call that needs it (streams, writes, ssh). */
  private dockerode(): Promise<Docker> {
    this.loading ??= import("dockerode").then(({ default: Dockerode }) => new Dockerode(this.options));
    return this.loading;
  }

  /** A read through the light client (dockerode's call for ssh endpoints). */
  read<T>(
    resource: string,
    path: string,
    query: Record<string, string | undefined>,
    fallback: (docker: Docker) => Promise<T>,
  ): Promise<T> {
    return this.send(resource, "GET", path, query, undefined, fallback);
  }

  /** A plain request through the light client (dockerode's call for ssh endpoints). */
  async send<T>(
    resource: string,
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    body: unknown,
    fallback: (docker: Docker) => Promise<T>,
    headers?: Record<string, string>,
  ): Promise<T> {
    if (!this.http) return this.call(resource, fallback);
    try {
      return await engineJson<T>(this.http, method, path, query, body, headers);
    } catch (error) {
      throw this.failure(resource, error as HttpFailure);
    }
  }

  /** The light client's failure as the error about `resource`. */
  failure(resource: string, e: HttpFailure): Error {
    if (e.code && unreachableCodes.has(e.code)) return new EngineUnavailableError(this.where, e.code);
    return new EngineError(resource, e.statusCode, e.message ?? String(e));
  }

  /** A request through dockerode (loaded first), its errors mapped as the light client's are. */
  async call<T>(resource: string, request: (docker: Docker) => Promise<T>): Promise<T> {
    try {
      return await request(await this.dockerode());
    } catch (error) {
      const e = error as DockerodeError;
      if (e.code && unreachableCodes.has(e.code)) throw new EngineUnavailableError(this.where, e.code);
      const message = e.json?.message ?? e.message ?? String(error);
      throw new EngineError(resource, e.statusCode, message);
    }
  }
}

/** 404 → undefined, for inspect calls that ask "does it exist?". */
export async function orMissing<T>(request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof EngineError && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** Removal outcomes the reference reports rather than fails on: 404 missing, 409 in use. */
export async function removal(request: () => Promise<unknown>): Promise<Outcome> {
  try {
    await request();
    return "removed";
  } catch (error) {
    if (error instanceof EngineError && error.statusCode === 404) return "missing";
    if (error instanceof EngineError && error.statusCode === 409) return "in-use";
    throw error;
  }
}

/** 304 (already in the state asked for) as success, as the Go client takes any status below 400. */
export async function orUnchanged(request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (!(error instanceof EngineError && error.statusCode === 304)) throw error;
  }
}
