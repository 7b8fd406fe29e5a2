// Swarm: the node's swarm state, services, tasks, nodes, secrets and configs (the stack commands' calls).
// Everything goes through the light client; for ssh endpoints the same requests go through dockerode's
// modem.
import type Docker from "dockerode";
import { readOutput } from "./container-io.js";
import { type EngineCore, labelList, type Outcome, orMissing, removal } from "./core.js";
import { EngineError } from "./errors.js";
import { engineStream, type HttpFailure } from "./http.js";
import type {
  ServiceLogOptions,
  ServiceSpec,
  ServiceUpdateOptions,
  ServiceWriteOptions,
  SwarmDataObject,
  SwarmDataSpec,
  SwarmFilter,
  SwarmNode,
  SwarmService,
  SwarmState,
  SwarmTask,
} from "./swarm-types.js";
import type { LogStream, OutputStream } from "./types.js";

type Query = Record<string, string | undefined>;

interface DialOptions {
  headers?: Record<string, string>;
  registryAuth?: string;
  stream?: boolean;
}

/** The request through dockerode's modem (ssh endpoints): the same path, query, body and header. */
function dial<T>(
  docker: Docker,
  method: string,
  path: string,
  query: Query,
  body: unknown,
  options: DialOptions = {},
): Promise<T> {
  const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  return new Promise<T>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `${path}?`,
        method,
        // _query and _body keep the query and the body apart (the modem would send one object as both).
        options: { _query: defined, ...(body !== undefined ? { _body: body } : {}) },
        ...(options.registryAuth ? { authconfig: { base64: options.registryAuth } } : {}),
        ...(options.stream ? { isStream: true } : {}),
        statusCodes: { 200: true, 201: true, 204: true },
      } as Parameters<Docker["modem"]["dial"]>[0],
      (error: unknown, result: unknown) => (error ? reject(error) : resolve(result as T)),
    );
  });
}

/** One request: the light client, or dockerode's modem for ssh endpoints. */
function request<T>(
  core: EngineCore,
  resource: string,
  method: string,
  path: string,
  query: Query = {},
  body?: unknown,
  registryAuth?: string,
): Promise<T> {
  const headers = registryAuth ? { "X-Registry-Auth": registryAuth } : undefined;
  return core.send<T>(
    resource,
    method,
    path,
    query,
    body,
    (docker) => dial<T>(docker, method, path, query, body, registryAuth ? { registryAuth } : {}),
    headers,
  );
}

/** The API's `filters` query: {"label":["k=v","k"],"name":["x"],…}; undefined when there is none. */
export function swarmFilters(filter: SwarmFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : labelList(value);
    if (list.length > 0) filters[key] = list;
  }
  return Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

/** API version `a` is at least `b` (1.41 ≥ 1.9 compares the minor numbers). */
export function apiAtLeast(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am !== bm ? am > bm : an >= bn;
}

export async function swarmState(core: EngineCore): Promise<SwarmState> {
  const info = await request<{
    Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean };
  }>(core, "swarm", "GET", "/info");
  return {
    nodeId: info.Swarm?.NodeID ?? "",
    localNodeState: info.Swarm?.LocalNodeState || "inactive",
    controlAvailable: info.Swarm?.ControlAvailable ?? false,
  };
}

// Services

export async function listServices(
  core: EngineCore,
  filter?: SwarmFilter,
  options: { status?: boolean } = {},
): Promise<SwarmService[]> {
  const query: Query = { filters: swarmFilters(filter) };
  // ServiceStatus came with API 1.41; older engines are not asked for it.
  if (options.status && apiAtLeast(core.apiVersion, "1.41")) query.status = "true";
  return (await request<SwarmService[] | null>(core, "services", "GET", "/services", query)) ?? [];
}

export function inspectService(core: EngineCore, idOrName: string): Promise<SwarmService | undefined> {
  return orMissing(() =>
    request<SwarmService>(core, `service ${idOrName}`, "GET", `/services/${encodeURIComponent(idOrName)}`, {
      insertDefaults: "false",
    }),
  );
}

export async function createService(
  core: EngineCore,
  spec: ServiceSpec,
  options: ServiceWriteOptions = {},
): Promise<{ id: string; warnings: string[] }> {
  const created = await request<{ ID: string; Warnings?: string[] | null }>(
    core,
    `service ${spec.Name}`,
    "POST",
    "/services/create",
    {},
    spec,
    options.registryAuth,
  );
  return { id: created.ID, warnings: created.Warnings ?? [] };
}

export async function updateService(
  core: EngineCore,
  id: string,
  version: number,
  spec: ServiceSpec,
  options: ServiceUpdateOptions = {},
): Promise<{ warnings: string[] }> {
  const updated = await request<{ Warnings?: string[] | null } | undefined>(
    core,
    `service ${spec.Name || id}`,
    "POST",
    `/services/${encodeURIComponent(id)}/update`,
    { version: String(version), registryAuthFrom: options.registryAuthFrom, rollback: options.rollback },
    spec,
    options.registryAuth,
  );
  return { warnings: updated?.Warnings ?? [] };
}

export async function removeService(core: EngineCore, idOrName: string): Promise<"removed" | "missing"> {
  const removed = await orMissing(async () => {
    await request(core, `service ${idOrName}`, "DELETE", `/services/${encodeURIComponent(idOrName)}`);
    return true;
  });
  return removed ? "removed" : "missing";
}

// Tasks and nodes

export async function listTasks(core: EngineCore, filter?: SwarmFilter): Promise<SwarmTask[]> {
  const query = { filters: swarmFilters(filter) };
  return (await request<SwarmTask[] | null>(core, "tasks", "GET", "/tasks", query)) ?? [];
}

export async function listNodes(core: EngineCore, filter?: SwarmFilter): Promise<SwarmNode[]> {
  const query = { filters: swarmFilters(filter) };
  return (await request<SwarmNode[] | null>(core, "nodes", "GET", "/nodes", query)) ?? [];
}

// Secrets and configs: the same calls under /secrets and /configs.

type DataKind = "secret" | "config";

export async function listData(
  core: EngineCore,
  kind: DataKind,
  filter?: SwarmFilter,
): Promise<SwarmDataObject[]> {
  const query = { filters: swarmFilters(filter) };
  return (await request<SwarmDataObject[] | null>(core, `${kind}s`, "GET", `/${kind}s`, query)) ?? [];
}

export async function createData(core: EngineCore, kind: DataKind, spec: SwarmDataSpec): Promise<string> {
  const created = await request<{ ID: string }>(
    core,
    `${kind} ${spec.Name}`,
    "POST",
    `/${kind}s/create`,
    {},
    spec,
  );
  return created.ID;
}

export async function updateData(
  core: EngineCore,
  kind: DataKind,
  id: string,
  version: number,
  spec: SwarmDataSpec,
): Promise<void> {
  await request(
    core,
    `${kind} ${spec.Name || id}`,
    "POST",
    `/${kind}s/${encodeURIComponent(id)}/update`,
    { version: String(version) },
    spec,
  );
}

/**
 * DELETE: 404 missing; a secret or config that a service uses is refused with 400 "… is in use by the
 * following service: …" (engine 20.10), or 409.
 */
export async function removeData(core: EngineCore, kind: DataKind, idOrName: string): Promise<Outcome> {
  try {
    return await removal(() =>
      request(core, `${kind} ${idOrName}`, "DELETE", `/${kind}s/${encodeURIComponent(idOrName)}`),
    );
  } catch (error) {
    if (error instanceof EngineError && error.statusCode === 400 && / is in use by /.test(error.message)) {
      return "in-use";
    }
    throw error;
  }
}

// Logs

/** The query of GET /services/{id}/logs: both streams, "all" lines unless `tail` says otherwise. */
export function serviceLogQuery(options: ServiceLogOptions): Record<string, string> {
  return {
    stdout: "true",
    stderr: "true",
    follow: String(options.follow ?? false),
    timestamps: String(options.timestamps ?? false),
    details: String(options.details ?? false),
    tail: options.tail ?? "all",
    ...(options.since !== undefined ? { since: options.since } : {}),
  };
}

export async function serviceLogs(
  core: EngineCore,
  id: string,
  options: ServiceLogOptions,
  onChunk: (stream: OutputStream, chunk: Buffer) => void,
): Promise<LogStream> {
  // With a TTY the engine sends the tasks' output as it is, otherwise multiplexed frames: the service's
  // spec says which (a service that is not there fails the logs request itself).
  const tty = options.tty ?? (await inspectService(core, id))?.Spec.TaskTemplate.ContainerSpec.TTY ?? false;
  const path = `/services/${encodeURIComponent(id)}/logs`;
  const query = serviceLogQuery(options);
  let stream: NodeJS.ReadableStream;
  if (core.http) {
    try {
      stream = await engineStream(core.http, path, query);
    } catch (error) {
      throw core.failure(`service ${id}`, error as HttpFailure);
    }
  } else {
    stream = await core.call(`service ${id}`, (docker) =>
      dial<NodeJS.ReadableStream>(docker, "GET", path, query, undefined, { stream: true }),
    );
  }
  return readOutput(stream, tty, onChunk);
}
