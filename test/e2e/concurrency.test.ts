// Runs at once on one project: the project lock (src/project/lock.ts) serializes them, a stale lock is
// taken over, and `up` heals the duplicate networks that runs at once (the reference's) leave behind.
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import {
  currentHolder,
  type LockHolder,
  lockImage,
  lockLabels,
  lockName,
  lockProject,
} from "../../src/project/lock.js";
import { type Exit, runAsync } from "../helpers/engine-proxy.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
const projects: string[] = [];
const strays: string[] = [];

beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const c of strays) await engine.removeContainer(c, { force: true }).catch(() => {});
  for (const p of projects) {
    await engine.removeContainer(lockName(p), { force: true }).catch(() => {});
    await removeProject(engine, p);
  }
});

const compose = `services:
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    volumes: [data:/data]
  worker:
    image: busybox:1.36
    init: true
    command: sleep 3600
volumes:
  data: {}
`;

function stack(): { dir: string; project: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tct-lock-"));
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  const project = uniqueProjectName("lock");
  projects.push(project);
  return { dir, project };
}

/** The CLI as a process, asynchronously (several at once); `onStderr` sees its stderr as it comes. */
function cli(
  command: string,
  args: string[],
  dir: string,
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<Exit> {
  return runAsync(command, args, {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    ...(onStderr ? { onStderr } : {}),
  });
}
const tcompose = (
  dir: string,
  project: string,
  args: string[],
  onStderr?: (text: string, child: ChildProcess) => void,
) => cli(process.execPath, [cliPath, "-p", project, "--progress", "plain", ...args], dir, onStderr);
const reference = (dir: string, project: string, args: string[]) =>
  cli(referenceBinary ?? "false", ["-p", project, "--progress", "plain", ...args], dir);

async function state(project: string) {
  const containers = await engine.listContainers({ [label.project]: project }, { all: true });
  const networks = await engine.listNetworks({ [label.project]: project });
  const volume = await engine.inspectVolume(`${project}_data`);
  return {
    containers: containers.map((c) => `${c.names[0]} ${c.state}`).sort(),
    networks: networks.map((n) => n.name),
    volumeLabels: volume?.labels,
  };
}

function converged(project: string) {
  return {
    containers: [`${project}-web-1 running`, `${project}-worker-1 running`],
    networks: [`${project}_default`],
    volumeLabels: expect.objectContaining({ [label.project]: project, [label.volume]: "data" }),
  };
}

async function lockContainer(project: string) {
  return engine.inspectContainer(lockName(project)).catch(() => undefined);
}

/** A lock left by a holder that is gone (made as the lock makes it: the image exists once a lock was taken). */
async function staleLock(project: string, holder: LockHolder): Promise<void> {
  await (await lockProject({ engine, project, command: "test", notify: () => {} })).release();
  await engine.createContainer({
    name: lockName(project),
    Image: lockImage,
    Cmd: ["tcompose-lock"],
    Labels: lockLabels(project, holder),
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none" },
  });
}

/** POST /networks/create without CheckDuplicate (the docker CLI always checks, on API < 1.44). */
function createDuplicateNetwork(name: string, labels: Record<string, string>): Promise<string> {
  const socketPath = engine.endpoint.startsWith("unix://")
    ? engine.endpoint.slice("unix://".length)
    : "/var/run/docker.sock";
  const body = JSON.stringify({ Name: name, CheckDuplicate: false, Labels: labels });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        socketPath,
        method: "POST",
        path: "/networks/create",
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (s: string) => {
          text += s;
        });
        response.on("end", () => {
          if (response.statusCode !== 201) reject(new Error(text));
          else resolve((JSON.parse(text) as { Id: string }).Id);
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("runs at once on one project", () => {
  it("two `up -d` at once end with one network and every container running, no lock left", async () => {
    const { dir, project } = stack();
    const [a, b] = await Promise.all([
      tcompose(dir, project, ["up", "-d"]),
      tcompose(dir, project, ["up", "-d"]),
    ]);
    expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, expect.any(String)]);
    expect(await state(project)).toEqual(converged(project));
    expect(await lockContainer(project)).toBeUndefined();
    const down = await tcompose(dir, project, ["down", "-v"]);
    expect(down.code).toBe(0);
  });

  it("a run waits while a live run holds the lock, then proceeds; --dry-run does not wait; Ctrl-C ends a wait", async () => {
    const { dir, project } = stack();
    const held = await lockProject({ engine, project, command: "test", notify: () => {} });
    const holderId = (await lockContainer(project))?.id;
    let release: Promise<void> | undefined;
    const waiting = `Waiting for another tcompose run on project "${project}" (pid ${process.pid} on host ${hostname()})…`;
    const up = tcompose(dir, project, ["up", "-d"], (stderr) => {
      if (stderr.includes(waiting)) release ??= onWaiting();
    });
    async function onWaiting() {
      try {
        // While it waits it has changed nothing; a dry run neither waits nor takes the lock.
        expect((await state(project)).containers).toEqual([]);
        const dry = await tcompose(dir, project, ["--dry-run", "up", "-d"]);
        expect(dry.code).toBe(0);
        expect(dry.stderr).not.toContain("Waiting for another");
        expect((await lockContainer(project))?.id).toBe(holderId);
        // Ctrl-C while waiting ends the command (130, as an interrupted `up`), the holder's lock untouched.
        let sent = false;
        const interrupted = await tcompose(dir, project, ["down"], (text, child) => {
          if (text.includes(waiting) && !sent) sent = child.kill("SIGINT");
        });
        expect([interrupted.code, interrupted.stderr]).toEqual([130, `${waiting}\ntcompose: canceled\n`]);
        expect((await lockContainer(project))?.id).toBe(holderId);
      } finally {
        await held.release();
      }
    }
    const result = await up;
    await release;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(waiting);
    expect(await state(project)).toEqual(converged(project));
    expect((await tcompose(dir, project, ["down", "-v"])).code).toBe(0);
  });

  it("`up -d` racing `down -v` ends consistent, and the next `up -d` converges", async () => {
    const { dir, project } = stack();
    expect((await tcompose(dir, project, ["up", "-d"])).code).toBe(0);
    const [up, down] = await Promise.all([
      tcompose(dir, project, ["up", "-d"]),
      tcompose(dir, project, ["down", "-v"]),
    ]);
    expect([up.code, down.code]).toEqual([0, 0]);
    const after = await state(project);
    const empty = { containers: [], networks: [], volumeLabels: undefined };
    if (after.containers.length === 0) expect(after).toEqual(empty);
    else expect(after).toEqual(converged(project));

    expect((await tcompose(dir, project, ["up", "-d"])).code).toBe(0);
    expect(await state(project)).toEqual(converged(project));
    expect((await tcompose(dir, project, ["down", "-v"])).code).toBe(0);
    expect(await state(project)).toEqual(empty);
  });

  it("`down` removes the unused of duplicate networks; `up` heals the rest, moving containers", async () => {
    const { dir, project } = stack();
    const name = `${project}_default`;
    const labels = { [label.project]: project, [label.network]: "default", [label.version]: "2.26.1" };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await createDuplicateNetwork(name, labels));
    // The first and last are empty, the second and third have a container each (attached by id once
    // running, as the engine allows).
    for (const [i, alias] of [
      [1, "stray-a"],
      [2, "stray-b"],
    ] as const) {
      const stray = `${project}-${alias}`;
      strays.push(stray);
      expect(
        spawnSync("docker", ["run", "-d", "--name", stray, "busybox:1.36", "sleep", "3600"]).status,
      ).toBe(0);
      const connect = spawnSync("docker", ["network", "connect", "--alias", alias, ids[i] ?? "", stray]);
      expect(connect.status).toBe(0);
    }
    const down = await tcompose(dir, project, ["down"]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`Network ${name}  Resource is still in use`);
    const named = async () => (await engine.listNetworksByName(name)).filter((n) => n.name === name);
    expect((await named()).map((n) => n.id).sort()).toEqual([ids[1], ids[2]].sort());

    // Both in use by one container: the older is kept, the other's container moved onto it with its alias.
    const up = await tcompose(dir, project, ["up", "-d"]);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`network ${name} existed 2 times`);
    expect((await named()).map((n) => n.id)).toEqual([ids[1]]);
    expect(await state(project)).toEqual(converged(project));
    for (const alias of ["stray-a", "stray-b"]) {
      const ping = spawnSync("docker", ["exec", `${project}-web-1`, "ping", "-c", "1", "-W", "5", alias]);
      expect(ping.status).toBe(0);
    }
    for (const stray of strays) await engine.removeContainer(stray, { force: true }).catch(() => {});
    expect((await tcompose(dir, project, ["down", "-v"])).code).toBe(0);
  });

  it("a lock left by a dead process, or another host's past its lease, is taken over", async () => {
    const { dir, project } = stack();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid ?? 0;
    const me = currentHolder("up");
    await staleLock(project, { ...me, pid: dead });
    const up = await tcompose(dir, project, ["up", "-d"]);
    expect(up.code).toBe(0);
    // Its holder is certainly gone: taken over at once, without a word.
    expect(up.stderr).not.toMatch(/Waiting for another|Taking over/);
    expect(await state(project)).toEqual(converged(project));
    expect(await lockContainer(project)).toBeUndefined();

    const elsewhere = {
      ...me,
      host: "elsewhere",
      hostId: "elsewhere",
      pid: 1,
      since: Date.now() - 3_600_000,
    };
    await staleLock(project, elsewhere);
    const down = await tcompose(dir, project, ["down", "-v"]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(
      `Taking over the lock of project "${project}" from pid 1 on host elsewhere, held for more than 15 minutes`,
    );
    expect(await lockContainer(project)).toBeUndefined();
  });
});

describe.skipIf(!referenceBinary)(`the lock and the reference${referenceSkipNote}`, () => {
  it("the reference does not see the lock: its ps, ls and down work beside one", async () => {
    const { dir, project } = stack();
    expect((await tcompose(dir, project, ["up", "-d"])).code).toBe(0);
    await staleLock(project, { ...currentHolder("up"), hostId: "elsewhere", since: Date.now() });
    const ps = await reference(dir, project, ["ps", "-a", "--format", "{{.Name}}"]);
    expect(ps.stdout.trim().split("\n").sort()).toEqual([`${project}-web-1`, `${project}-worker-1`]);
    const ls = await reference(dir, project, ["ls", "-a", "--filter", `name=${project}`, "--format", "json"]);
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ Name: project, Status: "running(2)" })]);
    const down = await reference(dir, project, ["down", "-v"]);
    expect(down.code).toBe(0);
    expect(await state(project)).toEqual({ containers: [], networks: [], volumeLabels: undefined });
    expect(await lockContainer(project)).toBeDefined();
  });
});
