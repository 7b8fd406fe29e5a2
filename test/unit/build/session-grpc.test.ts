import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  decodeGrpcMessage,
  encodeGrpcMessage,
  frameMessage,
  type GrpcConnection,
  MessageDeframer,
  parseGrpcTimeout,
  serveGrpc,
} from "../../../src/project/build/session/grpc.js";
import {
  healthCheckMethod,
  healthHandler,
  sessionHeaders,
} from "../../../src/project/build/session/index.js";
import {
  type GrpcCall,
  GrpcCode,
  type GrpcHandler,
  GrpcStatusError,
} from "../../../src/project/build/session/types.js";

describe("gRPC framing (pure)", () => {
  it("splits messages cut anywhere, across and within chunks", () => {
    const messages = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(20_000, 7), Buffer.from("last")];
    const wire = Buffer.concat(messages.map(frameMessage));
    for (const step of [1, 3, 5, 4096, wire.length]) {
      const deframer = new MessageDeframer();
      const out: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += step) out.push(...deframer.push(wire.subarray(at, at + step)));
      expect(out.map((m) => Buffer.from(m))).toEqual(messages);
      expect(deframer.pending).toBe(0);
    }
  });

  it("refuses compressed and oversized messages", () => {
    expect(() => new MessageDeframer().push(Buffer.from([1, 0, 0, 0, 1, 9]))).toThrow(/compressed/);
    expect(() => new MessageDeframer(10).push(Buffer.from([0, 0, 0, 0, 11]))).toThrow(
      expect.objectContaining({ code: 8 }),
    );
  });

  it("percent-encodes grpc-message outside printable ASCII and %", () => {
    expect(encodeGrpcMessage("secret x: 100% gone ✓\n")).toBe("secret x: 100%25 gone %E2%9C%93%0A");
    expect(decodeGrpcMessage("secret x: 100%25 gone %E2%9C%93%0A")).toBe("secret x: 100% gone ✓\n");
  });

  it("reads grpc-timeout", () => {
    expect(parseGrpcTimeout("9999891u")).toBeCloseTo(9999.891);
    expect(parseGrpcTimeout("2S")).toBe(2000);
    expect(parseGrpcTimeout("1H")).toBe(3_600_000);
    expect(parseGrpcTimeout("soon")).toBeUndefined();
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
  });

  it("advertises every method once, the session's id, name and key", () => {
    expect(
      sessionHeaders("id1", { name: "ctx", sharedKey: "k" }, ["/b/M", healthCheckMethod, "/b/M", "/a/N"]),
    ).toEqual({
      "X-Docker-Expose-Session-Uuid": "id1",
      "X-Docker-Expose-Session-Name": "ctx",
      "X-Docker-Expose-Session-Sharedkey": "k",
      "X-Docker-Expose-Session-Grpc-Method": ["/a/N", "/b/M", healthCheckMethod],
    });
  });
});

interface CallResult {
  headers: http2.IncomingHttpHeaders;
  messages: Buffer[];
  status: number;
  message: string;
}

/** Reads a call's answer: its messages and its status (from trailers, or headers for trailers-only). */
function answer(stream: ClientHttp2Stream): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const deframer = new MessageDeframer();
    const messages: Buffer[] = [];
    stream.on("response", (h) => {
      headers = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (chunk: Buffer) => messages.push(...deframer.push(chunk).map((m) => Buffer.from(m))));
    stream.on("error", reject);
    stream.on("end", () => {
      const status = trailers["grpc-status"] ?? headers["grpc-status"];
      const message = trailers["grpc-message"] ?? headers["grpc-message"] ?? "";
      resolve({ headers, messages, status: Number(status), message: decodeGrpcMessage(String(message)) });
    });
  });
}

function request(client: ClientHttp2Session, method: string, extra: Record<string, string> = {}) {
  return client.request({
    ":method": "POST",
    ":path": method,
    "content-type": "application/grpc",
    te: "trailers",
    ...extra,
  });
}

async function unary(client: ClientHttp2Session, method: string, message: Uint8Array, extra = {}) {
  const stream = request(client, method, extra);
  const result = answer(stream);
  stream.end(frameMessage(message));
  return result;
}

describe("gRPC server over a connection where the peer is the HTTP/2 client", () => {
  let server: Server;
  let client: ClientHttp2Session;
  let connection: GrpcConnection;
  const handlers = new Map<string, GrpcHandler>();
  const socketPath = `/tmp/tcompose-grpc-${process.pid}-${Math.random().toString(36).slice(2)}.sock`;

  beforeEach(async () => {
    handlers.clear();
    handlers.set(healthCheckMethod, healthHandler);
    const served = new Promise<GrpcConnection>((resolve) => {
      server = createServer((socket: Socket) => resolve(serveGrpc(socket, handlers)));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    client = http2.connect("http://localhost", { createConnection: () => createConnectionTo(socketPath) });
    client.on("error", () => {});
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    connection = await served;
  });

  afterEach(async () => {
    client.destroy();
    await connection.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("answers a unary call with one message and status OK", async () => {
    handlers.set("/t.T/Reverse", {
      kind: "unary",
      handle: async (request) => Buffer.from(request).reverse(),
    });
    const result = await unary(client, "/t.T/Reverse", Buffer.from("abc"));
    expect(result.headers["content-type"]).toBe("application/grpc");
    expect(result.messages.map(String)).toEqual(["cba"]);
    expect(result.status).toBe(GrpcCode.OK);
  });

  it("serves the health check as SERVING", async () => {
    const result = await unary(client, healthCheckMethod, new Uint8Array(0));
    expect(result).toMatchObject({ status: 0, messages: [Buffer.from([8, 1])] });
  });

  it("answers Unimplemented for a method it does not serve", async () => {
    const result = await unary(client, "/moby.filesync.v1.Auth/FetchToken", new Uint8Array(0));
    expect(result.status).toBe(GrpcCode.Unimplemented);
    expect(result.message).toMatch(/FetchToken/);
    expect(result.messages).toEqual([]);
  });

  it("answers a handler's status error with its code and message, other errors as Unknown", async () => {
    handlers.set("/t.T/Missing", {
      kind: "unary",
      handle: async () => {
        throw new GrpcStatusError(GrpcCode.NotFound, "secret token: not found ✓ 100%");
      },
    });
    handlers.set("/t.T/Broken", {
      kind: "unary",
      handle: async () => {
        throw new Error("disk on fire");
      },
    });
    expect(await unary(client, "/t.T/Missing", new Uint8Array(0))).toMatchObject({
      status: GrpcCode.NotFound,
      message: "secret token: not found ✓ 100%",
    });
    expect(await unary(client, "/t.T/Broken", new Uint8Array(0))).toMatchObject({
      status: GrpcCode.Unknown,
      message: "disk on fire",
    });
  });

  it("gives the handler the call's metadata, every value of a repeated key", async () => {
    let seen: GrpcCall | undefined;
    handlers.set("/t.T/Meta", {
      kind: "unary",
      handle: async (_request, call) => {
        seen = call;
        return new Uint8Array(0);
      },
    });
    const stream = client.request({
      ":method": "POST",
      ":path": "/t.T/Meta",
      "content-type": "application/grpc",
      "buildkit.ssh.id": "deploy",
      "x-list": ["a", "b"],
    });
    const result = answer(stream);
    stream.end(frameMessage(new Uint8Array(0)));
    expect((await result).status).toBe(0);
    expect(seen?.method).toBe("/t.T/Meta");
    expect(seen?.metadata["buildkit.ssh.id"]).toEqual(["deploy"]);
    expect(seen?.metadata["x-list"]).toEqual(["a", "b"]);
  });

  it("streams both ways: large and many messages, in order, on many streams at once", async () => {
    handlers.set("/t.T/Echo", {
      kind: "stream",
      async handle(stream) {
        for await (const message of stream.messages) await stream.send(message);
      },
    });
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const calls = Array.from({ length: 20 }, async (_, n) => {
      const stream = request(client, "/t.T/Echo");
      const result = answer(stream);
      const sent = [
        ...Array.from({ length: 50 }, (_, i) => Buffer.alloc(64 * 1024, (n + i) % 256)),
        ...(n === 0 ? [big] : []),
      ];
      for (const message of sent) {
        if (!stream.write(frameMessage(message))) await new Promise((r) => stream.once("drain", r));
      }
      stream.end();
      const { messages, status } = await result;
      expect(status).toBe(0);
      expect(messages.length).toBe(sent.length);
      expect(messages.every((m, i) => m.equals(sent[i] as Buffer))).toBe(true);
    });
    await Promise.all(calls);
  });

  it("a handler that stops reading early still answers (the call is not reset)", async () => {
    handlers.set("/t.T/First", {
      kind: "stream",
      async handle(stream) {
        for await (const message of stream.messages) {
          await stream.send(message);
          break;
        }
        await stream.send(Buffer.from("after"));
      },
    });
    const stream = request(client, "/t.T/First");
    const result = answer(stream);
    stream.write(frameMessage(Buffer.from("one")));
    await new Promise((r) => setTimeout(r, 50));
    stream.end(frameMessage(Buffer.from("two")));
    const { messages, status } = await result;
    expect(status).toBe(0);
    expect(messages.map(String)).toEqual(["one", "after"]);
  });

  it("holds the handler's sends while the caller does not read (back-pressure)", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const total = 64;
    let sent = 0;
    let stalled: () => void = () => {};
    const stall = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    handlers.set("/t.T/Flood", {
      kind: "stream",
      async handle(stream) {
        for (let i = 0; i < total; i++) {
          // A send that does not settle at once is the writer held back: note it once.
          let settled = false;
          const sending = stream.send(chunk).then(() => {
            settled = true;
          });
          await Promise.resolve();
          await new Promise((r) => setImmediate(r));
          if (!settled) stalled();
          await sending;
          sent++;
        }
      },
    });
    const stream = request(client, "/t.T/Flood");
    stream.pause();
    const result = answer(stream);
    stream.end(frameMessage(new Uint8Array(0)));
    stream.pause();
    await stall;
    expect(sent).toBeLessThan(total);
    stream.resume();
    const { messages, status } = await result;
    expect(status).toBe(0);
    expect(messages.length).toBe(total);
  });

  it("aborts the handler's signal when the caller cancels", async () => {
    let aborted: (reason: unknown) => void = () => {};
    const abort = new Promise((resolve) => {
      aborted = resolve;
    });
    let started: () => void = () => {};
    const start = new Promise<void>((resolve) => {
      started = resolve;
    });
    handlers.set("/t.T/Wait", {
      kind: "stream",
      async handle(stream, call) {
        call.signal.addEventListener("abort", () => aborted(call.signal.reason));
        await stream.send(Buffer.from("ready"));
        started();
        for await (const _ of stream.messages) {
          // until cancelled
        }
      },
    });
    const stream = request(client, "/t.T/Wait");
    stream.on("error", () => {});
    stream.write(frameMessage(Buffer.from("hi")));
    await start;
    stream.close(http2.constants.NGHTTP2_CANCEL);
    expect(await abort).toMatchObject({ code: GrpcCode.Canceled });
  });

  it("ends a call past its grpc-timeout with DeadlineExceeded", async () => {
    handlers.set("/t.T/Slow", {
      kind: "unary",
      handle: (_request, call) =>
        new Promise((_, reject) => call.signal.addEventListener("abort", () => reject(call.signal.reason))),
    });
    const result = await unary(client, "/t.T/Slow", new Uint8Array(0), { "grpc-timeout": "5m" });
    expect(result.status).toBe(4);
  });

  it("close() cancels the calls under way and ends the connection", async () => {
    let aborted: () => void = () => {};
    const abort = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    let started: () => void = () => {};
    const start = new Promise<void>((resolve) => {
      started = resolve;
    });
    handlers.set("/t.T/Forever", {
      kind: "stream",
      async handle(_stream, call) {
        call.signal.addEventListener("abort", () => aborted());
        started();
        await new Promise((resolve) => call.signal.addEventListener("abort", resolve));
      },
    });
    const stream = request(client, "/t.T/Forever");
    stream.on("error", () => {});
    stream.write(frameMessage(Buffer.from("x")));
    await start;
    const clientClosed = new Promise((resolve) => client.once("close", resolve));
    await connection.close();
    await abort;
    await connection.done;
    await clientClosed;
    expect(client.destroyed).toBe(true);
  });
});

function createConnectionTo(path: string) {
  return process.getBuiltinModule("node:net").connect(path);
}
