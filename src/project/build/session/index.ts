// A BuildKit session, as the docker CLI opens one for a build: POST /session upgraded to h2c with the
// session's id, name, shared key and the gRPC methods we serve as X-Docker-Expose-Session-* headers
// (moby/buildkit session/session.go); then the engine calls those methods on the connection
// (grpc.ts). A build joins it with POST /build?version=2&session=<id>. The gRPC health service is always
// served: BuildKit checks it every few seconds and drops a session that does not answer.
import { randomBytes } from "node:crypto";
import type { Engine } from "../../engine/types.js";
import { type GrpcConnection, serveGrpc } from "./grpc.js";
import type { GrpcHandler, GrpcHandlers } from "./types.js";

export { type GrpcConnection, serveGrpc } from "./grpc.js";
export * from "./types.js";

export const healthCheckMethod = "/grpc.health.v1.Health/Check";

/** grpc.health.v1.HealthCheckResponse{status: SERVING (1)}. */
const serving = Uint8Array.from([0x08, 0x01]);

export const healthHandler: GrpcHandler = { kind: "unary", handle: async () => serving };

export interface BuildSessionOptions {
  /** Shown by the engine for the session (the docker CLI gives the build context's base name). */
  name: string;
  /** Keys BuildKit's cache of the context's files (the docker CLI derives it from the context's path). */
  sharedKey: string;
  handlers: GrpcHandlers;
}

export interface BuildSession {
  /** The `session` parameter of POST /build. */
  readonly id: string;
  /** Settles when the connection has ended, by either side. */
  readonly done: Promise<void>;
  /** Ends the session: calls under way are cancelled and the connection closed. */
  close(): Promise<void>;
}

/** The headers POST /session carries: the session and every method served (sorted, health included). */
export function sessionHeaders(
  id: string,
  options: Omit<BuildSessionOptions, "handlers">,
  methods: Iterable<string>,
): Record<string, string | string[]> {
  return {
    "X-Docker-Expose-Session-Uuid": id,
    "X-Docker-Expose-Session-Name": options.name,
    "X-Docker-Expose-Session-Sharedkey": options.sharedKey,
    "X-Docker-Expose-Session-Grpc-Method": [...new Set(methods)].sort(),
  };
}

/** A random session id: 25 characters of [0-9a-z], like BuildKit's identity.NewID. */
export function newSessionId(): string {
  const bytes = randomBytes(25);
  return [...bytes].map((b) => (b % 36).toString(36)).join("");
}

/** Opens the session on the engine and serves the handlers (and the health check) until closed. */
export async function openBuildSession(
  engine: Pick<Engine, "openSession">,
  options: BuildSessionOptions,
): Promise<BuildSession> {
  const id = newSessionId();
  const handlers = new Map(options.handlers);
  handlers.set(healthCheckMethod, healthHandler);
  const socket = await engine.openSession(sessionHeaders(id, options, handlers.keys()));
  const connection: GrpcConnection = serveGrpc(socket, handlers);
  return { id, done: connection.done, close: () => connection.close() };
}
