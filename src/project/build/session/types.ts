// What the BuildKit session serves: gRPC methods the engine's BuildKit calls back on the client over the
// session connection (POST /session, upgraded to h2c). The transport (index.ts, grpc.ts) turns HTTP/2
// streams into these calls; each attachable (filesync.ts, secrets.ts, ssh.ts, auth.ts) is a table of
// handlers keyed by the full method name, e.g. "/moby.buildkit.secrets.v1.Secrets/GetSecret".

/** gRPC status codes used here (google.golang.org/grpc/codes). */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

/** A handler's failure with the gRPC status the caller gets (grpc-status / grpc-message trailers). */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "GrpcStatusError";
  }
}

/** One incoming call: its method and request metadata (HTTP/2 headers, lower-case keys, all values). */
export interface GrpcCall {
  method: string;
  metadata: Readonly<Record<string, readonly string[]>>;
  /** Aborted when the caller cancels the call or the session closes. */
  signal: AbortSignal;
}

/** Both directions of a streaming call: the caller's messages, and a way to send ours (backpressure-aware). */
export interface GrpcStream {
  messages: AsyncIterable<Uint8Array>;
  /** Sends one message, or several in one write (many small messages cost one write, not one each). */
  send(message: Uint8Array | readonly Uint8Array[]): Promise<void>;
}

export type GrpcHandler =
  | { kind: "unary"; handle(request: Uint8Array, call: GrpcCall): Promise<Uint8Array> }
  | { kind: "stream"; handle(stream: GrpcStream, call: GrpcCall): Promise<void> };

/** Handlers by full method name ("/package.Service/Method"). */
export type GrpcHandlers = ReadonlyMap<string, GrpcHandler>;
