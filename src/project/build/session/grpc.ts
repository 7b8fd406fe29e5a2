// The gRPC server side of a BuildKit session: on the connection POST /session left us, the engine is the
// HTTP/2 client (prior knowledge, no TLS) and every call it makes is one HTTP/2 stream. Facts of the gRPC
// over HTTP/2 protocol (grpc/grpc doc/PROTOCOL-HTTP2.md): `:path` is the method, messages are framed as
// 1 byte compressed flag + 4 bytes big-endian length + the bytes, the answer is `:status 200` with
// `content-type: application/grpc`, then messages, then trailers `grpc-status` and `grpc-message`
// (percent-encoded); an answer without messages may put those in its headers alone ("trailers-only").
import http2, { type Http2Session, type ServerHttp2Stream } from "node:http2";
import type { Duplex } from "node:stream";
import { type GrpcCall, GrpcCode, type GrpcHandler, type GrpcHandlers, GrpcStatusError } from "./types.js";

/** The largest message taken (BuildKit's own limit is 16 MiB each way). */
export const maxMessageBytes = 64 * 1024 * 1024;

const DeadlineExceeded = 4;
const ResourceExhausted = 8;

/** Percent-encodes a grpc-message value: bytes outside printable ASCII, and `%`. */
export function encodeGrpcMessage(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The inverse of encodeGrpcMessage (a malformed escape stays as it is). */
export function decodeGrpcMessage(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i] as string, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** One message framed for the wire. */
export function frameMessage(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Splits a byte stream cut anywhere into messages. Pure: push chunks, take the complete messages. */
export class MessageDeframer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly limit = maxMessageBytes) {}

  /** The messages the chunk completes; throws GrpcStatusError for a compressed or oversized one. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const out: Uint8Array[] = [];
    while (this.buffered >= 5) {
      const head = this.take(5, false);
      if ((head[0] as number) !== 0) {
        throw new GrpcStatusError(GrpcCode.Unimplemented, "compressed messages are not supported");
      }
      const length = head.readUInt32BE(1);
      if (length > this.limit) {
        throw new GrpcStatusError(
          ResourceExhausted,
          `message of ${length} bytes is larger than the limit of ${this.limit}`,
        );
      }
      if (this.buffered < 5 + length) break;
      this.take(5, true);
      out.push(this.take(length, true));
    }
    return out;
  }

  /** Bytes of an unfinished message left over. */
  get pending(): number {
    return this.buffered;
  }

  private take(n: number, consume: boolean): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) out = first.subarray(0, n);
    else {
      const joined = Buffer.concat(this.chunks);
      this.chunks = [joined];
      out = joined.subarray(0, n);
    }
    if (consume) {
      const head = this.chunks[0] as Buffer;
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      this.buffered -= n;
    }
    return out;
  }
}

/** grpc-timeout (an integer and a unit H, M, S, m, u, n) in milliseconds; undefined when absent or bad. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  const m = value ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  if (!m) return undefined;
  const units: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
  return Number(m[1]) * (units[m[2] as string] as number);
}

export interface GrpcConnection {
  /** Settles when the connection has ended, by either side. */
  readonly done: Promise<void>;
  /** Ends the calls under way (their signals abort), says goodbye and closes the connection. */
  close(): Promise<void>;
}

/** HTTP/2 settings: larger windows than the defaults (64 KiB) so that a build context streams quickly. */
const windowBytes = 4 * 1024 * 1024;

/**
 * Serves gRPC on a connection where the peer is the HTTP/2 client. Unknown methods answer Unimplemented;
 * a handler's GrpcStatusError answers its code, any other error Unknown.
 */
export function serveGrpc(socket: Duplex, handlers: GrpcHandlers): GrpcConnection {
  const server = http2.createServer({
    settings: { initialWindowSize: windowBytes, maxConcurrentStreams: 1000 },
    maxSessionMemory: 64,
  });
  const calls = new Set<AbortController>();
  let session: Http2Session | undefined;
  let finished = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = () => {
      if (finished) return;
      finished = true;
      for (const call of calls) call.abort(new GrpcStatusError(GrpcCode.Canceled, "session closed"));
      resolve();
    };
  });
  server.on("session", (s: Http2Session) => {
    session = s;
    s.on("connect", () => s.setLocalWindowSize(windowBytes));
    s.on("close", finish);
    s.on("error", () => {}); // the connection's end is reported by `close`
  });
  server.on(
    "stream",
    (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      const controller = new AbortController();
      calls.add(controller);
      dispatch(stream, headers, rawHeaders, handlers, controller).finally(() => calls.delete(controller));
    },
  );
  socket.on("close", finish);
  socket.on("error", () => {});
  server.emit("connection", socket);
  return {
    done,
    async close() {
      for (const call of calls) call.abort(new GrpcStatusError(GrpcCode.Canceled, "session closed"));
      if (session && !session.destroyed) {
        const s = session;
        // GOAWAY, then the connection; a peer that does not close its side at once is cut off (BuildKit's
        // own client just closes the connection).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            s.destroy();
            resolve();
          }, 250);
          s.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          for (const stream of streamsOf(s)) stream.close(http2.constants.NGHTTP2_CANCEL);
          s.close();
        });
      }
      socket.destroy();
      finish();
    },
  };
}

/** The streams still open on a session (node keeps no public list: tracked per stream below). */
const openStreams = new WeakMap<Http2Session, Set<ServerHttp2Stream>>();
function streamsOf(session: Http2Session): ServerHttp2Stream[] {
  return [...(openStreams.get(session) ?? [])];
}

function metadataOf(rawHeaders: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase();
    if (key.startsWith(":")) continue;
    const list = out[key] ?? [];
    list.push(rawHeaders[i + 1] as string);
    out[key] = list;
  }
  return out;
}

async function dispatch(
  stream: ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  rawHeaders: string[],
  handlers: GrpcHandlers,
  controller: AbortController,
): Promise<void> {
  const session = stream.session;
  if (session) {
    const set = openStreams.get(session) ?? new Set<ServerHttp2Stream>();
    openStreams.set(session, set);
    set.add(stream);
    stream.once("close", () => set.delete(stream));
  }
  stream.on("error", () => {}); // a reset stream: `close` aborts the call
  const method = String(headers[":path"] ?? "");
  const contentType = String(headers["content-type"] ?? "");
  if (headers[":method"] !== "POST" || !contentType.startsWith("application/grpc")) {
    if (!stream.headersSent) stream.respond({ ":status": 415 }, { endStream: true });
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = parseGrpcTimeout(headers["grpc-timeout"] as string | undefined);
  if (timeout !== undefined) {
    timer = setTimeout(
      () => controller.abort(new GrpcStatusError(DeadlineExceeded, "deadline exceeded")),
      Math.max(0, timeout),
    );
  }
  // The peer cancelled (RST_STREAM) or went away before the answer ended.
  let answered = false;
  const cancelled = () => {
    if (!answered && !controller.signal.aborted) {
      controller.abort(new GrpcStatusError(GrpcCode.Canceled, "call cancelled"));
    }
  };
  stream.once("aborted", cancelled);
  stream.once("close", cancelled);
  const call: GrpcCall = { method, metadata: metadataOf(rawHeaders), signal: controller.signal };
  const reply = new Reply(stream, controller.signal);
  const handler: GrpcHandler | undefined = handlers.get(method);
  try {
    if (!handler) {
      throw new GrpcStatusError(GrpcCode.Unimplemented, `unknown method ${method}`);
    }
    const messages = readMessages(stream, controller.signal);
    if (handler.kind === "unary") {
      let request: Uint8Array | undefined;
      for await (const message of messages) {
        if (request) throw new GrpcStatusError(GrpcCode.Unimplemented, "more than one request message");
        request = message;
      }
      if (!request) throw new GrpcStatusError(GrpcCode.Internal, "no request message");
      const response = await handler.handle(request, call);
      await reply.send(response);
    } else {
      await handler.handle({ messages, send: (m) => reply.send(m) }, call);
    }
    answered = true;
    reply.end(GrpcCode.OK, "");
  } catch (error) {
    // A read that failed because the peer reset the stream is the call's cancellation.
    if (stream.aborted || (stream.destroyed && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR))
      cancelled();
    answered = true;
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    const status =
      reason instanceof GrpcStatusError
        ? reason
        : new GrpcStatusError(GrpcCode.Unknown, reason instanceof Error ? reason.message : String(reason));
    reply.end(status.code, status.message);
  } finally {
    clearTimeout(timer);
  }
}

/** The caller's messages, read with back-pressure: the stream is read only as fast as they are taken. */
async function* readMessages(stream: ServerHttp2Stream, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const deframer = new MessageDeframer();
  const abort = () => stream.destroy();
  signal.addEventListener("abort", abort, { once: true });
  try {
    // A handler that stops taking messages early must not reset the call: its answer still goes out.
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
      for (const message of deframer.push(chunk as Buffer)) yield message;
    }
    // A reset (RST_STREAM) also ends the readable side first; the stream is closed a moment later.
    await new Promise((resolve) => setImmediate(resolve));
    if (
      stream.destroyed &&
      stream.rstCode !== undefined &&
      stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR
    ) {
      throw new GrpcStatusError(GrpcCode.Canceled, "call cancelled");
    }
    if (signal.aborted) throw signal.reason;
    if (deframer.pending > 0)
      throw new GrpcStatusError(GrpcCode.Internal, "the stream ended inside a message");
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", abort);
  }
}

/** Our side of one call: headers once, messages with back-pressure, then the status. */
class Reply {
  private headersSent = false;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly signal: AbortSignal,
  ) {}

  async send(message: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.signal.aborted) throw this.signal.reason;
    const { stream } = this;
    if (stream.destroyed || stream.closed) throw new GrpcStatusError(GrpcCode.Canceled, "call cancelled");
    if (!this.headersSent) {
      this.headersSent = true;
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    }
    const framed = Array.isArray(message)
      ? Buffer.concat(message.map((m) => frameMessage(m)))
      : frameMessage(message as Uint8Array);
    if (stream.write(framed)) return;
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        stream.off("drain", onDrain);
        stream.off("close", onClose);
        this.signal.removeEventListener("abort", onClose);
      };
      const onDrain = () => {
        cleanup();
        resolve();
      };
      const onClose = () => {
        cleanup();
        reject(
          this.signal.aborted ? this.signal.reason : new GrpcStatusError(GrpcCode.Canceled, "call cancelled"),
        );
      };
      stream.on("drain", onDrain);
      stream.on("close", onClose);
      this.signal.addEventListener("abort", onClose, { once: true });
    });
  }

  end(code: number, message: string): void {
    const { stream } = this;
    if (stream.destroyed || stream.closed) return;
    const status = {
      "grpc-status": String(code),
      ...(message ? { "grpc-message": encodeGrpcMessage(message) } : {}),
    };
    try {
      if (!this.headersSent) {
        this.headersSent = true;
        stream.respond(
          { ":status": 200, "content-type": "application/grpc", ...status },
          { endStream: true },
        );
        return;
      }
      stream.once("wantTrailers", () => stream.sendTrailers(status));
      stream.end();
    } catch {
      // the stream went away meanwhile
    }
  }
}
