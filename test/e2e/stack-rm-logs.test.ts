import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath } from "../helpers/paths.js";
import { managerHost, swarmSkipNote, useSwarm, waitRunning } from "../helpers/swarm.js";
import { waitFor } from "../helpers/wait.js";

// `stack rm` against docker 20.10's (the oracle: Debian's docker.io, not the newer docker first on PATH) and
// `stack logs` (tcompose's own), on the test swarm of scripts/swarm.sh.
const oracle = "/usr/bin/docker";
const env = { ...process.env, DOCKER_HOST: managerHost, DOCKER_CONTEXT: "" };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd?: string): Run {
  const r = spawnSync(command, args, { encoding: "utf8", env, cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const ours = (...args: string[]) => run(process.execPath, [cliPath, ...args]);
const docker = (...args: string[]) => run(oracle, args);

/** Lines grouped by their "name | " prefix, in order (tasks' lines interleave differently per run). */
function byTask(text: string): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const line of text.split("\n").filter(Boolean)) {
    const m = /^(\S+) +\| (.*)$/.exec(line);
    const [key, rest] = m ? [m[1] as string, m[2] as string] : ["", line];
    groups[key] = [...(groups[key] ?? []), rest];
  }
  return groups;
}

const compose = `version: "3.8"
services:
  web:
    image: busybox:1.36
    command: sh -c 'echo web-a; echo web-b; sleep 3600'
    stop_grace_period: 1s
    networks: [back]
    secrets: [token]
    configs: [conf]
  worker:
    image: busybox:1.36
    command: sh -c 'echo worker-a; echo worker-b >&2; sleep 3600'
    stop_grace_period: 1s
    deploy:
      replicas: 2
    networks: [back]
networks:
  back:
    driver: overlay
secrets:
  token:
    file: ./token.txt
configs:
  conf:
    file: ./conf.txt
`;

describe.skipIf(swarmSkipNote !== "")(`stack rm and stack logs${swarmSkipNote}`, () => {
  const id = randomBytes(3).toString("hex");
  // The same file deployed twice: one removed by tcompose, one by docker.
  const [a, b] = [`tcs-srl-${id}-a`, `tcs-srl-${id}-b`];
  const dir = mkdtempSync(join(tmpdir(), "tcs-srl-"));
  const children: ChildProcess[] = [];

  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
    writeFileSync(join(dir, "stack.yml"), compose);
    writeFileSync(join(dir, "token.txt"), "s3cret\n");
    writeFileSync(join(dir, "conf.txt"), "conf\n");
    for (const name of [a, b]) {
      const deployed = run(
        oracle,
        ["stack", "deploy", "--resolve-image", "never", "-c", "stack.yml", name],
        dir,
      );
      if (deployed.code !== 0) throw new Error(`deploy ${name}: ${deployed.stdout}${deployed.stderr}`);
    }
    await Promise.all([waitRunning(`${a}_web`, 1, 180_000), waitRunning(`${a}_worker`, 2, 180_000)]);
    // The swarm's logs lag behind a task's Running state: wait until docker sees every line.
    await waitFor("the tasks' lines", () => {
      const web = docker("service", "logs", "--raw", `${a}_web`);
      const worker = docker("service", "logs", "--raw", `${a}_worker`);
      const lines = `${web.stdout}${web.stderr}${worker.stdout}${worker.stderr}`.split("\n");
      return ["web-a", "web-b", "worker-a", "worker-b"].every(
        (l) => lines.filter((x) => x === l).length === (l.startsWith("web") ? 1 : 2),
      );
    });
  }, 300_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    docker("stack", "rm", a, b);
    rmSync(dir, { recursive: true, force: true });
    // docker's `stack rm` does not wait: a node's copy of the network goes once the tasks have stopped.
    await waitFor("the stacks' networks to go", () =>
      [a, b].every(
        (n) =>
          docker("network", "ls", "-q", "--filter", `label=com.docker.stack.namespace=${n}`).stdout === "",
      ),
    )
      .catch(() => {})
      .finally(release);
  }, 120_000);

  it("prints every task's lines prefixed with its service and slot, by service and with --tail", () => {
    const all = ours("stack", "logs", a);
    expect(all.code).toBe(0);
    expect(all.stdout).not.toContain("\x1b[");
    const groups = byTask(all.stdout);
    expect(Object.keys(groups).sort()).toEqual(["web-1", "worker-1", "worker-2"]);
    expect(groups["web-1"]).toEqual(["web-a", "web-b"]);
    // stdout and stderr lines of one task come in either order.
    expect(groups["worker-1"]?.sort()).toEqual(["worker-a", "worker-b"]);
    expect(groups["worker-2"]?.sort()).toEqual(["worker-a", "worker-b"]);
    // Padded to the longest name ("worker-1") and one blank, as `tcompose logs` pads.
    expect(all.stdout).toContain("web-1     | web-a\n");

    const worker = ours("stack", "logs", a, "worker");
    expect(Object.keys(byTask(worker.stdout)).sort()).toEqual(["worker-1", "worker-2"]);
    expect(ours("stack", "logs", a, `${a}_web`).stdout).toBe("web-1  | web-a\nweb-1  | web-b\n");
    expect(ours("stack", "logs", "--tail", "1", a, "web").stdout).toBe("web-1  | web-b\n");
    expect(ours("stack", "logs", "--no-log-prefix", a, "web").stdout).toBe("web-a\nweb-b\n");
    expect(ours("stack", "logs", "-t", a, "web").stdout).toMatch(
      /^web-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z web-a\nweb-1 {2}\| \S+ web-b\n$/,
    );
    const coloured = ours("--ansi", "always", "stack", "logs", a);
    expect(coloured.stdout).toContain("\x1b[36mweb-1     | \x1b[0mweb-a\n");
    expect(coloured.stdout).toContain("\x1b[33mworker-1  | \x1b[0m");
    expect(ours("--ansi", "always", "stack", "logs", "--no-color", a).stdout).not.toContain("\x1b[3");

    const unknown = ours("stack", "logs", `${a}-none`);
    expect([unknown.code, unknown.stderr]).toEqual([1, `tcompose: nothing found in stack: ${a}-none\n`]);
    const missing = ours("stack", "logs", a, "nope");
    expect([missing.code, missing.stderr]).toEqual([1, "tcompose: no such service: nope\n"]);
  });

  it("follows with -f, a task started later too, until Ctrl-C ends it as it ends `tcompose logs -f`", async () => {
    const child = spawn(process.execPath, [cliPath, "stack", "logs", "-f", a, "web"], { env });
    children.push(child);
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("exit", (code, signal) => resolve([code, signal])),
    );
    await waitFor(
      "the first lines",
      () => out.includes("web-1  | web-b\n"),
      120_000,
      () => out,
    );
    expect(docker("service", "scale", "-d", `${a}_web=2`).code).toBe(0);
    await waitFor(
      "the new task's lines",
      () => /^web-2 +\| web-b$/m.test(out),
      180_000,
      () => out,
    );
    child.kill("SIGINT");
    // No handler of its own: the signal ends the process (a shell shows 130), as for `tcompose logs -f`.
    expect(await exited).toEqual([null, "SIGINT"]);
    expect(byTask(out)["web-1"]).toEqual(["web-a", "web-b"]);
    expect(byTask(out)["web-2"]).toEqual(["web-a", "web-b"]);
  });

  it("removes a stack with docker's lines and order, and with --detach=false waits until nothing is left", () => {
    const mine = ours("stack", "rm", "--detach=false", a);
    const theirs = docker("stack", "rm", b);
    expect(theirs.code).toBe(0);
    expect(mine.code).toBe(theirs.code);
    expect(mine.stderr).toBe(theirs.stderr);
    expect(mine.stdout.replaceAll(a, "NAME")).toBe(theirs.stdout.replaceAll(b, "NAME"));
    expect(mine.stdout).toBe(
      [
        `Removing service ${a}_web`,
        `Removing service ${a}_worker`,
        `Removing secret ${a}_token`,
        `Removing config ${a}_conf`,
        `Removing network ${a}_back`,
        "",
      ].join("\n"),
    );
    // Waited: no task, network, service, secret or config of the stack is listed any more.
    const label = `label=com.docker.stack.namespace=${a}`;
    for (const kind of ["service", "network", "secret", "config"]) {
      expect(docker(kind, "ls", "-q", "--filter", label).stdout).toBe("");
    }
    // `stack ps` lists the tasks by the same label.
    expect(docker("stack", "ps", a).stderr).toBe(`nothing found in stack: ${a}\n`);
  });

  it("says there is nothing in an unknown stack, on stderr and without failing, as docker does", () => {
    const args = ["stack", "rm", `${a}-none`, `${b}-none`];
    const mine = ours(...args);
    const theirs = docker(...args);
    expect([mine.code, mine.stdout, mine.stderr]).toEqual([theirs.code, theirs.stdout, theirs.stderr]);
    expect(mine.stderr).toBe(`Nothing found in stack: ${a}-none\nNothing found in stack: ${b}-none\n`);
    const blank = ours("stack", "rm", " ");
    expect([blank.code, blank.stderr]).toEqual([1, 'tcompose: invalid stack name: " "\n']);
  });
});
