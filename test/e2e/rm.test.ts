import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`rm${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  let theirs: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    [ours, theirs] = await Promise.all([Stack.up("rm-a"), Stack.up("rm-b")]);
  });
  afterAll(async () => {
    await Promise.all([ours?.remove(engine), theirs?.remove(engine)]);
  });

  it("says there is nothing to remove while all run", () => {
    expect(ours.tc("rm", "-f")).toEqual({ code: 0, stdout: "", stderr: "No stopped containers\n" });
    expect(theirs.ref("rm", "-f")).toEqual({ code: 0, stdout: "", stderr: "No stopped containers\n" });
  });

  it("asks on stdin when it is not a terminal: no answer keeps them", async () => {
    ours.tc("stop", "web");
    theirs.ref("stop", "web");
    const a = ours.tcIn("", "rm", "web");
    const b = theirs.refIn("", "rm", "web");
    expect(a.code).toBe(0);
    expect(a.stdout.replaceAll(ours.name, "P")).toMatch(/^Going to remove P-web-[12], P-web-[12]$/);
    expect(b.stdout.replaceAll(theirs.name, "P")).toMatch(/^Going to remove P-web-[12], P-web-[12]$/);
    expect(a.stderr).toBe("");
    expect(Object.keys(await ours.states(engine))).toHaveLength(4);
  });

  it("removes them on y", async () => {
    const a = ours.tcIn("y\n", "rm", "web");
    const b = theirs.refIn("y\n", "rm", "web");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    expect(await ours.states(engine)).toEqual({ "db-1": "running", "solo-1": "running" });
  });

  it("-s -f stops first, then removes without asking", async () => {
    const a = ours.tc("rm", "-s", "-f", "-v", "solo");
    const b = theirs.ref("rm", "-s", "-f", "-v", "solo");
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(`Going to remove ${ours.name}-solo-1\n`);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    expect(await ours.states(engine)).toEqual({ "db-1": "running" });
  });
});
