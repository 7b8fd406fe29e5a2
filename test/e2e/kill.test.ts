import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`kill${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  let theirs: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    [ours, theirs] = await Promise.all([Stack.up("kill-a"), Stack.up("kill-b")]);
  });
  afterAll(async () => {
    await Promise.all([ours?.remove(engine), theirs?.remove(engine)]);
  });

  it("sends the signal to the service's running containers", async () => {
    const a = ours.tc("kill", "-s", "SIGTERM", "web");
    const b = theirs.ref("kill", "-s", "SIGTERM", "web");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    await new Promise((r) => setTimeout(r, 500));
    expect(await ours.states(engine)).toMatchObject({ "web-1": "exited(143)", "web-2": "exited(143)" });
  });

  it("SIGKILL by default; nothing running says so without a newline", async () => {
    const a = ours.tc("kill", "db");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual([" Container P-db-1  Killed", " Container P-db-1  Killing"]);
    expect((await ours.states(engine))["db-1"]).toBe("exited(137)");
    theirs.ref("kill", "db");
    expect(ours.tc("kill", "db")).toEqual({ code: 0, stdout: "", stderr: "no container to kill" });
    expect(theirs.ref("kill", "db")).toEqual({ code: 0, stdout: "", stderr: "no container to kill" });
  });

  it("orphans only with --remove-orphans when the file is read", async () => {
    ours.tc("kill", "solo");
    ours.tc("start");
    const withoutSolo = "services:\n  web:\n    image: busybox:1.36\n  db:\n    image: busybox:1.36\n";
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${ours.dir}/other.yaml`, withoutSolo);
    const a = ours.tc("-f", "other.yaml", "kill");
    expect(a.stderr).not.toContain("solo");
    expect((await ours.states(engine))["solo-1"]).toBe("running");
    const b = ours.tc("-f", "other.yaml", "kill", "--remove-orphans");
    expect(b.stderr).toContain(`Container ${ours.name}-solo-1  Killed`);
    expect((await ours.states(engine))["solo-1"]).toBe("exited(137)");
  });
});
