// The examples run end to end with tcompose, as a user would run them.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath, repoRoot } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

let engine: Engine;
const projects: string[] = [];
beforeAll(async () => {
  engine = await connectEngine();
});
afterAll(async () => {
  for (const p of projects) await removeProject(engine, p);
});

describe("examples/flask-redis", () => {
  const dir = path.join(repoRoot, "examples/flask-redis");
  const project = uniqueProjectName("flask");
  projects.push(project);
  const port = "19081";
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [cliPath, "-p", project, "--progress", "plain", ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, WEB_PORT: port },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const visits = async () => {
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const match = /visited (\d+) times/.exec(page);
    if (!match) throw new Error(`unexpected page: ${page}`);
    return Number(match[1]);
  };

  it("builds the app, starts it after Redis is healthy, counts visits, and keeps the count across down/up", async () => {
    const up = cli(["up", "-d", "--build", "--wait"]);
    expect(up.code, up.stderr).toBe(0);
    // BuildKit's steps (with the pip cache mount), on stdout as the reference prints them.
    expect(up.stdout).toMatch(
      /^#\d+ \[web (\S+ )?\d+\/\d+\] RUN --mount=type=cache,target=\/root\/\.cache\/pip /m,
    );
    expect(up.stdout).toMatch(/^#\d+ naming to docker\.io\/library\/\S+-web done$/m);
    expect(up.stderr.indexOf(`Container ${project}-redis-1  Healthy`)).toBeLessThan(
      up.stderr.indexOf(`Container ${project}-web-1  Starting`),
    );
    const first = await visits();
    expect(await visits()).toBe(first + 1);

    expect(cli(["down"]).code).toBe(0);
    expect(await engine.listContainers({ [label.project]: project }, { all: true })).toEqual([]);
    expect(cli(["up", "-d", "--wait"]).code).toBe(0);
    expect(await visits()).toBe(first + 2);

    const down = cli(["down", "-v", "--rmi", "local"]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`Volume ${project}_redis-data  Removed`);
    expect(down.stderr).toContain(`Image ${project}-web:latest  Removed`);
    expect(await engine.listVolumes({ [label.project]: project })).toEqual([]);
  });
});
