import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

const yaml = `services:
  db:
    image: busybox:1.36
    init: true
    command: sleep 3600
  web:
    image: busybox:1.36
    init: true
    command: sleep 3600
    depends_on:
      db: { condition: service_started, restart: true }
  solo:
    image: busybox:1.36
    init: true
    command: sleep 3600
`;

describe.skipIf(!referenceBinary)(`restart${referenceSkipNote}`, () => {
  let engine: Engine;
  let ours: Stack;
  let theirs: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    [ours, theirs] = await Promise.all([Stack.up("restart-a", yaml), Stack.up("restart-b", yaml)]);
  });
  afterAll(async () => {
    await Promise.all([ours?.remove(engine), theirs?.remove(engine)]);
  });

  const startedAt = async (stack: Stack, service: string) =>
    (await engine.inspectContainer(`${stack.name}-${service}-1`)).state.startedAt ?? "";

  it("restarts a service and its restart: true dependants, dependency first", async () => {
    const before = await startedAt(ours, "solo");
    const a = ours.tc("-f", "compose.yaml", "restart", "db");
    const b = theirs.ref("-f", "compose.yaml", "restart", "db");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual(lines(b.stderr, theirs.name));
    const out = a.stderr.split("\n");
    expect(out.indexOf(` Container ${ours.name}-web-1  Restarting`)).toBeGreaterThan(
      out.indexOf(` Container ${ours.name}-db-1  Started`),
    );
    expect(await startedAt(ours, "solo")).toBe(before);
    expect(await ours.states(engine)).toEqual({ "db-1": "running", "solo-1": "running", "web-1": "running" });
  });

  it("--no-deps restarts only the named service; by name alone the labels give the graph", async () => {
    const web = await startedAt(ours, "web");
    const a = ours.tc("restart", "--no-deps", "db");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, ours.name)).toEqual([
      " Container P-db-1  Restarting",
      " Container P-db-1  Started",
    ]);
    expect(await startedAt(ours, "web")).toBe(web);
    const all = ours.tc("restart", "-t", "2");
    expect(lines(all.stderr, ours.name)).toEqual(lines(theirs.ref("restart", "-t", "2").stderr, theirs.name));
  });
});
