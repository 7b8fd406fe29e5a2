// A recording HTTP proxy in front of the real engine, on a unix socket of its own: point DOCKER_HOST at
// `host` and every request the CLI sends goes through unchanged, while `calls` records, in order, when
// each request arrived (its headers) and when the engine's answer to it ended. What it shows is an order
// of events on the wire (did the second build start before the first one's answer ended?), without
// timing anything. No hijacked connections (attach, exec): run commands that do not need them (`up -d`).
//
// The CLI must run as an asynchronous child process (spawn, not spawnSync): the proxy lives in the test's
// own event loop.
//
// Faults: `fault` makes the proxy call `fault.act()` (kill the CLI, say) when the Nth request's headers
// arrive, before it goes to the engine, or once the engine's whole answer to it has arrived, before the CLI
// gets it. A request the engine was sent is carried through even when the CLI has gone meanwhile (its
// answer is dropped), except the streams that only end when the client goes (events, wait, logs, attach):
// `idle()` resolves once the engine has answered everything else it was sent, so what follows sees the
// engine in the state the killed CLI left it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ProxyCall {
  /** "request": its headers arrived; "end": the engine's answer to it ended. */
  event: "request" | "end";
  /** The request's number, the same for its request and end. */
  n: number;
  method: string;
  /** The path without the API version prefix (`/build`, `/images/create` …), and the query. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface ProxyFault {
  /** The request's number (1 is the first) … */
  n?: number;
  /** … or the first request whose `METHOD /path` (without the API version) matches. */
  match?: RegExp;
  /** "request": when its headers arrive, before the engine gets it; "answer": once the engine answered. */
  at: "request" | "answer";
  /** What to do then (kill the CLI …); the request or answer goes on once it has resolved. */
  act: () => void | Promise<void>;
}

export interface EngineProxy {
  /** For DOCKER_HOST. */
  host: string;
  calls: ProxyCall[];
  /** Set before the CLI starts. */
  fault?: ProxyFault;
  /** Resolves once every request sent to the engine, streams apart, has its whole answer. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function faultHits(fault: ProxyFault, call: { n: number; method: string; path: string }): boolean {
  if (fault.n !== undefined) return fault.n === call.n;
  return fault.match?.test(`${call.method} ${call.path}`) ?? false;
}

/** Answers that last as long as the client wants them to. */
const streaming = /^\/(events$|containers\/[^/]+\/(wait|logs|attach)$)/;

/** The unix socket of an endpoint such as `unix:///var/run/docker.sock` (the engine's `endpoint`). */
export function socketOf(endpoint: string): string | undefined {
  return endpoint.startsWith("unix://") ? endpoint.slice("unix://".length) : undefined;
}

export async function startEngineProxy(upstreamSocket: string): Promise<EngineProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), "tct8-proxy-"));
  const socket = path.join(dir, "engine.sock");
  const calls: ProxyCall[] = [];
  let count = 0;
  // Requests sent to the engine and not yet answered, streams apart; who waits for there to be none.
  let open = 0;
  const idleWaiters: (() => void)[] = [];
  const proxy: EngineProxy = {
    host: `unix://${socket}`,
    calls,
    idle: () => (open === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://engine");
    const call = {
      n: ++count,
      method: req.method ?? "GET",
      path: url.pathname.replace(/^\/v\d+\.\d+/, ""),
      query: url.searchParams,
      headers: req.headers,
    };
    calls.push({ event: "request", ...call });
    const fault = proxy.fault && faultHits(proxy.fault, call) ? proxy.fault : undefined;
    if (fault) proxy.fault = undefined;
    const stream = streaming.test(call.path);
    let counted = !stream;
    if (counted) open++;
    const settle = () => {
      if (!counted) return;
      counted = false;
      open--;
      if (open === 0) for (const wake of idleWaiters.splice(0)) wake();
    };
    res.on("error", () => {});
    const acting = fault?.at === "request" ? Promise.resolve(fault.act()) : Promise.resolve();
    const options = {
      socketPath: upstreamSocket,
      method: req.method,
      path: req.url,
      headers: req.headers,
      // A connection of its own (no agent): a kept-alive one the engine has just closed would reset.
      agent: false,
    };
    const onAnswer = (answer: http.IncomingMessage) => {
      const ended = () => {
        calls.push({ event: "end", ...call });
        settle();
      };
      if (fault?.at === "answer") {
        // The whole answer first, then the fault, then the answer to the client (if it is still there).
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", async () => {
          ended();
          await fault.act();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // At once, as the engine sent them: a stream's first bytes may come much later (GET /events).
      res.flushHeaders();
      // Not piped: the answer is read to its end even when the client has gone.
      answer.on("data", (chunk: Buffer) => {
        if (!res.destroyed) res.write(chunk);
      });
      answer.on("end", () => {
        ended();
        res.end();
      });
      answer.on("error", settle);
    };
    // On a loaded machine connecting to the engine's socket can fail: the request never reached the engine,
    // so it is sent again (its body buffered) rather than shown to the client as a reset connection.
    let upstream: http.ClientRequest | undefined;
    const send = (body: Buffer, tries: number) => {
      upstream = http.request(options, onAnswer);
      let connected = false;
      upstream.on("socket", (socket) => socket.once("connect", () => (connected = true)));
      upstream.on("error", () => {
        if (!connected && tries < 5) return void setTimeout(() => send(body, tries + 1), 50 * (tries + 1));
        settle();
        res.destroy();
      });
      upstream.end(body);
    };
    // The client gone: a stream, or a request whose body did not all arrive, ends as the engine would see
    // it; any other request is carried through.
    res.on("close", () => {
      if (!res.writableFinished && (stream || !req.complete)) upstream?.destroy();
    });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => void acting.then(() => send(Buffer.concat(chunks), 0)));
  });
  // Idle connections kept open as the engine keeps them: Node's server would close them after 5 s, and a
  // client reusing one just then gets ECONNRESET (seen on a loaded machine).
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return proxy;
}

export interface Exit {
  code: number | null;
  /** The signal that ended it, if one did. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as an asynchronous child process (the proxy keeps serving meanwhile). */
export function runAsync(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    started?: (child: ChildProcess) => void;
    /** Sees the whole stderr so far each time more comes. */
    onStderr?: (stderr: string, child: ChildProcess) => void;
    /** Written to its stdin, which is then closed (without: no stdin). */
    input?: string;
    /** Ended with SIGTERM after this long. */
    timeoutMs?: number;
  },
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    if (options.input !== undefined) {
      child.stdin?.on("error", () => {});
      child.stdin?.end(options.input);
    }
    options.started?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
      options.onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
