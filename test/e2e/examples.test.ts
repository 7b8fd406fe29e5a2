// The examples run end to end with tcompose, as a user would run them.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath, repoRoot } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";
import { waitFor } from "../helpers/wait.js";

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

describe("examples/flask-redis: the development loop of its README", () => {
  it("watch: an edit of app.py is served, a change to requirements.txt rebuilds and keeps the count", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tct-flask-watch-"));
    cpSync(path.join(repoRoot, "examples/flask-redis"), dir, { recursive: true });
    const project = uniqueProjectName("flaskwatch");
    projects.push(project);
    const port = "19082";
    const watch = spawn(process.execPath, [cliPath, "-p", project, "--progress", "plain", "watch"], {
      cwd: dir,
      env: { ...process.env, WEB_PORT: port },
    });
    let out = "";
    watch.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    watch.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => watch.on("exit", resolve));
    const until = (what: string, check: () => Promise<boolean> | boolean) =>
      waitFor(what, check, 120_000, () => `output:\n${out}`);
    const page = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();
    const webId = async () =>
      (await engine.listContainers({ [label.project]: project, [label.service]: "web" }))[0]?.id ?? "";
    try {
      await until("Watch enabled", () => out.includes("Watch enabled\n"));
      await until("the app", async () => (await page()).startsWith("Hello from"));
      const app = path.join(dir, "app.py");
      writeFileSync(app, readFileSync(app, "utf8").replace('f"Hello from', 'f"Hi from'));
      await until("the edit served", async () => (await page()).startsWith("Hi from"));
      expect(out).toContain('Syncing "web" after changes were detected');
      const count = Number(/visited (\d+) times/.exec(await page())?.[1]);
      const before = await webId();
      writeFileSync(
        path.join(dir, "requirements.txt"),
        `${readFileSync(path.join(dir, "requirements.txt"), "utf8")}# changed\n`,
      );
      await until("the rebuilt container", async () => (await webId()) !== before && (await webId()) !== "");
      expect(out).toContain('Rebuilding service "web" after changes were detected...');
      await until("the new container serving", async () => (await page()).startsWith("Hi from"));
      expect(Number(/visited (\d+) times/.exec(await page())?.[1])).toBeGreaterThan(count);
      watch.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      watch.kill("SIGKILL");
      spawnSync(process.execPath, [cliPath, "-p", project, "down", "-v", "--rmi", "local"], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
