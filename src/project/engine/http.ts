// A small JSON client for the engine's REST API over a unix socket, TCP or TLS, with node:http alone. The
// reads, the plain writes (create, start, stop, remove …) and the events stream go through it, so `ps`,
// `ls`, `up -d`, `down` and the like never load dockerode (and its ssh and tar dependencies): about 0.2 to
// 0.3 s of start-up here. Hijacked connections, archives, builds, pulls and ssh endpoints stay with
// dockerode (core.ts).
import http, { type IncomingMessage, type RequestOptions } from "node:http";
import { connect } from "node:net";
import type { Duplex, Readable } from "node:stream";
import { defaultHttpTimeout, type Endpoint } from "./endpoint.js";

export interface HttpTarget {
  endpoint: Exclude<Endpoint, { kind: "ssh" }>;
  /** TLS material, when the endpoint uses TLS with a certificate directory. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** `/v1.41`, or "" before the version is known. */
  prefix: string;
}

export interface HttpFailure {
  statusCode?: number;
  code?: string;
  message: string;
}

/** `method path?query` with an optional JSON body; the parsed JSON answer (undefined for an empty one). */
export async function engineJson<T>(
  target: HttpTarget,
  method: string,
  path: string,
  query: Record<string, string | undefined> = {},
  body?: unknown,
  /** More request headers (X-Registry-Auth of a service's create or update). */
  headers?: Record<string, string>,
): Promise<T> {
  const response = await send(target, method, path, query, body, undefined, headers);
  const text = await readAll(response);
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch (error) {
    throw {
      statusCode: response.statusCode ?? 0,
      message: `invalid JSON from the engine: ${(error as Error).message}`,
    } satisfies HttpFailure;
  }
}

/** How long the first request (the ping) may wait for an answer: COMPOSE_HTTP_TIMEOUT, else 60 s. */
let pingTimeoutSeconds = defaultHttpTimeout;

/** Sets the ping's limit (connectEngine passes COMPOSE_HTTP_TIMEOUT). */
export function setPingTimeout(seconds: number): void {
  pingTimeoutSeconds = seconds;
}

/**
 * GET /_ping: the engine's API version from its `API-Version` header, as the docker CLI negotiates it (about
 * 1 ms, where /version asks containerd and takes 5 to 10 ms here). Undefined when the header is absent.
 * An engine that does not answer within the limit fails it (connecting included), so that a wedged engine
 * or socket does not hang the command; later requests and streams have no limit.
 */
export async function enginePing(target: HttpTarget): Promise<string | undefined> {
  const response = await send(target, "GET", "/_ping", {}, undefined, pingTimeoutSeconds);
  response.resume();
  const header = response.headers["api-version"];
  return typeof header === "string" && header !== "" ? header : undefined;
}

/** A streaming GET (events): the open response, once the engine has answered 2xx. */
export function engineStream(
  target: HttpTarget,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<IncomingMessage> {
  return send(target, "GET", path, query, undefined);
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (c: Buffer) => chunks.push(c));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", (error: NodeJS.ErrnoException) =>
      reject({ ...(error.code ? { code: error.code } : {}), message: error.message } satisfies HttpFailure),
    );
  });
}

/** Sends the request; resolves with a 2xx response (its body unread), rejects with the engine's message. */
/** A request body sent as a stream (a build's context tar), with its content type and more headers. */
export interface StreamBody {
  stream: Readable;
  contentType: string;
  headers?: Record<string, string>;
}

async function send(
  target: HttpTarget,
  method: string,
  path: string,
  query: Record<string, string | undefined> | URLSearchParams,
  body: unknown,
  /** Seconds until the answer's headers; none when undefined. */
  timeoutSeconds?: number,
  headers?: Record<string, string>,
): Promise<IncomingMessage> {
  let search = query;
  if (!(search instanceof URLSearchParams)) {
    search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, v);
  }
  const qs = search.toString();
  const { endpoint } = target;
  const streamed = body instanceof Object && "stream" in body ? (body as StreamBody) : undefined;
  const payload = body === undefined || streamed ? undefined : Buffer.from(JSON.stringify(body));
  const options: RequestOptions = {
    method,
    path: `${target.prefix}${path}${qs ? `?${qs}` : ""}`,
    headers: {
      Accept: "application/json",
      ...(endpoint.kind === "unix" ? { Host: "localhost" } : {}),
      ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
      ...(streamed ? { "Content-Type": streamed.contentType, ...streamed.headers } : {}),
      ...headers,
    },
    // A socket is connected directly, without an agent: the agent's server-name check (and the Host header
    // Node derives) cost ~20 ms of `ps`'s start-up in their first IP-address tests.
    ...(endpoint.kind === "unix"
      ? { createConnection: () => connect(endpoint.socketPath) }
      : { host: endpoint.host, port: endpoint.port }),
  };
  const secure = endpoint.kind === "tcp" && endpoint.tls;
  // TLS loads only for TLS endpoints (process.getBuiltinModule: synchronous, no module loader).
  const transport = secure ? process.getBuiltinModule("node:https") : http;
  if (secure) {
    Object.assign(options, target.tls ?? {}, endpoint.skipVerify ? { rejectUnauthorized: false } : {});
  }
  return new Promise<IncomingMessage>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const request = transport.request(options, (response: IncomingMessage) => {
      clearTimeout(timer);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        resolve(response);
        return;
      }
      readAll(response).then((text) => {
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // a plain-text error body
        }
        reject({ statusCode: status, message: message || `HTTP ${status}` } satisfies HttpFailure);
      }, reject);
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject({ ...(error.code ? { code: error.code } : {}), message: error.message } satisfies HttpFailure);
    });
    if (timeoutSeconds !== undefined) {
      timer = setTimeout(() => {
        const message = `no answer to ${path} within ${timeoutSeconds} s; COMPOSE_HTTP_TIMEOUT sets the limit`;
        reject({ message } satisfies HttpFailure);
        request.destroy();
      }, timeoutSeconds * 1000);
    }
    if (streamed) {
      streamed.stream.on("error", (error) => request.destroy(error));
      streamed.stream.pipe(request);
    } else {
      request.end(payload);
    }
  });
}

/** A POST without a body whose answer is a stream (a build whose context comes through its session). */
export function enginePost(
  target: HttpTarget,
  path: string,
  query: URLSearchParams,
): Promise<IncomingMessage> {
  return send(target, "POST", path, query, undefined);
}

/** A POST whose body is a stream (a build's context): the open response, once the engine answered 2xx. */
export function enginePostStream(
  target: HttpTarget,
  path: string,
  query: URLSearchParams,
  body: StreamBody,
): Promise<IncomingMessage> {
  return send(target, "POST", path, query, body);
}

/**
 * POST `path` asking to switch protocols (`Connection: Upgrade`, `Upgrade: <protocol>`), as the docker CLI
 * opens a BuildKit session: the raw connection once the engine has answered 101, with the bytes it sent
 * after its answer put back in front. Any other answer rejects with the engine's message.
 */
export function engineUpgrade(
  target: HttpTarget,
  path: string,
  protocol: string,
  headers: Record<string, string | string[]>,
): Promise<Duplex> {
  const { endpoint } = target;
  const options: RequestOptions = {
    method: "POST",
    path: `${target.prefix}${path}`,
    headers: {
      ...headers,
      Connection: "Upgrade",
      Upgrade: protocol,
      ...(endpoint.kind === "unix" ? { Host: "localhost" } : {}),
    },
    // A connection of its own (no agent): an upgraded socket never goes back to a pool.
    ...(endpoint.kind === "unix"
      ? { createConnection: () => connect(endpoint.socketPath) }
      : { host: endpoint.host, port: endpoint.port, agent: false }),
  };
  const secure = endpoint.kind === "tcp" && endpoint.tls;
  const transport = secure ? process.getBuiltinModule("node:https") : http;
  if (secure) {
    Object.assign(options, target.tls ?? {}, endpoint.skipVerify ? { rejectUnauthorized: false } : {});
  }
  return new Promise<Duplex>((resolve, reject) => {
    const request = transport.request(options);
    request.on("upgrade", (_response: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.on("response", (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      readAll(response).then((text) => {
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // a plain-text error body
        }
        reject({
          statusCode: status,
          message: message || `HTTP ${status} instead of switching protocols`,
        } satisfies HttpFailure);
      }, reject);
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject({ ...(error.code ? { code: error.code } : {}), message: error.message } satisfies HttpFailure);
    });
    request.end();
  });
}
