// `up` / `down` on the real engine, through the CLI as a process: convergence (nothing touched twice,
// recreate on change keeping anonymous volumes), health and completion gates driven by events, --wait,
// scale, orphans, Ctrl-C, and interchangeability with the reference.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
const projects: string[] = [];

beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const p of projects) await removeProject(engine, p);
});

function stack(compose: string): { dir: string; project: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tct-up-"));
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  const project = uniqueProjectName("up");
  projects.push(project);
  return { dir, project };
}

function run(command: string, dir: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tcompose = (dir: string, project: string, args: string[]) =>
  run(process.execPath, dir, [cliPath, "-p", project, "--progress", "plain", ...args]);
const reference = (dir: string, project: string, args: string[]) =>
  run(referenceBinary ?? "false", dir, ["-p", project, "--progress", "plain", ...args]);

async function containers(project: string) {
  const list = await engine.listContainers({ [label.project]: project }, { all: true });
  return Object.fromEntries(
    list.map((c) => [c.names[0] ?? c.id, { id: c.id, state: c.state, labels: c.labels }]),
  );
}

const sleeper = "    image: busybox:1.36\n    init: true\n    command: sleep 3600\n";

describe("up -d converges", () => {
  it("touches nothing the second time, recreates an edited service keeping its anonymous volume's data", async () => {
    const { dir, project } = stack(
      `services:\n  web:\n${sleeper}    volumes: [/cache]\n  other:\n${sleeper}`,
    );
    expect(tcompose(dir, project, ["up", "-d"]).code).toBe(0);
    const first = await containers(project);
    expect(Object.keys(first).sort()).toEqual([`${project}-other-1`, `${project}-web-1`]);

    const again = tcompose(dir, project, ["up", "-d"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/Container \S+-web-1 {2}Running/);
    expect(await containers(project)).toEqual(first);

    spawnSync("docker", ["exec", `${project}-web-1`, "sh", "-c", "echo kept > /cache/f"]);
    writeFileSync(
      path.join(dir, "compose.yaml"),
      `services:\n  web:\n${sleeper.replace("3600", "3601")}    volumes: [/cache]\n  other:\n${sleeper}`,
    );
    const edited = tcompose(dir, project, ["up", "-d"]);
    expect(edited.stderr).toContain(`Container ${project}-web-1  Recreated`);
    const after = await containers(project);
    expect(after[`${project}-web-1`]?.id).not.toBe(first[`${project}-web-1`]?.id);
    expect(after[`${project}-web-1`]?.labels[label.replace]).toBe(first[`${project}-web-1`]?.id);
    expect(after[`${project}-other-1`]).toEqual(first[`${project}-other-1`]);
    const read = spawnSync("docker", ["exec", `${project}-web-1`, "cat", "/cache/f"], { encoding: "utf8" });
    expect(read.stdout).toBe("kept\n");

    // -V: a new anonymous volume.
    expect(tcompose(dir, project, ["up", "-d", "--force-recreate", "-V", "web"]).code).toBe(0);
    const renewed = spawnSync("docker", ["exec", `${project}-web-1`, "ls", "/cache"], { encoding: "utf8" });
    expect(renewed.stdout).toBe("");
  });

  it.skipIf(!referenceBinary)(
    `is seen as up to date by the reference, and each tool's down removes the other's project${referenceSkipNote}`,
    async () => {
      const { dir, project } = stack(
        `services:\n  web:\n${sleeper}    ports: ["127.0.0.1::80"]\n    volumes: [data:/data, /anon]\n    networks: [front, back]\nvolumes:\n  data: {}\nnetworks:\n  front: {}\n  back: {}\n`,
      );
      expect(tcompose(dir, project, ["up", "-d"]).code).toBe(0);
      const ours = await containers(project);
      const theirs = reference(dir, project, ["up", "-d"]);
      expect(theirs.stderr).toContain(`Container ${project}-web-1  Running`);
      expect(await containers(project)).toEqual(ours);
      expect(reference(dir, project, ["down", "-v"]).code).toBe(0);
      expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
      expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
      expect(await engine.listVolumes({ [label.project]: project })).toEqual([]);

      expect(reference(dir, project, ["up", "-d"]).code).toBe(0);
      const up = tcompose(dir, project, ["up", "-d"]);
      expect(up.stderr).toContain(`Container ${project}-web-1  Running`);
      expect(tcompose(dir, project, ["down", "-v"]).code).toBe(0);
      expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
      expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
      expect(await engine.listVolumes({ [label.project]: project })).toEqual([]);
    },
  );
});

describe("dependencies", () => {
  const healthy = `    image: redis:7-bookworm\n    healthcheck:\n      test: ["CMD", "redis-cli", "ping"]\n      interval: 1s\n      retries: 30\n`;

  it("starts a dependant once its dependency is healthy, following engine events", async () => {
    const { dir, project } = stack(
      `services:\n  db:\n${healthy}  web:\n${sleeper}    depends_on:\n      db:\n        condition: service_healthy\n`,
    );
    const events: string[] = [];
    const subscription = await engine.subscribeEvents(
      { label: { [label.project]: project }, type: ["container"] },
      (e) => events.push(`${e.attributes[label.service] ?? "?"} ${e.action}`),
    );
    const up = tcompose(dir, project, ["up", "-d"]);
    await expect.poll(() => events).toContain("web start");
    subscription.close();
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`Container ${project}-db-1  Healthy`);
    expect(events.indexOf("web start")).toBeGreaterThan(events.indexOf("db health_status: healthy"));
  });

  it("fails when a dependency turns unhealthy, naming it with its last probe's output, and leaves the dependant unstarted", async () => {
    const { dir, project } = stack(
      `services:\n  db:\n${sleeper}    healthcheck:\n      test: ["CMD", "sh", "-c", "echo db is not ready; exit 1"]\n      interval: 1s\n      retries: 1\n  web:\n${sleeper}    depends_on:\n      db:\n        condition: service_healthy\n`,
    );
    const up = tcompose(dir, project, ["up", "-d"]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`dependency failed to start: container ${project}-db-1 is unhealthy`);
    expect(up.stderr).toContain("db is not ready");
    expect(up.stderr).not.toMatch(/^\s+at /m);
    expect((await containers(project))[`${project}-web-1`]?.state).toBe("created");
  });

  it("waits for a one-shot dependency to complete, and fails on its non-zero exit", async () => {
    const ok = stack(
      `services:\n  migrate:\n    image: busybox:1.36\n    command: sh -c "sleep 1; exit 0"\n  app:\n${sleeper}    depends_on:\n      migrate:\n        condition: service_completed_successfully\n`,
    );
    const up = tcompose(ok.dir, ok.project, ["up", "-d"]);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`Container ${ok.project}-migrate-1  Exited`);
    expect((await containers(ok.project))[`${ok.project}-app-1`]?.state).toBe("running");

    const bad = stack(
      `services:\n  migrate:\n    image: busybox:1.36\n    command: sh -c "exit 3"\n  app:\n${sleeper}    depends_on:\n      migrate:\n        condition: service_completed_successfully\n`,
    );
    const failed = tcompose(bad.dir, bad.project, ["up", "-d"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`service "migrate" didn't complete successfully: exit 3`);
  });

  it("--wait treats a one-shot job that exited 0 as done, and waits for health", async () => {
    const { dir, project } = stack(
      `services:\n  init:\n    image: busybox:1.36\n    command: "true"\n  db:\n${healthy}  web:\n${sleeper}`,
    );
    const up = tcompose(dir, project, ["up", "-d", "--wait"]);
    expect(up.stderr).toContain(`Container ${project}-db-1  Healthy`);
    expect(up.code).toBe(0);
    const states = await containers(project);
    expect(states[`${project}-init-1`]?.state).toBe("exited");
    expect(states[`${project}-web-1`]?.state).toBe("running");
  });
});

describe("scale, orphans, flags", () => {
  it("scales up and down by container number; replicas of a published port range each take a port", async () => {
    const { dir, project } = stack(`services:\n  web:\n${sleeper}    ports: ["127.0.0.1:19060-19064:80"]\n`);
    expect(tcompose(dir, project, ["up", "-d", "--scale", "web=3"]).code).toBe(0);
    const three = await containers(project);
    expect(Object.keys(three).sort()).toEqual([1, 2, 3].map((n) => `${project}-web-${n}`));
    const ports = await Promise.all(
      Object.values(three).map(
        async (c) => (await engine.inspectContainer(c.id)).ports["80/tcp"]?.[0]?.HostPort,
      ),
    );
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(Number(p)).toBeGreaterThanOrEqual(19060);

    expect(tcompose(dir, project, ["up", "-d", "--scale", "web=1"]).code).toBe(0);
    const one = await containers(project);
    expect(Object.keys(one)).toEqual([`${project}-web-1`]);
    expect(one[`${project}-web-1`]?.id).toBe(three[`${project}-web-1`]?.id);
  });

  it("warns about orphans and removes them with --remove-orphans; --no-start only creates", async () => {
    const { dir, project } = stack(`services:\n  a:\n${sleeper}  b:\n${sleeper}`);
    expect(tcompose(dir, project, ["up", "-d"]).code).toBe(0);
    writeFileSync(path.join(dir, "compose.yaml"), `services:\n  a:\n${sleeper}`);
    const warned = tcompose(dir, project, ["up", "-d"]);
    expect(warned.stderr).toContain(`Found orphan containers ([${project}-b-1])`);
    const removed = tcompose(dir, project, ["up", "-d", "--remove-orphans"]);
    expect(removed.stderr).toContain(`Container ${project}-b-1  Removed`);
    expect(Object.keys(await containers(project))).toEqual([`${project}-a-1`]);

    writeFileSync(path.join(dir, "compose.yaml"), `services:\n  a:\n${sleeper}  c:\n${sleeper}`);
    expect(tcompose(dir, project, ["up", "--no-start", "c"]).code).toBe(0);
    expect((await containers(project))[`${project}-c-1`]?.state).toBe("created");
    expect(tcompose(dir, project, ["create", "--force-recreate", "a"]).code).toBe(0);
    expect((await containers(project))[`${project}-a-1`]?.state).toBe("created");
  });

  it("an attached up stops the project on Ctrl-C (dependants first), and the next up -d converges", async () => {
    const { dir, project } = stack(
      `services:\n  talk:\n    image: busybox:1.36\n    init: true\n    command: sh -c "echo hello from talk; sleep 3600"\n    depends_on: [db]\n  db:\n${sleeper}`,
    );
    const child: ChildProcess = spawn(
      process.execPath,
      [cliPath, "-p", project, "--progress", "plain", "up"],
      {
        cwd: dir,
      },
    );
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    let err = "";
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    await expect.poll(() => out, { timeout: 20_000 }).toContain("talk-1  | hello from talk");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out).toContain("Gracefully stopping...");
    // As the reference's Stop: the dependant stopped before its dependency is.
    expect(err.indexOf(`Container ${project}-talk-1  Stopped`)).toBeGreaterThan(0);
    expect(err.indexOf(`Container ${project}-talk-1  Stopped`)).toBeLessThan(
      err.indexOf(`Container ${project}-db-1  Stopping`),
    );
    const stopped = await containers(project);
    expect(stopped[`${project}-talk-1`]?.state).toBe("exited");
    expect(tcompose(dir, project, ["up", "-d"]).code).toBe(0);
    const again = await containers(project);
    expect(again[`${project}-talk-1`]).toMatchObject({
      id: stopped[`${project}-talk-1`]?.id,
      state: "running",
    });
  });

  it("--dry-run prints what up and down would do and touches nothing", async () => {
    const { dir, project } = stack(
      `services:\n  web:\n${sleeper}    volumes: [data:/data]\nvolumes:\n  data: {}\n`,
    );
    const dry = run(process.execPath, dir, [
      cliPath,
      "-p",
      project,
      "--dry-run",
      "--progress",
      "plain",
      "up",
      "-d",
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Container ${project}-web-1  Started`);
    expect(dry.stderr).toContain(`DRY-RUN MODE -  Volume "${project}_data"  Created`);
    expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
    expect(await engine.listNetworks({ [label.project]: project })).toEqual([]);
    expect(await engine.listVolumes({ [label.project]: project })).toEqual([]);

    expect(tcompose(dir, project, ["up", "-d"]).code).toBe(0);
    const before = await containers(project);
    const down = run(process.execPath, dir, [
      cliPath,
      "-p",
      project,
      "--dry-run",
      "--progress",
      "plain",
      "down",
      "-v",
    ]);
    expect(down.stderr).toContain(`DRY-RUN MODE -  Container ${project}-web-1  Removed`);
    expect(await containers(project)).toEqual(before);
    expect((await engine.listVolumes({ [label.project]: project })).length).toBe(1);
  });

  it("attached up prints prefixed output and, with --exit-code-from, exits with that service's code", async () => {
    const { dir, project } = stack(
      `services:\n  job:\n    image: busybox:1.36\n    command: sh -c "echo line one; echo line two >&2; sleep 1; exit 5"\n  web:\n${sleeper}`,
    );
    const up = tcompose(dir, project, ["up", "--exit-code-from", "job"]);
    expect(up.code).toBe(5);
    expect(up.stdout).toContain("Attaching to job-1, web-1");
    expect(up.stdout).toMatch(/^job-1 +\| line one$/m);
    expect(up.stdout).toMatch(/^job-1 +\| line two$/m);
    expect(up.stdout).toContain("Aborting on container exit...");
    expect((await containers(project))[`${project}-web-1`]?.state).toBe("exited");
  });
});
