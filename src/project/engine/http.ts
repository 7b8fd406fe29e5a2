// A small JSON client for the engine's REST API over a unix socket, TCP or TLS, with node:http alone. The
// read-only calls that `ps`, `ls`, `images` and every command's start make go through it, so those
// commands never load dockerode (and its ssh and tar dependencies): about 0.3 s of start-up here.
// Streams, hijacked connections and ssh endpoints stay with dockerode (docker.ts).
import type { IncomingMessage, RequestOptions } from "node:http";
import type { Endpoint } from "./endpoint.js";

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

export async function engineJson<T>(
  target: HttpTarget,
  method: string,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<T> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, v);
  const qs = search.toString();
  const { endpoint } = target;
  const options: RequestOptions = {
    method,
    path: `${target.prefix}${path}${qs ? `?${qs}` : ""}`,
    headers: { Accept: "application/json" },
    ...(endpoint.kind === "unix"
      ? { socketPath: endpoint.socketPath }
      : { host: endpoint.host, port: endpoint.port }),
  };
  const secure = endpoint.kind === "tcp" && endpoint.tls;
  const transport = secure ? await import("node:https") : await import("node:http");
  if (secure) {
    Object.assign(options, target.tls ?? {}, endpoint.skipVerify ? { rejectUnauthorized: false } : {});
  }
  return new Promise<T>((resolve, reject) => {
    const request = transport.request(options, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (error) {
            reject({
              statusCode: status,
              message: `invalid JSON from the engine: ${(error as Error).message}`,
            });
          }
          return;
        }
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          // a plain-text error body
        }
        reject({ statusCode: status, message: message || `HTTP ${status}` } satisfies HttpFailure);
      });
      response.on("error", (error: NodeJS.ErrnoException) =>
        reject({ ...(error.code ? { code: error.code } : {}), message: error.message } satisfies HttpFailure),
      );
    });
    request.on("error", (error: NodeJS.ErrnoException) =>
      reject({ ...(error.code ? { code: error.code } : {}), message: error.message } satisfies HttpFailure),
    );
    request.end();
  });
}
