// For the read-only commands' e2e tests: a small stack brought up by the reference (our `up` is not
// finished), and both CLIs run on it side by side. Project names start with "tcro".
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, referenceBinary } from "./paths.js";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Stack {
  name: string;
  dir: string;
  ours(...args: string[]): Run;
  reference(...args: string[]): Run;
  down(): void;
}

/** busybox services with init and `sleep 3600`; `web` publishes ports, `health` has a healthcheck. */
export function standardCompose(firstPort: number): string {
  return `services:
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    ports:
      - "${firstPort}:80"
      - "${firstPort + 1}-${firstPort + 2}:8000-8001"
      - "127.0.0.1:${firstPort + 3}:53/udp"
      - "${firstPort + 4}-${firstPort + 5}:${firstPort + 4}-${firstPort + 5}"
    expose: ["7000-7001"]
  health:
    image: busybox:1.36
    init: true
    command: sleep 3600
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
  worker:
    image: busybox:1.36
    init: true
    command: sh -c 'echo one; echo two >&2; sleep 3600'
    deploy:
      replicas: 2
`;
}

export function upStack(compose: string, upArgs: string[] = ["--wait"]): Stack {
  if (!referenceBinary) throw new Error("no reference binary");
  const ref = referenceBinary;
  const name = `tcro${randomBytes(3).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), "tcro-"));
  writeFileSync(join(dir, "compose.yaml"), compose);
  const run = (file: string, pre: string[], args: string[]): Run => {
    const r = spawnSync(file, [...pre, ...args], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: "" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const stack: Stack = {
    name,
    dir,
    ours: (...args) => run(process.execPath, [cliPath], args),
    reference: (...args) => run(ref, [], args),
    down: () => {
      run(ref, [], ["-p", name, "down", "-v", "-t", "0", "--remove-orphans"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const up = stack.reference("-p", name, "up", "-d", ...upArgs);
  if (up.code !== 0) {
    stack.down();
    throw new Error(`reference up failed: ${up.stderr}`);
  }
  return stack;
}

/** The reference's error lines, and ours without the "tcompose: " prefix every error line gets. */
export function errorText(r: Run): string {
  return r.stderr.replace(/^tcompose: /gm, "");
}
