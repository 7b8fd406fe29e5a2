// `stats`, both tools on one project (made by the reference): with --no-stream the same header, rows and
// names, figures in docker's notation (values move, so only their shape is compared), docker's JSON keys,
// templates, --all with a stopped container, a service, --no-trunc, the reference's answers to bad
// arguments, and the live view into a pipe (the screen cleared before each frame) ended by Ctrl-C.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

const compose = `services:
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
  worker:
    image: busybox:1.36
    init: true
    command: sleep 3600
    deploy:
      replicas: 2
  idle:
    image: busybox:1.36
    init: true
    command: sleep 3600
  late:
    image: busybox:1.36
    init: true
    command: sleep 3600
    profiles: [late]
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const project = uniqueProjectName("stats");
const dir = mkdtempSync(path.join(tmpdir(), "tct-stats-"));
let engine: Engine;

/** Runs a tool; `until` (given the output so far) says when to send SIGINT. */
function run(binary: string[], args: string[], until?: (stdout: string) => boolean): Promise<Run> {
  const [bin = "", ...rest] = binary;
  const child = spawn(bin, [...rest, "-p", project, ...args], { cwd: dir });
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    if (until && !sent && until(stdout)) sent = child.kill("SIGINT");
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const ours = (args: string[], until?: (stdout: string) => boolean) =>
  run([process.execPath, cliPath], args, until);
const reference = (args: string[], until?: (stdout: string) => boolean) =>
  run([referenceBinary ?? ""], args, until);
/** Both tools at once (each --no-stream takes the engine a second or two). */
const both = (args: string[], until?: (stdout: string) => boolean) =>
  Promise.all([ours(args, until), reference(args, until)]);

const header = "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS";
const size = String.raw`\d+(\.\d+)?(e\+\d\d)?`;
const row = new RegExp(
  String.raw`^[0-9a-f]{12} (\S+) \d+\.\d\d% ${size}(B|KiB|MiB|GiB) / ${size}(B|KiB|MiB|GiB) \d+\.\d\d% ` +
    String.raw`${size}(B|kB|MB|GB) / ${size}(B|kB|MB|GB) ${size}(B|kB|MB|GB) / ${size}(B|kB|MB|GB) \d+$`,
);
/** A table's lines with runs of spaces made one. */
const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/ {2,}/g, " "));
/** The NAME column of a table, sorted. */
const names = (text: string) =>
  lines(text)
    .slice(1)
    .map((l) => l.split(" ")[1])
    .sort();

const clear = "\x1b[2J\x1b[H";

beforeAll(async () => {
  if (!referenceBinary) return;
  engine = await connectEngine();
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  expect((await reference(["up", "-d"])).code).toBe(0);
  // A stopped container (for --all) and a one-off one (stats shows those too).
  expect((await reference(["stop", "-t", "0", "idle"])).code).toBe(0);
  expect((await reference(["run", "-d", "worker", "sleep", "600"])).code).toBe(0);
});
afterAll(async () => {
  if (engine) await removeProject(engine, project);
  rmSync(dir, { recursive: true, force: true });
});

// The tests run at once: each --no-stream waits a second or two for the engine's samples.
describe.skipIf(!referenceBinary)(
  `stats against the reference${referenceSkipNote}`,
  { concurrent: true },
  () => {
    it("prints the same table for the same containers, one-off ones too, figures in docker's units", async () => {
      const [a, b] = await both(["stats", "--no-stream"]);
      expect([a.code, a.stderr]).toEqual([0, ""]);
      expect(b.code).toBe(0);
      expect(lines(a.stdout)[0]).toBe(header);
      expect(lines(a.stdout)[0]).toBe(lines(b.stdout)[0]);
      expect(names(a.stdout)).toEqual(names(b.stdout));
      expect(names(a.stdout)).toHaveLength(4);
      expect(names(a.stdout).filter((n) => n?.startsWith(`${project}-worker-run-`))).toHaveLength(1);
      for (const line of lines(a.stdout).slice(1)) expect(line).toMatch(row);
    });

    it("prints docker's JSON keys; --all adds the stopped container, all zeros", async () => {
      const [a, b] = await both(["stats", "--no-stream", "--all", "--format", "json"]);
      expect([a.code, a.stderr]).toEqual([0, ""]);
      const parsed = (t: string) =>
        lines(t)
          .map((l) => JSON.parse(l) as Record<string, string>)
          .sort((x, y) => String(x.Name).localeCompare(String(y.Name)));
      expect(parsed(a.stdout).map((o) => Object.keys(o))).toEqual(
        parsed(b.stdout).map((o) => Object.keys(o)),
      );
      expect(Object.keys(parsed(a.stdout)[0] ?? {})).toEqual([
        "BlockIO",
        "CPUPerc",
        "Container",
        "ID",
        "MemPerc",
        "MemUsage",
        "Name",
        "NetIO",
        "PIDs",
      ]);
      const ids = (t: string) => parsed(t).map((o) => [o.Name, o.ID, o.Container]);
      expect(ids(a.stdout)).toEqual(ids(b.stdout));
      expect(ids(a.stdout)).toHaveLength(5);
      const idle = (t: string) => parsed(t).find((o) => o.Name === `${project}-idle-1`);
      expect(idle(a.stdout)).toEqual(idle(b.stdout));
      expect(idle(a.stdout)).toMatchObject({
        CPUPerc: "0.00%",
        MemUsage: "0B / 0B",
        NetIO: "0B / 0B",
        PIDs: "0",
      });
    });

    it("prints a service's containers alone, through a template, or with full ids", async () => {
      const [a, b] = await both(["stats", "--no-stream", "worker", "--format", "{{.Name}} {{.Container}}"]);
      expect(a.stdout.split("\n").sort()).toEqual(b.stdout.split("\n").sort());
      expect(a.stdout.split("\n").filter((l) => l.startsWith(`${project}-worker-`))).toHaveLength(3);

      const [c, d] = await both(["stats", "--no-stream", "--no-trunc", "web"]);
      expect(lines(c.stdout)[1]?.split(" ")[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(lines(c.stdout)[1]?.split(" ").slice(0, 2)).toEqual(lines(d.stdout)[1]?.split(" ").slice(0, 2));
    });

    it("answers bad arguments as the reference does", async () => {
      // An unknown service is only a label filter that matches nothing: the header alone.
      const [[a, b], [c, d], [e, f]] = await Promise.all([
        both(["stats", "--no-stream", "nosuch"]),
        both(["stats", "--no-stream", "web", "worker"]),
        both(["stats", "--no-stream", "--format", "{{.Nope}}", "web"]),
      ]);
      expect(a).toEqual({ ...b, stderr: "" });
      expect(lines(a.stdout)).toHaveLength(1);
      expect([c.code, c.stdout, c.stderr.replace(/^tcompose: /, "")]).toEqual([d.code, d.stdout, d.stderr]);
      expect(c.code).toBe(1);
      expect([e.code, e.stdout]).toEqual([f.code, f.stdout]);
      expect(e.code).toBe(1);
      expect(e.stderr).toMatch(/^tcompose: template parsing error: .*Nope/);
    });

    it("streams frames into a pipe, the screen cleared before each, until Ctrl-C (canceled, 130)", async () => {
      const secondFrame = (out: string) => out.split(clear).length > 2 && out.endsWith("\n");
      const [a, b] = await both(["stats", "web"], secondFrame);
      for (const r of [a, b]) {
        expect(r.code).toBe(130);
        expect(r.stdout.startsWith(`${clear}CONTAINER ID   NAME `)).toBe(true);
      }
      expect(a.stderr.replace(/^tcompose: /, "")).toBe(b.stderr);
      const frame = a.stdout.split(clear)[1] ?? "";
      expect(names(frame)).toEqual([`${project}-web-1`]);
      expect(lines(frame)[1]).toMatch(row);
    });
  },
);

// After the others: it adds and stops a container of the project.
describe.skipIf(!referenceBinary)(`stats's live view${referenceSkipNote}`, () => {
  it("adds a container that starts and drops it once it dies", async () => {
    const [bin = "", ...rest] = [process.execPath, cliPath];
    const child = spawn(bin, [...rest, "-p", project, "stats", "late"], { cwd: dir });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const lastFrame = () => {
      const frames = stdout.split(clear);
      return frames.length > 2 ? (frames[frames.length - 2] ?? "") : "";
    };
    try {
      await expect.poll(lastFrame, { timeout: 30_000 }).toMatch(/^CONTAINER ID/);
      expect(names(lastFrame())).toEqual([]);
      const started = await reference(["run", "-d", "late", "sleep", "600"]);
      expect(started.code).toBe(0);
      const id = started.stdout.trim();
      await expect
        .poll(() => names(lastFrame()), { timeout: 30_000 })
        .toEqual([expect.stringMatching(new RegExp(`^${project}-late-run-`))]);
      await engine.stopContainer(id, 0);
      await expect.poll(() => names(lastFrame()), { timeout: 30_000 }).toEqual([]);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(130);
  });
});
