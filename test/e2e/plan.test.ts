// `up --dry-run` from the plan (src/project/plan/): engine reads only, a recording proxy on the engine's
// socket shows no write; after a change it names the service, the key and the dependants recreated with
// it, and leaves every container as it was; --detailed-exitcode says whether anything would change. The
// reference's dry-run lines for the same project are the same, each of ours with its cause after it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import {
  type EngineProxy,
  type Exit,
  runAsync,
  socketOf,
  startEngineProxy,
} from "../helpers/engine-proxy.js";
import { cliPath, referenceBinary } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
let proxy: EngineProxy;
const project = uniqueProjectName("plan");
const dir = mkdtempSync(path.join(tmpdir(), "tct-plan-"));

const compose = (dbHost: string) => `services:
  db:
    image: busybox:1.36
    init: true
    command: sleep 3600
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
    volumes: [data:/data]
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    environment:
      DB_HOST: ${dbHost}
    depends_on:
      db:
        condition: service_healthy
  worker:
    image: busybox:1.36
    init: true
    command: sleep 3600
    depends_on: [web]
volumes:
  data: {}
`;

beforeAll(async () => {
  engine = await connectEngine();
  const upstream = socketOf(engine.endpoint);
  if (!upstream) throw new Error(`the engine is not on a unix socket: ${engine.endpoint}`);
  proxy = await startEngineProxy(upstream);
  writeFileSync(path.join(dir, "compose.yaml"), compose("db"));
});

afterAll(async () => {
  await proxy?.close();
  await removeProject(engine, project);
  rmSync(dir, { recursive: true, force: true });
});

/** tcompose through the recording proxy. */
const tcompose = (args: string[]): Promise<Exit> =>
  runAsync(process.execPath, [cliPath, "-p", project, ...args], {
    cwd: dir,
    env: { ...process.env, DOCKER_HOST: proxy.host },
  });

const reference = (args: string[]): Promise<Exit> =>
  runAsync(referenceBinary ?? "false", ["-p", project, ...args], { cwd: dir, env: process.env });

/** The write requests (anything but GET and HEAD) among those recorded since `from`. */
const writesSince = (from: number) =>
  proxy.calls
    .slice(from)
    .filter((c) => c.event === "request" && c.method !== "GET" && c.method !== "HEAD")
    .map((c) => `${c.method} ${c.path}`);

async function containerIds(): Promise<Record<string, string>> {
  const list = await engine.listContainers({ [label.project]: project }, { all: true });
  return Object.fromEntries(list.map((c) => [c.names[0] ?? "", c.id]));
}

/** Dry-run lines without our causes: ` DRY-RUN MODE -  Container p-web-1  Recreated`. */
const withoutCauses = (stderr: string) =>
  stderr
    .split("\n")
    .filter((l) => l.includes("DRY-RUN MODE"))
    .map((l) => l.replace(/ \(.*\)$/, "").trimEnd());

describe("up --dry-run plans from engine reads and writes nothing", () => {
  it("on a fresh project: the reference's lines with causes, no write, exit 2 with --detailed-exitcode", async () => {
    const from = proxy.calls.length;
    const dry = await tcompose(["--dry-run", "--progress", "plain", "up", "-d", "--detailed-exitcode"]);
    expect(dry.code, dry.stderr).toBe(2);
    expect(writesSince(from)).toEqual([]);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Network ${project}_default  Created (no network)`);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Container ${project}-web-1  Created (no container)`);
    expect(await containerIds()).toEqual({});
    if (referenceBinary) {
      const ref = await reference(["--dry-run", "--progress", "plain", "up", "-d"]);
      expect(ref.code, ref.stderr).toBe(0);
      expect(withoutCauses(dry.stderr)).toEqual(withoutCauses(ref.stderr));
    }
  });

  it("after a change: names the service, the key and the dependants; changes nothing; exit 0 then 2", async () => {
    const up = await tcompose(["up", "-d"]);
    expect(up.code, up.stderr).toBe(0);
    const before = await containerIds();
    expect(Object.keys(before)).toHaveLength(3);

    const same = await tcompose(["--dry-run", "up", "-d", "--detailed-exitcode"]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain("Recreate");

    writeFileSync(path.join(dir, "compose.yaml"), compose("db2"));
    const from = proxy.calls.length;
    const dry = await tcompose(["--dry-run", "--progress", "plain", "up", "-d", "--detailed-exitcode"]);
    expect(dry.code, dry.stderr).toBe(2);
    expect(writesSince(from)).toEqual([]);
    expect(dry.stderr).toContain(
      `DRY-RUN MODE -  Container ${project}-web-1  Recreated (config hash changed: environment.DB_HOST)`,
    );
    expect(dry.stderr).toContain(
      `DRY-RUN MODE -  Container ${project}-worker-1  Recreated (dependency web recreated)`,
    );
    expect(dry.stderr).not.toContain(`Container ${project}-db-1  Recreate`);
    expect(await containerIds()).toEqual(before);

    const json = await tcompose(["--dry-run", "--progress", "json", "up", "-d"]);
    expect(json.code, json.stderr).toBe(0);
    const actions = json.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map(
        (l) =>
          JSON.parse(l) as {
            n: number;
            action: string;
            resource: string;
            cause: string;
            depends_on: number[];
          },
      );
    const recreate = actions.filter((a) => a.action === "recreate");
    expect(recreate.map((a) => [a.resource, a.cause])).toEqual([
      [`${project}-web-1`, "config hash changed: environment.DB_HOST"],
      [`${project}-worker-1`, "dependency web recreated"],
    ]);
    const startWorker = actions.find((a) => a.action === "start" && a.resource === `${project}-worker-1`);
    const startWeb = actions.find((a) => a.action === "start" && a.resource === `${project}-web-1`);
    expect(startWorker?.depends_on).toContain(startWeb?.n);

    if (referenceBinary) {
      const ref = await reference(["--dry-run", "--progress", "plain", "up", "-d"]);
      expect(ref.code, ref.stderr).toBe(0);
      // The reference's dry run starts a recreated container under its temporary name (its pretended
      // rename changes nothing); the plan names the container as it will be.
      const renamed = withoutCauses(ref.stderr).map((l) =>
        l.replace(/Container [0-9a-f]{12}_/, "Container "),
      );
      expect(withoutCauses(dry.stderr)).toEqual(renamed);
    }
    expect(await containerIds()).toEqual(before);

    // The plan was right: `up` recreates exactly those two, and says why.
    const real = await tcompose(["--progress", "json", "up", "-d"]);
    expect(real.code, real.stderr).toBe(0);
    const recreated = real.stderr
      .split("\n")
      .filter((l) => l.includes('"Recreated"'))
      .map((l) => JSON.parse(l) as { id: string; cause?: string })
      .map((e) => [e.id, e.cause]);
    expect(recreated.sort()).toEqual([
      [`Container ${project}-web-1`, "config hash changed: environment.DB_HOST"],
      [`Container ${project}-worker-1`, "dependency web recreated"],
    ]);
    const after = await containerIds();
    expect(after[`${project}-db-1`]).toBe(before[`${project}-db-1`]);
    expect(after[`${project}-web-1`]).not.toBe(before[`${project}-web-1`]);
  });

  it("down --dry-run: the removals in the reference's lines with causes, no write, nothing removed", async () => {
    const before = await containerIds();
    expect(Object.keys(before)).toHaveLength(3);
    const from = proxy.calls.length;
    const dry = await tcompose(["--dry-run", "--progress", "plain", "down", "-v"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(writesSince(from)).toEqual([]);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Container ${project}-worker-1  Removed (down)`);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Volume ${project}_data  Removed (down -v)`);
    // Dependants first: worker, then web, then db.
    const removed = (name: string) => dry.stderr.indexOf(`Container ${project}-${name}-1  Removed`);
    expect(removed("worker")).toBeLessThan(removed("web"));
    expect(removed("web")).toBeLessThan(removed("db"));
    expect(await containerIds()).toEqual(before);
    if (referenceBinary) {
      const ref = await reference(["--dry-run", "--progress", "plain", "down", "-v"]);
      expect(ref.code, ref.stderr).toBe(0);
      // The reference's dry run finds the network still in use (its containers were only pretended
      // removed); the plan says what `down` would do: remove it.
      const theirs = withoutCauses(ref.stderr).map((l) =>
        l.replace(/(Network \S+) {2}Resource is still in use$/, "$1  Removed"),
      );
      expect(withoutCauses(dry.stderr).sort()).toEqual(theirs.sort());
    }
    expect(await containerIds()).toEqual(before);
  });

  it("stop, restart, kill, pause and rm --dry-run: the reference's lines with causes, no write, all still running", async () => {
    const before = await containerIds();
    const running = async () =>
      (await engine.listContainers({ [label.project]: project }, { all: false })).map((c) => c.id).sort();
    const wasRunning = await running();
    expect(wasRunning).toHaveLength(3);
    for (const args of [["stop"], ["restart"], ["kill"], ["pause"], ["rm", "-f", "-s"]]) {
      const from = proxy.calls.length;
      const dry = await tcompose(["--dry-run", "--progress", "plain", ...args]);
      expect(dry.code, `${args.join(" ")}: ${dry.stderr}`).toBe(0);
      expect(writesSince(from), args.join(" ")).toEqual([]);
      expect(withoutCauses(dry.stderr).length, `${args.join(" ")}: ${dry.stderr}`).toBeGreaterThan(0);
      if (args[0] !== "rm") {
        expect(dry.stderr).toContain(`DRY-RUN MODE -  Container ${project}-web-1`);
        expect(dry.stderr).toMatch(/\((stop|restart|kill -s SIGKILL|pause)\)/);
      }
      if (referenceBinary && args[0] !== "rm") {
        const ref = await reference(["--dry-run", "--progress", "plain", ...args]);
        expect(ref.code, ref.stderr).toBe(0);
        expect(withoutCauses(dry.stderr).sort(), args.join(" ")).toEqual(withoutCauses(ref.stderr).sort());
      }
      expect(await running(), args.join(" ")).toEqual(wasRunning);
    }
    expect(await containerIds()).toEqual(before);
  });

  it("run and start --dry-run: their plans, no write, no container made or started", async () => {
    const before = await containerIds();
    const worker = before[`${project}-worker-1`] ?? "";
    await engine.stopContainer(worker, 0);
    const runs = [
      ["run", "--no-deps", "-d", "web", "echo", "x"],
      ["run", "web", "echo", "x"],
    ];
    for (const args of runs) {
      const from = proxy.calls.length;
      const dry = await tcompose(["--dry-run", "--progress", "plain", ...args]);
      expect(dry.code, `${args.join(" ")}: ${dry.stderr}`).toBe(0);
      expect(writesSince(from), args.join(" ")).toEqual([]);
      expect(dry.stderr).toMatch(
        new RegExp(`DRY-RUN MODE - {2}Container ${project}-web-run-[0-9a-f]{12} {2}Created \\(run web\\)`),
      );
      expect(dry.stderr).toMatch(/Container \S+-web-run-[0-9a-f]{12} {2}Started \(run web\)/);
      // With its dependencies: the running db is awaited for health first, as `run` waits for it.
      if (!args.includes("--no-deps")) {
        expect(dry.stderr).toContain(
          `Container ${project}-db-1  Healthy (web depends on db (service_healthy))`,
        );
      }
    }
    // The reference's `run --dry-run` stops at an interactive run ("not supported in dry-run mode") or
    // fails on a dependency it only pretended to start, and its `start --dry-run` fails on the health wait
    // of its fake engine: nothing of theirs to compare with here.
    const from = proxy.calls.length;
    const dry = await tcompose(["--dry-run", "--progress", "plain", "start"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(writesSince(from)).toEqual([]);
    expect(dry.stderr).toContain(
      `DRY-RUN MODE -  Container ${project}-worker-1  Started (not running (exited))`,
    );
    expect(dry.stderr).not.toContain(`Container ${project}-web-1  Start`);
    expect(await containerIds()).toEqual(before);
    const state = await engine.inspectContainer(worker);
    expect(state.state.running).toBe(false);
    await engine.startContainer(worker);
  });

  it("--detailed-exitcode without --dry-run is a usage error", async () => {
    const r = await tcompose(["up", "-d", "--detailed-exitcode"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--detailed-exitcode needs --dry-run");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("down lists the project's networks once: the removal takes the ids the plan observed", async () => {
    expect(Object.keys(await containerIds())).toHaveLength(3);
    const from = proxy.calls.length;
    const down = await tcompose(["--progress", "plain", "down"]);
    expect(down.code, down.stderr).toBe(0);
    const listings = proxy.calls
      .slice(from)
      .filter((c) => c.event === "request" && c.method === "GET" && c.path === "/networks");
    expect(listings).toHaveLength(1);
    expect(down.stderr).toContain(`Network ${project}_default  Removed`);
    expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
    expect(await containerIds()).toEqual({});
  });
});
