import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`stop${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  let theirs: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    [ours, theirs] = await Promise.all([Stack.up("stop-a"), Stack.up("stop-b")]);
  });
  afterAll(async () => {
    await Promise.all([ours?.remove(engine), theirs?.remove(engine)]);
  });

  it("stops named services only, with the reference's lines", async () => {
    const a = ours.tc("stop", "web");
    const b = theirs.ref("stop", "web");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    expect(await ours.states(engine)).toEqual({
      "db-1": "running",
      "solo-1": "running",
      "web-1": "exited(143)",
      "web-2": "exited(143)",
    });
  });

  it("stops dependants before their dependencies, stopped ones reported too", async () => {
    const a = ours.tc("stop", "-t", "5");
    const b = theirs.ref("stop", "-t", "5");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    const out = a.stderr.split("\n");
    const dbStopping = out.indexOf(` Container ${ours.name}-db-1  Stopping`);
    expect(dbStopping).toBeGreaterThan(out.indexOf(` Container ${ours.name}-web-1  Stopped`));
    expect(dbStopping).toBeGreaterThan(out.indexOf(` Container ${ours.name}-web-2  Stopped`));
    expect(Object.values(await ours.states(engine)).every((s) => s.startsWith("exited"))).toBe(true);
  });

  it("with -f, an unknown service fails like the reference; by name alone it is a no-op", () => {
    const a = ours.tc("-f", "compose.yaml", "stop", "nosuch");
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("no such service: nosuch");
    expect(theirs.ref("-f", "compose.yaml", "stop", "nosuch").code).toBe(1);
    expect(ours.tc("stop", "nosuch")).toMatchObject({ code: 0, stderr: "" });
  });
});
