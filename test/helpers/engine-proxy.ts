// A recording HTTP proxy in front of the real engine, on a unix socket of its own: point DOCKER_HOST at
// `host` and every request the CLI sends goes through unchanged, while `calls` records, in order, when
// each request arrived (its headers) and when the engine's answer to it ended. What it shows is an order
// of events on the wire (did the second build start before the first one's answer ended?), without
// timing anything. No hijacked connections (attach, exec): run commands that do not need them (`up -d`).
//
// The CLI must run as an asynchronous child process (spawn, not spawnSync): the proxy lives in the test's
// own event loop.
import { spawn } from "node:child_process";
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
}

export interface EngineProxy {
  /** For DOCKER_HOST. */
  host: string;
  calls: ProxyCall[];
  close(): Promise<void>;
}

/** The unix socket of an endpoint such as `unix:///var/run/docker.sock` (the engine's `endpoint`). */
export function socketOf(endpoint: string): string | undefined {
  return endpoint.startsWith("unix://") ? endpoint.slice("unix://".length) : undefined;
}

export async function startEngineProxy(upstreamSocket: string): Promise<EngineProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), "tct8-proxy-"));
  const socket = path.join(dir, "engine.sock");
  const calls: ProxyCall[] = [];
  let count = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://engine");
    const call = {
      n: ++count,
      method: req.method ?? "GET",
      path: url.pathname.replace(/^\/v\d+\.\d+/, ""),
      query: url.searchParams,
    };
    calls.push({ event: "request", ...call });
    const upstream = http.request(
      { socketPath: upstreamSocket, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // At once, as the engine sent them: a stream's first bytes may come much later (GET /events).
        res.flushHeaders();
        answer.on("end", () => calls.push({ event: "end", ...call }));
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as an asynchronous child process (the proxy keeps serving meanwhile). */
export function runAsync(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
