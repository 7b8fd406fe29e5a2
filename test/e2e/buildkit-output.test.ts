// What a BuildKit build shows besides --progress plain (buildkit.test.ts compares that with the reference):
// --progress json emits each step as an event under its service; -q prints nothing at all on success.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const dir = mkdtempSync(path.join(tmpdir(), "tct-bkout-"));
const token = Math.random().toString(36).slice(2);
writeFileSync(path.join(dir, "Dockerfile"), `FROM busybox:1.36\nRUN echo out-${token}\n`);
writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    build: .\n");
const project = uniqueProjectName("bkout");

function tcompose(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, "-p", project, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => {
  spawnSync("docker", ["rmi", "-f", `${project}-web`]);
});

describe("BuildKit output modes", () => {
  it("--progress json: every step an event under its service, ending Done or Cached", () => {
    const r = tcompose("--progress", "json", "build");
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { id: string; parent?: string; text: string });
    const run = events.filter((e) => e.parent === "web" && e.id === `[web 2/2] RUN echo out-${token}`);
    expect(run.map((e) => e.text)).toContain("Running");
    expect(run.at(-1)?.text).toBe("Done");
    expect(events.at(-1)).toMatchObject({ id: "web", text: "Built" });
    // A rebuild takes the step from the cache.
    const again = tcompose("--progress", "json", "build");
    const cached = again.stderr
      .split("\n")
      .filter((l) => l.includes(`RUN echo out-${token}`))
      .map((l) => (JSON.parse(l) as { text: string }).text);
    expect(cached.at(-1)).toBe("Cached");
  });

  it("-q prints nothing", () => {
    const r = tcompose("build", "-q", "--no-cache");
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });
});
