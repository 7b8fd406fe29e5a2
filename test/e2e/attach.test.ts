// `attach SERVICE`, both tools on the same kind of project: the container's output, stdin when it keeps it
// open, SIGUSR1 passed on to the container (its exit code becomes attach's), Ctrl-C (SIGINT) ending attach
// alone with "canceled" and 130 while the container runs on (observed on 2.26.1), and the reference's
// messages for a stopped service and a missing --index.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { label } from "../../src/project/labels.js";
import { cliPath, referenceBinary } from "../helpers/paths.js";
import { removeProject, uniqueProjectName } from "../helpers/project.js";

const compose = `services:
  cat:
    image: busybox:1.36
    init: true
    stdin_open: true
    command: cat
  sig:
    image: busybox:1.36
    command: sh -c 'trap "echo got; exit 7" USR1; while true; do echo tick; sleep 0.2; done'
`;

let engine: Engine;
const dir = mkdtempSync(path.join(tmpdir(), "tct-attach-"));
const tools: { name: string; binary: string[]; project: string }[] = [
  { name: "tcompose", binary: [process.execPath, cliPath], project: uniqueProjectName("attach") },
  ...(referenceBinary
    ? [{ name: "reference", binary: [referenceBinary], project: uniqueProjectName("attach-ref") }]
    : []),
];

const cli = (tool: (typeof tools)[number], args: string[]) => {
  const [bin = "", ...rest] = tool.binary;
  return spawnSync(bin, [...rest, "-p", tool.project, ...args], { cwd: dir, encoding: "utf8" });
};

/** attach as a process: its output so far, and its exit. */
function attach(tool: (typeof tools)[number], args: string[]) {
  const [bin = "", ...rest] = tool.binary;
  const child: ChildProcess = spawn(bin, [...rest, "-p", tool.project, "attach", ...args], { cwd: dir });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function state(project: string, service: string): Promise<string> {
  const [c] = await engine.listContainers(
    { [label.project]: project, [label.service]: service },
    { all: true },
  );
  return c?.state ?? "none";
}

beforeAll(async () => {
  engine = await connectEngine();
  writeFileSync(path.join(dir, "compose.yaml"), compose);
  for (const tool of tools) expect(cli(tool, ["up", "-d"]).status).toBe(0);
});

afterAll(async () => {
  await Promise.all(tools.map((t) => removeProject(engine, t.project)));
  rmSync(dir, { recursive: true, force: true });
});

describe("attach", () => {
  it.each(tools.map((t) => [t.name, t] as const))(
    "%s: stdin in and output out; SIGINT ends attach (130, canceled), the container runs on",
    async (_name, tool) => {
      const a = attach(tool, ["cat"]);
      // Attached once a line sent in comes back (the first may go before the attach is made).
      await expect
        .poll(
          () => {
            a.child.stdin?.write("hello\n");
            return a.output();
          },
          { timeout: 15_000, interval: 300 },
        )
        .toContain("hello\n");
      a.child.kill("SIGINT");
      expect(await a.exited).toBe(130);
      expect(a.output()).toMatch(/canceled\n$/);
      expect(await state(tool.project, "cat")).toBe("running");
    },
  );

  it.each(tools.map((t) => [t.name, t] as const))(
    "%s: SIGUSR1 goes to the container; its exit code is attach's",
    async (_name, tool) => {
      const a = attach(tool, ["--no-stdin", "sig"]);
      // Not before the container's output comes through: a SIGUSR1 that reaches Node while it is still
      // starting (slow on a loaded machine) kills it. Then the container answers the signal only once attach
      // has set up the forwarding: send until it does.
      await expect.poll(() => a.output(), { timeout: 30_000, interval: 100 }).toContain("tick\n");
      // Not after the container's answer either: once attach has its exit code it stops forwarding, and a
      // SIGUSR1 then (while it exits) kills it, as it kills the reference.
      const sending = setInterval(() => {
        if (!a.output().includes("got\n")) a.child.kill("SIGUSR1");
      }, 1000);
      try {
        expect(await a.exited).toBe(7);
      } finally {
        clearInterval(sending);
      }
      expect(a.output()).toContain("got\n");
      expect(await state(tool.project, "sig")).toBe("exited");
    },
  );

  it.each(tools.map((t) => [t.name, t] as const))(
    "%s: a stopped service and a missing --index are refused in the reference's words",
    (_name, tool) => {
      const index = cli(tool, ["attach", "--index", "2", "cat"]);
      expect(index.status).toBe(1);
      expect(index.stderr).toContain('service "cat" is not running container #2');
      const stopped = cli(tool, ["attach", "sig"]);
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toContain('service "sig" is not running');
    },
  );
});
