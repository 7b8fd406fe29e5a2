import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`pause and unpause${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  let theirs: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    [ours, theirs] = await Promise.all([Stack.up("pause-a"), Stack.up("pause-b")]);
  });
  afterAll(async () => {
    await Promise.all([ours?.remove(engine), theirs?.remove(engine)]);
  });

  it("pauses and unpauses with the reference's lines", async () => {
    const a = ours.tc("pause", "web");
    const b = theirs.ref("pause", "web");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    expect(await ours.states(engine)).toEqual({
      "db-1": "running",
      "solo-1": "running",
      "web-1": "paused",
      "web-2": "paused",
    });
    // Like the reference, unpause acts on every running container: those not paused make it fail.
    const all = ours.tc("unpause");
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/Error response from daemon: Container [0-9a-f]{64} is not paused/);
    expect(theirs.ref("unpause").code).toBe(1);
    ours.tc("pause", "web");
    theirs.ref("pause", "web");
    const u = ours.tc("unpause", "web");
    expect(u.code).toBe(0);
    expect(lines(u.stderr, ours.name)).toEqual(lines(theirs.ref("unpause", "web").stderr, theirs.name));
    expect(Object.values(await ours.states(engine))).toEqual(["running", "running", "running", "running"]);
  });

  it("pausing a paused container fails with the daemon's words, exit 1", () => {
    ours.tc("pause", "db");
    const a = ours.tc("pause", "db");
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/Error response from daemon: Container [0-9a-f]{64} is already paused\n$/);
    ours.tc("unpause", "db");
  });
});
