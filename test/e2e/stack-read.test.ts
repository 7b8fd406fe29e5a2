import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath } from "../helpers/paths.js";
import {
  managerHost,
  type Run,
  removeSwarmObjects,
  swarmSkipNote,
  useSwarm,
  waitRunning,
} from "../helpers/swarm.js";

// `tcompose stack ls|ps|services` against the docker CLI 20.10 (Debian's docker.io, the oracle) on the test
// swarm: the same stack, the same flags, the same output, errors and exit codes.
const oracle = "/usr/bin/docker";
const env = { ...process.env, DOCKER_HOST: managerHost, DOCKER_CONTEXT: "" };

interface Where {
  /** DOCKER_HOST: the swarm's manager unless said otherwise. */
  host?: string;
  /** DOCKER_CONFIG (its config.json's tasksFormat and servicesFormat). */
  config?: string;
}

function run(binary: string, args: string[], where: Where = {}): Run {
  const r = spawnSync(binary, args, {
    encoding: "utf8",
    env: {
      ...env,
      DOCKER_HOST: where.host ?? managerHost,
      ...(where.config ? { DOCKER_CONFIG: where.config } : {}),
    },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const docker = (args: string[], where?: Where) => run(oracle, args, where);
const tcompose = (args: string[], where?: Where) => {
  const r = run(process.execPath, [cliPath, ...args], where);
  // tcompose's errors carry its name where docker's carry none or docker's.
  const stderr = r.stderr.replace(/^tcompose: /gm, "").replaceAll("tcompose stack", "docker stack");
  return { ...r, stderr };
};

function dockerOk(args: string[]): string {
  const r = docker(args);
  if (r.status !== 0)
    throw new Error(`docker ${args.join(" ")} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** CURRENT STATE's age ("Running 5 seconds ago") changes between the two runs: only that is normalized. */
function normalizeAges(text: string): string {
  return text.replace(
    /\b(less than a second|about a minute|about an hour|\d+ (second|minute|hour|day|week|month|year)s?) ago\b/g,
    "<age> ago",
  );
}

/** Normalized ages change column widths in a table: then the runs of spaces between cells are compared as one. */
const normalizeTable = (text: string) => normalizeAges(text).replace(/ {2,}/g, "  ");

/** Both CLIs with the same arguments: stdout, stderr and exit status, the first through `normalize`. */
function compare(args: string[], normalize: (text: string) => string = (t) => t, where?: Where) {
  const [expected, actual] = [docker(["stack", ...args], where), tcompose(["stack", ...args], where)];
  const view = (r: Run) => ({ status: r.status, stdout: normalize(r.stdout), stderr: r.stderr });
  expect(view(actual)).toEqual(view(expected));
  return expected;
}

describe("stack ls/ps/services on an engine that is not a swarm manager", () => {
  it("fail with the daemon's message, as docker's do", () => {
    // The default engine of the other tests, which is never a swarm (only read here).
    const engine = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
    for (const args of [["ls"], ["ps", "x"], ["services", "x"]]) {
      const result = compare(args, undefined, { host: engine });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^Error response from daemon: This node is not a swarm manager/);
    }
  });
});

describe.skipIf(swarmSkipNote !== "")(`stack ls/ps/services like docker 20.10${swarmSkipNote}`, () => {
  const id = randomBytes(3).toString("hex");
  const stack = `tcsread${id}`;
  const dir = mkdtempSync(join(tmpdir(), "tcs-read-"));
  const hostPort = randomInt(20_000, 29_000);
  const ingressPort = hostPort + 1;
  const [web, agent, stuck] = ["web", "agent", "stuck"].map((s) => `${stack}_${s}`) as [
    string,
    string,
    string,
  ];

  let release = () => {};
  beforeAll(async () => {
    release = await useSwarm();
    writeFileSync(
      join(dir, "stack.yml"),
      `version: "3.8"
services:
  web:
    image: busybox:1.36
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config: { parallelism: 2 }
    ports:
      - { target: 8080, published: ${hostPort}, mode: host }
      - "${ingressPort}:81"
  agent:
    image: busybox:1.36
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy:
      mode: global
  stuck:
    image: busybox:1.36
    command: ["sleep", "3600"]
    deploy:
      placement:
        constraints: ["node.labels.tcs-nowhere == true"]
`,
    );
    dockerOk(["stack", "deploy", "-c", join(dir, "stack.yml"), stack]);
    // A second generation of web's tasks at once (the first ones are listed below them, indented).
    dockerOk(["service", "update", "--force", "-d", web]);
    const nodes = dockerOk(["node", "ls", "-q"]).trim().split("\n").length;
    await waitRunning(agent, nodes, 300_000);
    await until(() => {
      const state = dockerOk(["service", "inspect", web, "--format", "{{.UpdateStatus.State}}"]).trim();
      const old = dockerOk([
        "stack",
        "ps",
        stack,
        "-f",
        "desired-state=shutdown",
        "--format",
        "{{.CurrentState}}",
      ]);
      const lines = old.trim().split("\n").filter(Boolean);
      const settled = lines.every((l) => /^(Shutdown|Failed|Rejected|Complete|Orphaned) /.test(l));
      return state === "completed" && lines.length >= 2 && settled;
    });
    await waitRunning(web, 2, 300_000);
    await until(() => dockerOk(["service", "ps", stuck, "--format", "{{.Error}}"]).trim() !== "");
  }, 600_000);

  afterAll(async () => {
    docker(["stack", "rm", stack]);
    // The stack's network goes once its tasks are gone on every node.
    await removeSwarmObjects([], [`${stack}_default`]).finally(release);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("ls: the stack's row, the header, and templates", () => {
    const pick = (text: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith("NAME ") || l.startsWith(`${stack} `) || l.includes(`"${stack}"`))
        .map((l) => l.replace(/ {2,}/g, "  "));
    // Other tests' stacks come and go meanwhile: only this stack's lines are compared.
    for (const args of [
      ["ls"],
      ["list"],
      ["ls", "--format", "{{json .}}"],
      ["ls", "--format", "{{.Name}} {{.Services}}"],
    ]) {
      const expected = docker(["stack", ...args]);
      const actual = tcompose(["stack", ...args]);
      expect(actual.status).toBe(0);
      expect(pick(actual.stdout)).toEqual(pick(expected.stdout));
    }
    expect(pick(tcompose(["stack", "ls"]).stdout)).toEqual([
      "NAME  SERVICES  ORCHESTRATOR",
      `${stack}  3  Swarm`,
    ]);
    compare(["ls", "--format", "table {{.Foo}}"]);
    compare(["ls", "extra"]);
  });

  it("ps: the default table, with older tasks of a slot indented under the newest", () => {
    const out = compare(["ps", stack], normalizeTable).stdout;
    expect(out).toContain(` \\_ ${web}.1`);
    expect(out).toContain(`*:${hostPort}->8080/tcp`);
    expect(out).toContain('"no suitable node (scheduling …"');
    compare(["ps", "--no-trunc", stack], normalizeTable);
    compare(["ps", "--no-resolve", stack], normalizeTable);
  });

  it("ps: exact alignment, IDs, templates and raw", () => {
    const columns =
      "table {{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.Node}}\\t{{.DesiredState}}\\t{{.Error}}\\t{{.Ports}}";
    compare(["ps", "--format", columns, stack]);
    compare(["ps", "--format", columns, "--no-trunc", stack]);
    compare(["ps", "-q", stack]);
    compare(["ps", "-q", "--no-trunc", stack]);
    compare(["ps", "--format", "{{json .}}", stack], normalizeAges);
    compare(["ps", "--format", "raw", stack], normalizeAges);
    compare(["ps", "--format", "json", stack]);
    compare(["ps", "--format", "{{.Name}}|{{upper .DesiredState}}|{{json .Ports}}", stack]);
    compare([
      "ps",
      "--format",
      '{{with .DesiredState}}{{printf "%-8s" .}}|{{end}}{{if and .Node (not .Error)}}{{len .Name | printf "%03d"}}{{end}}',
      stack,
    ]);
  });

  it("ps: filters go to the engine, the stack's label added", () => {
    compare(["ps", "-f", "desired-state=running", stack], normalizeTable);
    compare(["ps", "--filter", `name=${web}`, "-q", stack]);
    compare([
      "ps",
      "-f",
      "node=tcs-node1",
      "-f",
      "desired-state=running",
      "--format",
      "{{.Name}} {{.Node}}",
      stack,
    ]);
    compare(["ps", "-f", "desired-state=accepted", stack]);
  });

  it("ps: errors and exit codes", () => {
    const missing = compare(["ps", `${stack}nope`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`nothing found in stack: ${stack}nope\n`);
    expect(compare(["ps", "-f", "nonsense", stack]).status).toBe(125);
    compare(["ps", "-f", "nonsense=1", stack]);
    compare(["ps", "--format", "{{.Foo}}", stack]);
    compare(["ps", "--format", "{{.ID}} {{.Name", stack]);
    compare(["ps"]);
    compare(["ps", stack, "other"]);
    compare(["ps", "' '"]);
  });

  it("services: table, IDs, templates, filters and a stack that is not there", () => {
    const out = compare(["services", stack]).stdout;
    expect(out).toContain(`*:${ingressPort}->81/tcp`);
    expect(out).toMatch(new RegExp(`${agent} +global +\\d+/\\d+`));
    compare(["services", "-q", stack]);
    compare(["services", "--format", "{{json .}}", stack]);
    compare(["services", "--format", "table {{.Name}}\\t{{.Replicas}}", stack]);
    compare(["services", "--format", "raw", stack]);
    compare(["services", "-f", "mode=global", stack]);
    compare(["services", "-f", `name=${web}`, "--format", "{{.Name}} {{.Mode}}", stack]);
    const none = compare(["services", "-f", "name=web", stack]);
    expect(none.stderr).toBe(`Nothing found in stack: ${stack}\n`);
    expect(compare(["services", `${stack}nope`]).status).toBe(0);
    compare(["services", "-f", "bogus=1", stack]);
    compare(["services", "--format", "{{.Nope}}", stack]);
    // text/template's control structures and builtins, as 20.10's formatter runs them.
    compare([
      "services",
      "--format",
      '{{if eq .Mode "global"}}G {{.Name}}{{else}}R {{.Name}} {{.Replicas}}{{end}}{{range $i, $p := split .Ports ","}} [{{$i}}]{{$p}}{{else}} none{{end}}',
      stack,
    ]);
  });

  it("ps and services: the default formats of docker's config.json, not used with -q", () => {
    const config = join(dir, "config");
    mkdirSync(config, { recursive: true });
    writeFileSync(
      join(config, "config.json"),
      JSON.stringify({ tasksFormat: "table {{.Name}}\t{{.Node}}", servicesFormat: "{{.Name}}: {{.Mode}}" }),
    );
    for (const args of [
      ["ps", stack],
      ["ps", "-q", stack],
      ["ps", "--format", "{{.ID}}", stack],
      ["services", stack],
      ["services", "-q", stack],
    ]) {
      compare(args, undefined, { config });
    }
    expect(tcompose(["stack", "services", stack], { config }).stdout).toContain(`${agent}: global\n`);
  });
});

async function until(check: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the stack to settle");
    await sleep(1000);
  }
}
