import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, Stack } from "../helpers/day2.js";
import { cliPath, referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`wait${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    ours = await Stack.up("wait");
  });
  afterAll(async () => {
    await ours?.remove(engine);
  });

  function waitFor(...args: string[]) {
    const child = spawn(process.execPath, [cliPath, "-p", ours.name, "wait", ...args], { cwd: ours.dir });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const code = new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, out: () => stdout };
  }

  it("prints each container's exit and exits with the status of the last one to stop", async () => {
    const w = waitFor("db", "solo");
    await new Promise((r) => setTimeout(r, 1000));
    const db = await engine.inspectContainer(`${ours.name}-db-1`);
    await engine.killContainer(db.id, "SIGKILL");
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.out()).toBe(`container "${db.id}" exited with status code 137\n`);
    const solo = await engine.inspectContainer(`${ours.name}-solo-1`);
    await engine.stopContainer(solo.id);
    expect(await w.code).toBe(143);
    expect(w.out()).toContain(`container "${solo.id}" exited with status code 143\n`);
  });

  it("fails when nothing runs", () => {
    const r = ours.tc("wait", "db");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no containers for project "${ours.name}"`);
  });

  it("--down-project takes the project down once they stopped", async () => {
    const w = waitFor("web", "--down-project");
    await new Promise((r) => setTimeout(r, 1000));
    for (const n of [1, 2]) await engine.killContainer(`${ours.name}-web-${n}`, "SIGTERM");
    expect(await w.code).toBe(143);
    expect(await ours.states(engine)).toEqual({});
    expect(await engine.listNetworks({ "com.docker.compose.project": ours.name })).toEqual([]);
  });
});
