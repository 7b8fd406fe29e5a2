// `npm run demo` (scripts/demo.sh) as a user runs it: it builds and starts examples/flask-redis with
// tcompose, fetches the page twice and says the counter went up; `demo.sh down` tears it down. The test
// gives it a project name and a port of its own (COMPOSE_PROJECT_NAME, WEB_PORT), so it clashes neither
// with examples.test.ts nor with a demo the user left running on 8000.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { projectFilter } from "../../src/project/labels.js";
import { repoRoot } from "../helpers/paths.js";
import { removeProject } from "../helpers/project.js";

const project = `tct8-demo-${randomBytes(4).toString("hex")}`;
const port = "19085";
let engine: Engine;

beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  await removeProject(engine, project);
  await engine.removeImage(`${project}-web`, { force: true });
});

function demo(...args: string[]) {
  const r = spawnSync("bash", ["scripts/demo.sh", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, COMPOSE_PROJECT_NAME: project, WEB_PORT: port, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run demo (scripts/demo.sh)", () => {
  it("builds and starts the visit counter, shows the count going up, and `demo.sh down` removes the stack", async () => {
    const r = demo();
    expect(r.code, r.stderr).toBe(0);
    // BuildKit's steps, on stdout as the reference prints them.
    expect(r.stdout).toMatch(/^#\d+ naming to docker\.io\/library\/\S+-web done$/m);
    const counts = [
      ...r.stdout.matchAll(
        /^GET http:\/\/127\.0\.0\.1:(\d+)\/ -> Hello from \S+! This page has been visited (\d+) times\.$/gm,
      ),
    ].map((m) => ({ port: m[1], count: Number(m[2]) }));
    // A new project, so a new volume: the first two visits ever.
    expect(counts).toEqual([
      { port, count: 1 },
      { port, count: 2 },
    ]);
    expect(r.stdout).toContain(
      `The counter goes up (1, then 2); Redis keeps it in the volume ${project}_redis-data.`,
    );
    // It ran as the test's project: both services running, web built under the project's name.
    const running = await engine.listContainers(projectFilter(project));
    expect(running.map((c) => `${c.names[0]} ${c.state}`).sort()).toEqual([
      `${project}-redis-1 running`,
      `${project}-web-1 running`,
    ]);

    const down = demo("down");
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`Volume ${project}_redis-data  Removed`);
    const filter = projectFilter(project);
    expect(await engine.listContainers(filter, { all: true })).toEqual([]);
    expect(await engine.listNetworks(filter)).toEqual([]);
    expect(await engine.listVolumes(filter)).toEqual([]);
  });
});
